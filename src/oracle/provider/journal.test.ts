import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Hex } from "viem";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createJournal, type RequestRecord, type TxRecord } from "./journal";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "odf-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = (id: number): RequestRecord => ({
  requestId: BigInt(id),
  consumer: "0x00000000000000000000000000000000000000c0",
  request: `0x${"ab".repeat(40)}`,
  blockNumber: BigInt(100 + id),
  blockHash: `0x${id.toString(16).padStart(64, "0")}`,
  txHash: `0x${(id + 1).toString(16).padStart(64, "0")}`,
  logIndex: id % 3,
  status: "pending",
  reason: null,
  seenAt: 1_700_000_000_000 + id,
  answeredAt: null,
  answerBlock: null,
  answeredBy: null,
  response: null,
  requestError: null,
  commitment: null,
  nonce: null,
});

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
