import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startChain, type TestChain } from "../contracts/fixture";
import { ensureBuilt, ROOT } from "../harness/buildCli";
import { getFreePort } from "../harness/hardhatNode";
import { createTestWorkspace, deployOracleFixture, hardhatKey, waitFor } from "./providerFixture";

let chain: TestChain;
let ws: Awaited<ReturnType<typeof createTestWorkspace>>;

beforeAll(async () => {
  ensureBuilt();
  [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
});
afterAll(async () => {
  await chain?.node.stop();
  ws?.close();
});

test("provider process: over a WebSocket RPC, exits within seconds of SIGTERM", async () => {
  const key = hardhatKey(1);
  const { oracle } = await deployOracleFixture(chain, [privateKeyToAccount(key).address]);
  const port = await getFreePort();
  writeFileSync(path.join(ws.dir, "provider.key"), `${key}\n`, { mode: 0o600 });
  const configFile = path.join(ws.dir, "provider.yaml");
  writeFileSync(
    configFile,
    [
      `rpcUrls: [${chain.node.url.replace(/^http/, "ws")}]`,
      "chainId: 31337",
      `oracleAddress: "${oracle}"`,
      "workspace: ws",
      "key:",
      "  file: provider.key",
      "http:",
      `  port: ${port}`,
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "odf"), "provider", "run", "--config", configFile], {
    cwd: ws.dir,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ODF_PROVIDER_LOG_LEVEL: "warn" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200,
      30_000,
      "provider health",
    );
    const stopAt = Date.now();
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 5000))]);
    expect(code, stderr).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(5000);
    expect(stderr).toContain("odf provider: stopped");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});
