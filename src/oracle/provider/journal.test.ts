import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Hex } from "viem";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ChainResetError, JournalError } from "./errors";
import { createJournal, newRequestRecord, type RequestRecord, type TxRecord } from "./journal";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "odf-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = (id: number): RequestRecord =>
  newRequestRecord(
    {
      requestId: BigInt(id),
      consumer: "0x00000000000000000000000000000000000000c0",
      request: `0x${"ab".repeat(40)}`,
      blockNumber: BigInt(100 + id),
      blockHash: `0x${id.toString(16).padStart(64, "0")}`,
      txHash: `0x${(id + 1).toString(16).padStart(64, "0")}`,
      logIndex: id % 3,
    },
    1_700_000_000_000 + id,
  );

const tx = (nonce: number, requestIds: bigint[]): TxRecord => ({
  nonce,
  requestIds,
  to: "0x00000000000000000000000000000000000000aa",
  data: "0x1234",
  gas: 300_000n,
  maxFeePerGas: 3_000_000_000n,
  maxPriorityFeePerGas: 1_000_000_000n,
  raw: "0xf00d",
  hash: `0x${nonce.toString(16).padStart(64, "e")}` as Hex,
  hashes: [`0x${nonce.toString(16).padStart(64, "e")}` as Hex],
  status: "signed",
  sentAt: 0,
});

test("journal: a burst of writes in one commit group lands whole, the last write of a row winning", async () => {
  const file = path.join(dir, "journal.duckdb");
  const journal = await createJournal({ path: file });
  // Issued together: puts, updates of the same rows, and two intents (batch transactions).
  await Promise.all([
    ...Array.from({ length: 300 }, (_, i) => journal.put(request(i + 1))),
    ...Array.from({ length: 300 }, (_, i) => journal.update(BigInt(i + 1), { status: "waiting", reason: `r${i}` })),
  ]);
  await Promise.all([
    journal.recordIntent(tx(0, [1n, 2n, 3n]), [
      { requestId: 1n, response: "0x01", requestError: false, reason: null, commitment: "{}" },
      { requestId: 2n, response: "0x02", requestError: true, reason: "bad", commitment: null },
      { requestId: 3n, response: "0x03", requestError: false, reason: null, commitment: null },
    ]),
    journal.recordIntent(tx(1, [4n]), [
      { requestId: 4n, response: "0x04", requestError: false, reason: null, commitment: null },
    ]),
    journal.update(300n, { status: "answered", answeredAt: 5, answerBlock: 9n }),
  ]);
  await journal.putTx({ ...tx(0, [1n, 2n, 3n]), status: "mined" });
  await journal.close();

  const reopened = await createJournal({ path: file });
  try {
    expect(await reopened.countByStatus()).toEqual({ sending: 4, waiting: 295, answered: 1 });
    expect(await reopened.get(2n)).toEqual({
      ...request(2),
      status: "sending",
      reason: "bad",
      nonce: 0,
      response: "0x02",
      requestError: true,
    });
    expect(await reopened.get(300n)).toMatchObject({
      status: "answered",
      answeredAt: 5,
      answerBlock: 9n,
      reason: "r299",
    });
    expect(await reopened.get(150n)).toEqual({ ...request(150), status: "waiting", reason: "r149" });
    expect((await reopened.listOpenTxs()).map((t) => [t.nonce, t.requestIds])).toEqual([[1, [4n]]]);
    expect((await reopened.listTxsFrom(0)).map((t) => [t.nonce, t.status, t.requestIds])).toEqual([
      [0, "mined", [1n, 2n, 3n]],
      [1, "signed", [4n]],
    ]);
    expect(await reopened.maxNonce()).toBe(1);
  } finally {
    await reopened.close();
  }
});

