import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Address, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkResponse } from "../../src/dispute/checkResponse";
import { openReplayer, type Replayer } from "../../src/dispute/openReplayer";
import { submitDispute } from "../../src/dispute/submitDispute";
import { createWatchtower } from "../../src/dispute/watchtower";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { appendData } from "../../src/odf/workspace/appendData";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import type { DatasetId } from "../../src/oracle/codec/types";
import { defaultOracleConfig } from "../../src/oracle/contracts/deployOracle";
import type { ProviderNode } from "../../src/oracle/provider/startProviderNode";
import { startChain, type TestChain } from "../contracts/fixture";
import { runCli } from "../harness/cli";
import { getFreePort } from "../harness/hardhatNode";
import {
  createTestWorkspace,
  hardhatKey,
  requestBytes,
  sendRequests,
  startTestProvider,
  waitFor,
  waitForAnswers,
} from "../oracle/providerFixture";
import { answerFromWorkspace, copyWorkspace, provide, tamperDataset } from "./fixture";

const SQL = 'SELECT station, value FROM temps ORDER BY "offset"';

describe("disputes by replay against a hardhat node", () => {
  let chain: TestChain;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let checkerDir: string;
  let tamperedDir: string;
  let oracle: Address;
  let consumer: Address;
  let node: ProviderNode | undefined;
  let replayer: Replayer;
  const honestKey = hardhatKey(1);
  const stake = parseEther("2");
  const slash = parseEther("1");
  const bond = parseEther("0.1");

  beforeAll(async () => {
    [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
    checkerDir = copyWorkspace(ws.workspaceDir);
    tamperedDir = copyWorkspace(ws.workspaceDir);
    await tamperDataset(tamperedDir, ws.alias, "value", "value + 100");
    const owner = chain.wallets[0]!;
    oracle = await chain.deploy(owner, "OdfOracle", [
      owner.account.address,
      owner.account.address,
      { ...defaultOracleConfig, minStake: parseEther("1"), slashAmount: slash, disputeBond: bond },
    ]);
    for (const i of [1, 3]) {
      await chain.send(owner, oracle, "addProvider", [chain.wallets[i]!.account.address]);
      await chain.send(chain.wallets[i]!, oracle, "depositStake", [], { value: stake });
    }
    consumer = await chain.deploy(owner, "TestConsumer", [oracle]);
    replayer = await openReplayer(checkerDir);
  });
  afterAll(async () => {
    await node?.stop();
    await replayer?.close();
    await chain?.node.stop();
    ws?.close();
  });

  const cli = (...args: string[]) =>
    runCli("-w", checkerDir, "dispute", ...args, "--oracle", oracle, "--rpc", chain.node.url);

  test("dispute check: MATCH for a real provider's answer, CANNOT-REPLAY for a block or dataset the checker lacks", async () => {
    node = await startTestProvider({ rpcUrl: chain.node.url, oracle, workspaceDir: ws.workspaceDir, key: honestKey });
    const [matching] = await sendRequests(chain, consumer, [requestBytes(ws.datasetId, ws.alias, SQL)]);
    await waitForAnswers(chain, oracle, [matching!]);
    const checked = await checkResponse(replayer, { client: chain.publicClient, oracle, requestId: matching! });
    expect(checked.verdict).toBe("MATCH");
    expect(checked.answer.provider).toBe(chain.wallets[1]!.account.address);
    const viaCli = await cli("check", `${matching}`);
    expect(viaCli.stdout).toContain(`MATCH request ${matching}: the answer replays byte for byte`);
    expect(viaCli.code).toBe(0);

    // The provider moves on: a new block of `temps` and a dataset the checker never pulled.
    const providerWs = await openWorkspace(ws.workspaceDir, { fsync: false });
    const temps = await providerWs.open(ws.alias);
    const extra = await providerWs.create({ alias: "extra", kind: "Root" });
    const db = await openDuckDb();
    for (const dataset of [temps, extra]) {
      await appendData(dataset, {
        connection: db.connection,
        source: "SELECT TIMESTAMPTZ '2024-01-02 00:00:00+00' AS event_time, 'st9' AS station, 9.5::DOUBLE AS value",
      });
    }
    db.close();
    const newHead = (await temps.chain.head()) as string;
    const [behind, missing] = await sendRequests(chain, consumer, [
      requestBytes(ws.datasetId, ws.alias, SQL),
      requestBytes(extra.id as DatasetId, "extra", "SELECT value FROM extra"),
    ]);
    await waitForAnswers(chain, oracle, [behind!, missing!]);
    expect(await checkResponse(replayer, { client: chain.publicClient, oracle, requestId: behind! })).toMatchObject({
      verdict: "CANNOT_REPLAY",
      datasetId: ws.datasetId,
      blockHash: newHead,
    });
    expect(await checkResponse(replayer, { client: chain.publicClient, oracle, requestId: missing! })).toMatchObject({
      verdict: "CANNOT_REPLAY",
      datasetId: extra.id,
    });
    const unreplayable = await cli("check", `${behind}`);
    expect(unreplayable.code).toBe(2);
    expect(unreplayable.stdout).toContain(
      `CANNOT-REPLAY request ${behind}: block ${newHead} of dataset ${ws.datasetId}`,
    );
    await node.stop();
    node = undefined;
  });

  test("dispute check: MISMATCH names the first differing row and both values; --submit opens the dispute", async () => {
    const request = requestBytes(ws.datasetId, ws.alias, SQL);
    const [id] = await sendRequests(chain, consumer, [request]);
    await provide(chain, chain.wallets[3]!, oracle, id!, await answerFromWorkspace(tamperedDir, request));
    expect(await checkResponse(replayer, { client: chain.publicClient, oracle, requestId: id! })).toMatchObject({
      verdict: "MISMATCH",
      row: 0,
      column: 1,
      actual: "100",
      expected: "0",
    });
    const res = await cli("check", `${id}`, "--submit");
    // Without a disputer key nothing is submitted: the check fails (exit 3), naming what is missing.
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain("odf: no key: set ODF_DISPUTER_KEY or pass --key-file");
    expect(res.code).toBe(3);
    process.env.ODF_DISPUTER_KEY = hardhatKey(4);
    try {
      const submitted = await cli("check", `${id}`, "--submit");
      expect(submitted.stdout).toContain(`MISMATCH request ${id}: row 0, column 1: answered 100, replay gives 0`);
      expect(submitted.stdout).toContain("dispute opened: 0x");
      expect(submitted.code).toBe(1);
    } finally {
      delete process.env.ODF_DISPUTER_KEY;
    }
    expect(await chain.read<number>(oracle, "requestStatus", [id])).toBe(3); // Disputed
  });

  test("dispute check: an error answer matches when the replay gives the same error; --format json", async () => {
    const request = requestBytes(ws.datasetId, ws.alias, "SELEC nothing FROM temps");
    const [id] = await sendRequests(chain, consumer, [request]);
    await provide(chain, chain.wallets[1]!, oracle, id!, await answerFromWorkspace(checkerDir, request));
    const res = await cli("check", `${id}`, "--format", "json");
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      requestId: `${id}`,
      provider: chain.wallets[1]!.account.address,
      verdict: "MATCH",
    });
    const bad = await cli("check", "not-a-number");
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe("odf: <requestId>: expected a request id (a decimal integer)\n");
    const unanswered = await cli("check", "999");
    expect(unanswered.code).toBe(3);
    expect(unanswered.stderr).toContain("odf: Request 999 not found at oracle");
  });

  test("watchtower: disputes a wrong answer, ignores right ones, resumes from its cursor; the arbiter resolves", async () => {
    const cursorFile = path.join(mkdtempSync(path.join(tmpdir(), "odf-tower-")), "cursor.json");
    const tower = () =>
      createWatchtower({
        client: chain.publicClient,
        oracle,
        replay: replayer,
        wallet: chain.wallets[4]!,
        cursorFile,
      });
    const first = tower();
    expect(await first.poll()).toEqual([]); // starts at the head: earlier answers are not its business
    const request = requestBytes(ws.datasetId, ws.alias, "SELECT sum(value) AS total FROM temps");
    const [right, wrong] = await sendRequests(chain, consumer, [request, request]);
    await provide(chain, chain.wallets[1]!, oracle, right!, await answerFromWorkspace(checkerDir, request));
    await provide(chain, chain.wallets[3]!, oracle, wrong!, await answerFromWorkspace(tamperedDir, request));
    const checks = await first.poll();
    expect(checks.map((c) => [c.requestId, c.verdict.verdict, c.disputeTx !== undefined])).toEqual([
      [right, "MATCH", false],
      [wrong, "MISMATCH", true],
    ]);
    expect(checks[1]!.verdict).toMatchObject({ row: 0, column: 0, actual: "515", expected: "15" });
    expect(await chain.read<number>(oracle, "requestStatus", [right])).toBe(2); // Fulfilled
    expect(await chain.read<number>(oracle, "requestStatus", [wrong])).toBe(3); // Disputed
    const metrics = await first.metrics.registry.metrics();
    expect(metrics).toContain('odf_watchtower_checks_total{verdict="match"} 1');
    expect(metrics).toContain('odf_watchtower_checks_total{verdict="mismatch"} 1');
    expect(metrics).toContain("odf_watchtower_disputes_total 1");
    expect(await tower().poll()).toEqual([]); // a restart resumes after what was checked

    // The CLI watchtower, once from block 0 without disputing: every answer so far, then nothing new.
    const watched = await cli("watch", "--once", "--no-dispute", "--from-block", "0");
    expect(watched.code).toBe(0);
    const verdicts = watched.stdout.split("\n").filter((l) => /^(MATCH|MISMATCH|CANNOT-REPLAY) /.test(l));
    // Answers are reported in on-chain order, which for concurrent answers is either; compare by request id.
    const byRequest = (l: string) => Number(/request (\d+)/.exec(l)?.[1]);
    expect(verdicts.map((l) => l.split(":")[0] as string).sort((a, b) => byRequest(a) - byRequest(b))).toEqual([
      "MATCH request 1",
      "CANNOT-REPLAY request 2",
      "CANNOT-REPLAY request 3",
      "MISMATCH request 4",
      "MATCH request 5",
      "MATCH request 6",
      "MISMATCH request 7",
    ]);
    expect(watched.stdout).toContain("not disputed: no disputer wallet");
    expect((await cli("watch", "--once", "--no-dispute")).stdout).toBe("");

    // The arbiter: refuses to resolve against the replay unless forced.
    await submitDispute(chain.wallets[5]!, chain.publicClient, { oracle, requestId: right! });
    process.env.ODF_ARBITER_KEY = hardhatKey(0);
    try {
      const refused = await cli("resolve", `${right}`, "--upheld");
      expect(refused.stderr).toContain(
        `odf: refusing to resolve request ${right} as upheld: the replay matches the answer (pass --force to override)`,
      );
      expect(refused.code).toBe(3);
      const rejected = await cli("resolve", `${right}`, "--rejected");
      expect(rejected.stdout).toContain(`dispute rejected: request ${right} final`);
      const before = (await chain.read<{ stake: bigint }>(oracle, "getProvider", [chain.wallets[3]!.account.address]))
        .stake;
      const upheld = await cli("resolve", `${wrong}`, "--upheld");
      expect(upheld.stdout).toContain(`dispute upheld: request ${wrong} overturned`);
      expect(upheld.code).toBe(0);
      const after = (await chain.read<{ stake: bigint }>(oracle, "getProvider", [chain.wallets[3]!.account.address]))
        .stake;
      expect(before - after).toBe(slash);
      const again = await cli("resolve", `${wrong}`, "--upheld", "--force");
      expect(again.stderr).toContain(`odf: Request ${wrong} is Overturned, not Disputed\n`);
      expect(again.code).toBe(3); // a failure, not 1 (which `check` uses for MISMATCH)
    } finally {
      delete process.env.ODF_ARBITER_KEY;
    }
    expect(await chain.read<number>(oracle, "requestStatus", [right])).toBe(4); // Final
    expect(await chain.read<number>(oracle, "requestStatus", [wrong])).toBe(5); // Overturned
  });

  test("dispute watch: runs until SIGINT, serving Prometheus metrics of the checks", async () => {
    rmSync(path.join(checkerDir, "watchtower"), { recursive: true, force: true });
    const port = await getFreePort();
    const others = process.listeners("SIGINT").length;
    const running = cli(
      "watch",
      "--no-dispute",
      "--from-block",
      "0",
      "--poll-interval",
      "100",
      "--metrics-port",
      `${port}`,
    );
    const metrics = await waitFor(
      async () => {
        const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => "",
        );
        return /odf_watchtower_checks_total\{verdict="mismatch"\} 2/.test(text) ? text : undefined;
      },
      20_000,
      "watchtower metrics",
    );
    expect(metrics).toContain('odf_watchtower_checks_total{verdict="match"} 3');
    expect(metrics).toContain('odf_watchtower_checks_total{verdict="cannot_replay"} 2');
    expect(process.listeners("SIGINT")).toHaveLength(others + 1);
    process.emit("SIGINT");
    const res = await running;
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("odf dispute watch: stopped");
    expect(res.stdout).toContain("MISMATCH request 7: row 0, column 0: answered 515, replay gives 15");
    expect(process.listeners("SIGINT")).toHaveLength(others);
  });
});
