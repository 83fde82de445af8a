import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Address, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkResponse } from "../../src/dispute/checkResponse";
import { openReplayer, type Replayer } from "../../src/dispute/openReplayer";
import { createWatchtower } from "../../src/dispute/watchtower";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { appendData } from "../../src/odf/workspace/appendData";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { encodeResponse } from "../../src/oracle/codec/encodeResponse";
import type { DatasetId } from "../../src/oracle/codec/types";
import { defaultOracleConfig } from "../../src/oracle/contracts/deployOracle";
import { startChain, type TestChain } from "../contracts/fixture";
import { runCli } from "../harness/cli";
import { createTestWorkspace, requestBytes, sendRequests } from "../oracle/providerFixture";
import { answerFromWorkspace, copyWorkspace, provide } from "./fixture";

const SQL = 'SELECT station, value FROM temps ORDER BY "offset"';
const STRANGER = `did:odf:fed01${"bb".repeat(32)}` as DatasetId;

// A dishonest provider must not escape disputes with answers a replay can refute from the request
// and the datasets alone.
describe("answers a dishonest provider makes up", () => {
  let chain: TestChain;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let checkerDir: string;
  let oracle: Address;
  let consumer: Address;
  let replayer: Replayer;

  beforeAll(async () => {
    [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
    checkerDir = copyWorkspace(ws.workspaceDir);
    const owner = chain.wallets[0]!;
    oracle = await chain.deploy(owner, "OdfOracle", [
      owner.account.address,
      owner.account.address,
      { ...defaultOracleConfig, minStake: parseEther("1"), slashAmount: parseEther("1"), disputeBond: 1000n },
    ]);
    await chain.send(owner, oracle, "addProvider", [chain.wallets[3]!.account.address]);
    await chain.send(chain.wallets[3]!, oracle, "depositStake", [], { value: parseEther("2") });
    consumer = await chain.deploy(owner, "TestConsumer", [oracle]);
    replayer = await openReplayer(checkerDir);
  });
  afterAll(async () => {
    await replayer?.close();
    await chain?.node.stop();
    ws?.close();
  });

  const cli = (...args: string[]) =>
    runCli("-w", checkerDir, "dispute", ...args, "--oracle", oracle, "--rpc", chain.node.url);

  /** Sends `sql` and answers it with `response` from the dishonest provider (wallet 3). */
  async function answered(sql: string, response: (honest: Uint8Array) => Uint8Array): Promise<bigint> {
    const request = requestBytes(ws.datasetId, ws.alias, sql);
    const [id] = await sendRequests(chain, consumer, [request]);
    await provide(chain, chain.wallets[3]!, oracle, id!, response(await answerFromWorkspace(checkerDir, request)));
    return id!;
  }

  test("dispute check: a state naming a dataset the request never named is a MISMATCH; the watchtower disputes it", async () => {
    const cursorFile = path.join(mkdtempSync(path.join(tmpdir(), "odf-tower-")), "cursor.json");
    const tower = createWatchtower({
      client: chain.publicClient,
      oracle,
      replay: replayer,
      wallet: chain.wallets[4]!,
      cursorFile,
    });
    await tower.poll();
    const id = await answered(SQL, (honest) => {
      const ok = decodeResponse(honest);
      if (!ok.ok) throw new Error("the honest answer is an error");
      return encodeResponse({ ...ok, state: [...ok.state, { datasetId: STRANGER, blockHash: ws.head }] });
    });
    const res = await cli("check", `${id}`);
    expect(res.stdout.split("\n")[0]).toBe(
      `MISMATCH request ${id}: the answer's state names dataset ${STRANGER}, which the request does not name: answered a state naming ${STRANGER}, replay gives a state over ${ws.datasetId}`,
    );
    expect(res.code).toBe(1);
    const [checked] = await tower.poll();
    expect(checked).toMatchObject({ requestId: id, verdict: { verdict: "MISMATCH" } });
    expect(checked?.disputeTx).toMatch(/^0x/);
    expect(await chain.read<number>(oracle, "requestStatus", [id])).toBe(3); // Disputed
  });

  test("dispute check: a made-up error answer is a MISMATCH when the replay succeeds within the provider limits", async () => {
    const timedOut = encodeResponse({ ok: false, errorMessage: "Query timed out" });
    const id = await answered(SQL, () => timedOut);
    const res = await cli("check", `${id}`);
    expect(res.stdout.split("\n")[0]).toBe(
      `MISMATCH request ${id}: an error answer to a request the replay answers at the local versions current when it was answered within 1000 rows, 65536 bytes and 10000 ms: answered error "Query timed out", replay gives success with 5 rows`,
    );
    expect(res.code).toBe(1);

    // 5^5 = 3125 rows: over the default limit of 1000 rows, so a provider's row-limit error may be honest.
    const big = "SELECT a.value FROM temps a, temps b, temps c, temps d, temps e";
    const limited = await answered(big, () =>
      encodeResponse({ ok: false, errorMessage: "Result has more than 500 rows" }),
    );
    const verdict = await checkResponse(replayer, { client: chain.publicClient, oracle, requestId: limited });
    expect(verdict).toMatchObject({ verdict: "CANNOT_REPLAY" });
    expect((verdict as { reason: string }).reason).toMatch(
      /^an error answer records no dataset versions \("Result has more than 500 rows"\); at the local versions current when it was answered the replay gives 3125 rows \(\d+ bytes, \d+ ms\), beyond the limits every provider answers within$/,
    );
  });

  test("dispute check: a made-up block is CANNOT-REPLAY, saying whether the local copy is newer than the answer", async () => {
    const made = `f1620${"cd".repeat(32)}`;
    const id = await answered(SQL, (honest) => {
      const ok = decodeResponse(honest);
      if (!ok.ok) throw new Error("the honest answer is an error");
      return encodeResponse({ ...ok, state: [{ datasetId: ws.datasetId, blockHash: made }] });
    });
    const older = await cli("check", `${id}`);
    expect(older.code).toBe(2);
    expect(older.stdout.split("\n")[0]).toMatch(
      new RegExp(
        `^CANNOT-REPLAY request ${id}: block ${made} of dataset ${ws.datasetId} is not in the local copy, whose head ${ws.head} \\(\\S+\\) is older than the answer \\(\\S+\\): pull it first; if the copy is up to date, the block is in no history it holds and the arbiter decides$`,
      ),
    );
    // The dataset moves on after the answer (hardhat's clock runs ahead of ours: one second per
    // block): the block should now be in the local copy, and is not.
    const { answer } = await checkResponse(replayer, { client: chain.publicClient, oracle, requestId: id });
    const local = await openWorkspace(checkerDir, { fsync: false });
    const temps = await local.open(ws.alias);
    const db = await openDuckDb();
    await appendData(temps, {
      connection: db.connection,
      source: "SELECT TIMESTAMPTZ '2024-01-02 00:00:00+00' AS event_time, 'st9' AS station, 9.5::DOUBLE AS value",
      systemTime: new Date(answer.answeredAt.getTime() + 1000).toISOString(),
    });
    db.close();
    const head = (await temps.chain.head()) as string;
    const newer = await cli("check", `${id}`);
    expect(newer.code).toBe(2);
    expect(newer.stdout.split("\n")[0]).toMatch(
      new RegExp(
        `^CANNOT-REPLAY request ${id}: block ${made} of dataset ${ws.datasetId} is not in the local copy, although its head ${head} \\(\\S+\\) is newer than the answer \\(\\S+\\): a block this history lacks \\(made up, or a fork\\); the arbiter decides \\(dispute resolve --upheld --force\\)$`,
      ),
    );
  });
});
