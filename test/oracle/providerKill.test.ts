import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startChain, type TestChain } from "../contracts/fixture";
import { ensureBuilt, ROOT } from "../harness/buildCli";
import { runCli } from "../harness/cli";
import { getFreePort } from "../harness/hardhatNode";
import {
  answerLogs,
  createTestWorkspace,
  deployOracleFixture,
  hardhatKey,
  requestBytes,
  sendRequests,
  waitFor,
  waitForAnswers,
} from "./providerFixture";

describe("oracle provider process: kill -9 in the middle of a burst, then restart", () => {
  let chain: TestChain;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let oracle: Address;
  let consumer: Address;
  let configFile: string;
  let port: number;
  let child: ChildProcess | undefined;
  const key = hardhatKey(1);
  const address = privateKeyToAccount(key).address;

  const spawnProvider = (): ChildProcess => {
    const proc = spawn(process.execPath, [path.join(ROOT, "bin", "odf"), "provider", "run", "--config", configFile], {
      cwd: ws.dir,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ODF_PROVIDER_LOG_LEVEL: "warn" },
    });
    proc.stderr?.resume();
    return proc;
  };
  const healthy = () =>
    waitFor(
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
        } catch {
          return false;
        }
      },
      30_000,
      "provider health",
    );

  beforeAll(async () => {
    ensureBuilt();
    [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
    ({ oracle, consumer } = await deployOracleFixture(chain, [address]));
    port = await getFreePort();
    const keyFile = path.join(ws.dir, "provider.key");
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    configFile = path.join(ws.dir, "provider.yaml");
    writeFileSync(
      configFile,
      [
        `rpcUrl: ${chain.node.url}`,
        "chainId: 31337",
        `oracleAddress: "${oracle}"`,
        "workspace: ws",
        "pollIntervalMs: 100",
        "key:",
        "  file: provider.key",
        "http:",
        `  port: ${port}`,
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await chain?.node.stop();
    ws?.close();
  });

  test("provider: every one of 200 requests is answered exactly once across a kill -9 and a restart", async () => {
    child = spawnProvider();
    await healthy();
    const requests = Array.from({ length: 200 }, (_, i) =>
      requestBytes(ws.datasetId, ws.alias, `SELECT ${i} AS i, sum(value) AS s FROM temps`),
    );
    const sending = sendRequests(chain, consumer, requests);
    // Kill it while it is answering the burst.
    await waitFor(async () => (await answerLogs(chain, oracle)).length >= 20, 60_000, "first answers");
    child.kill("SIGKILL");
    await new Promise((resolve) => child?.once("exit", resolve));
    const ids = await sending;
    expect(ids).toHaveLength(200);
    const before = (await answerLogs(chain, oracle)).length;
    expect(before).toBeLessThan(200);

    child = spawnProvider();
    await healthy();
    const answers = await waitForAnswers(chain, oracle, ids, 120_000);
    for (const id of ids) expect(answers.get(id), `request ${id}`).toHaveLength(1);
    // Answers that queue up behind each other share `provideSignedResults` transactions.
    const transactions = new Set((await answerLogs(chain, oracle)).map((a) => a.transactionHash));
    expect(transactions.size).toBeLessThan(200);

    // The running node reports its status; once it has seen every answer, stop it gracefully (SIGTERM).
    await waitFor(
      async () => {
        const running = await runCli("provider", "status", "--config", configFile, "--format", "json");
        const parsed = JSON.parse(running.stdout) as { source: string; requests: { answered?: number } };
        return parsed.source === "node" && parsed.requests.answered === 200;
      },
      30_000,
      "status: 200 answered",
    );
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child?.once("exit", resolve));
    expect(code).toBe(0);
    expect(await answerLogs(chain, oracle)).toHaveLength(200);
    const status = await runCli("provider", "status", "--config", configFile, "--format", "json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ source: "journal", backlog: 0, requests: { answered: 200 } });
  });
});