test("journal: a journal written before batches (no request_ids column) opens with each transaction's request", async () => {
  const file = path.join(dir, "old.duckdb");
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE txs (
    nonce BIGINT PRIMARY KEY, request_id UBIGINT, to_addr VARCHAR NOT NULL, data VARCHAR NOT NULL, gas VARCHAR NOT NULL,
    max_fee VARCHAR NOT NULL, max_priority_fee VARCHAR NOT NULL, raw VARCHAR NOT NULL, hash VARCHAR NOT NULL,
    hashes VARCHAR NOT NULL, status VARCHAR NOT NULL, sent_at BIGINT NOT NULL)`);
  await connection.run(
    "INSERT INTO txs VALUES (7, 42, '0xaa', '0x12', '21000', '1', '1', '0xf0', '0xh', '0xh', 'sent', 0), (8, NULL, '0xaa', '0x', '21000', '1', '1', '0xf1', '0xi', '0xi', 'signed', 0)",
  );
  connection.closeSync();
  instance.closeSync();

  const journal = await createJournal({ path: file });
  try {
    expect((await journal.listOpenTxs()).map((t) => [t.nonce, t.requestIds])).toEqual([
      [7, [42n]],
      [8, []],
    ]);
    await journal.putTx(tx(9, [5n, 6n]));
    expect((await journal.listTxsFrom(9)).map((t) => t.requestIds)).toEqual([[5n, 6n]]);
  } finally {
    await journal.close();
  }
});

test("journal: finished requests below the re-scan window leave memory but stay readable, counted and revivable", async () => {
  const file = path.join(dir, "settle.duckdb");
  const journal = await createJournal({ path: file, recentBlocks: 10 });
  // Requests 1..20 at blocks 101..120; 1..15 answered at their block + 1, 16 failed, 17..20 pending.
  for (let i = 1; i <= 20; i += 1) await journal.put(request(i));
  for (let i = 1; i <= 15; i += 1) {
    await journal.update(BigInt(i), {
      status: "answered",
      answerBlock: BigInt(101 + i),
      answeredAt: 1000 + i,
      response: `0x0${i % 10}`,
      commitment: `{"n":${i}}`,
    });
  }
  await journal.update(16n, { status: "failed", reason: "refused" });
  const counts = { answered: 15, failed: 1, pending: 4 };
  expect(await journal.countByStatus()).toEqual(counts);

  // Below block 110: requests 1..8 (request and answer logs both before 110) settle.
  expect(journal.settle(110n)).toBe(8);
  expect(journal.settle(110n)).toBe(0);
  expect(await journal.countByStatus()).toEqual(counts);
  expect((await journal.listFromBlock(0n)).map((r) => r.requestId)).toEqual(
    Array.from({ length: 12 }, (_, i) => BigInt(i + 9)),
  );
  expect((await journal.listAnsweredFrom(0n)).map((r) => r.requestId)[0]).toBe(9n);
  expect(await journal.get(3n)).toEqual({
    ...request(3),
    status: "answered",
    answerBlock: 104n,
    answeredAt: 1003,
    response: "0x03",
    commitment: '{"n":3}',
  });
  expect(await journal.get(999n)).toBeUndefined();
  expect((await journal.lastAnswers(2)).map((r) => r.requestId)).toEqual([15n, 14n]);

  // A reorg reaching back revives a settled request.
  await journal.update(2n, { status: "pending", answerBlock: null, answeredAt: null });
  expect(await journal.countByStatus()).toEqual({ answered: 14, failed: 1, pending: 5 });
  expect((await journal.listByStatus(["pending"])).map((r) => r.requestId)).toEqual([2n, 17n, 18n, 19n, 20n]);
  await journal.setCursor({ blockNumber: 125n, blockHash: `0x${"cd".repeat(32)}` });
  await journal.close();

  // Reopened with the cursor at 125 and 10 recent blocks: finished requests below 115 stay on disk.
  const reopened = await createJournal({ path: file, recentBlocks: 10 });
  try {
    expect(await reopened.countByStatus()).toEqual({ answered: 14, failed: 1, pending: 5 });
    expect((await reopened.listFromBlock(0n)).map((r) => r.requestId)).toEqual([2n, 14n, 15n, 16n, 17n, 18n, 19n, 20n]);
    expect((await reopened.get(5n))?.commitment).toBe('{"n":5}');
    await reopened.put({ ...request(5), blockHash: `0x${"ef".repeat(32)}` });
    expect(await reopened.countByStatus()).toEqual({ answered: 13, failed: 1, pending: 6 });
  } finally {
    await reopened.close();
  }
});

test("journal: bound to a chain and oracle; another genesis block (a reset chain) or oracle is refused with the file to remove", async () => {
  const file = path.join(dir, "journal.duckdb");
  const oracle = "0x00000000000000000000000000000000000000aa";
  const genesis = `0x${"01".repeat(32)}` as Hex;
  const journal = await createJournal({ path: file });
  try {
    await journal.bind({ chainId: 31337, oracle, genesisHash: genesis });
    await journal.bind({ chainId: 31337, oracle, genesisHash: genesis });
    const reset = await journal.bind({ chainId: 31337, oracle, genesisHash: `0x${"02".repeat(32)}` }).catch((e) => e);
    expect(reset).toBeInstanceOf(ChainResetError);
    expect(reset.message).toBe(
      `Provider journal: ${file} was written on chain 31337 with genesis block 0x${"01".repeat(32)}, but the chain now has genesis block 0x${"02".repeat(32)} (the chain was reset)`,
    );
    expect(reset.hints).toEqual([
      `Remove ${file} to start a fresh journal on the new chain (the old chain's requests and transactions are gone with it), or use another workspace.`,
    ]);
    const other = await journal
      .bind({ chainId: 31337, oracle: "0x00000000000000000000000000000000000000bb", genesisHash: genesis })
      .catch((e) => e);
    expect(other).toBeInstanceOf(JournalError);
    expect(other.message).toBe(
      `Provider journal: ${file} belongs to oracle 0x00000000000000000000000000000000000000aa, not 0x00000000000000000000000000000000000000bb`,
    );
    expect(other.hints).toEqual([
      `Use another workspace to serve another chain or oracle, or remove ${file} to start a fresh journal.`,
    ]);
  } finally {
    await journal.close();
  }
});
