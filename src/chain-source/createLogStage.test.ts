import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AbiEvent, encodeAbiParameters, encodeEventTopics, type Hex, parseAbiItem } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type DuckDb, openDuckDb } from "../engines/duckdb/openDuckDb";
import { writeDataSlice } from "../odf/data/writeDataSlice";
import { flatEventFields } from "./abiColumns";
import { compileEventDecoder } from "./compileEventDecoder";
import { createLogStage } from "./createLogStage";
import { encodeLogRows } from "./encodeLogRows";
import type { RpcLog } from "./getLogs";

let db: DuckDb;
let dir: string;
beforeAll(async () => {
  db = await openDuckDb({ threads: 2 });
  dir = await mkdtemp(path.join(tmpdir(), "odf-log-stage-"));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const FLAT = parseAbiItem(
  "event Flat(bool indexed flag, address indexed who, bytes indexed blob, bool b, address a, bytes1 b1, bytes7 b7, bytes dyn, uint8 u8, int64 i64, uint96 u96, int120 i120, uint256 u256, int256 i256)",
) as AbiEvent;

const BLOB = parseAbiItem("event Blob(uint256 indexed id, bytes payload)") as AbiEvent;

function blobLog(i: number, payloadBytes: number): RpcLog {
  const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, "0")}` as Hex;
  return {
    address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    blockHash: hex(2000 + i, 64),
    blockNumber: hex(20 + i, 1),
    data: encodeAbiParameters([{ type: "bytes" }], [`0x${"ab".repeat(payloadBytes)}`]),
    logIndex: "0x0",
    transactionHash: hex(7000 + i, 64),
    transactionIndex: "0x0",
    topics: encodeEventTopics({ abi: [BLOB], eventName: "Blob", args: { id: BigInt(i) } }) as Hex[],
  };
}

function encodeBlobs(logs: RpcLog[], firstRow: number) {
  const timestamps = new Map(
    logs.map((l) => [l.blockHash as string, 1_700_000_000 + Number.parseInt(l.blockNumber, 16)]),
  );
  return encodeLogRows({ logs, timestamps, decoder: compileEventDecoder(BLOB), onMismatch: "fail", firstRow });
}

function logOf(i: number, values: readonly unknown[]): RpcLog {
  const [flag, who, blob, ...body] = values;
  const topics = encodeEventTopics({ abi: [FLAT], eventName: "Flat", args: { flag, who, blob } as never }) as Hex[];
  const data = encodeAbiParameters(
    FLAT.inputs.filter((p) => !p.indexed),
    body,
  );
  const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, "0")}` as Hex;
  return {
    address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    blockHash: hex(1000 + Math.floor(i / 3), 64),
    blockNumber: hex(10 + Math.floor(i / 3), 1),
    data,
    logIndex: hex(i % 3, 1),
    transactionHash: hex(5000 + i, 64),
    transactionIndex: "0x0",
    topics,
  };
}

test("createLogStage: a flat event staged as columns equals the same logs staged as JSON, value for value", async () => {
  expect(flatEventFields(FLAT)?.map((f) => f.name)).toEqual([
    "flag",
    "who",
    "blob",
    "b",
    "a",
    "b1",
    "b7",
    "dyn",
    "u8",
    "i64",
    "u96",
    "i120",
    "u256",
    "i256",
  ]);
  const extremes = [
    [
      true,
      `0x${"11".repeat(20)}`,
      "0x",
      false,
      `0x${"ab".repeat(20)}`,
      "0x00",
      "0xffffffffffffff",
      "0x",
      0,
      -(2n ** 63n),
      0n,
      -(2n ** 119n),
      2n ** 256n - 1n,
      -(2n ** 255n),
    ],
    [
      false,
      `0x${"00".repeat(20)}`,
      "0x0102",
      true,
      `0x${"00".repeat(20)}`,
      "0x7f",
      "0x01020304050607",
      "0xdeadbeef",
      255,
      2n ** 63n - 1n,
      2n ** 96n - 1n,
      2n ** 119n - 1n,
      0n,
      2n ** 255n - 1n,
    ],
  ];
  const logs = Array.from({ length: 60 }, (_, i) =>
    logOf(
      i,
      i < extremes.length
        ? (extremes[i] as unknown[])
        : [
            i % 2 === 0,
            `0x${(i + 1).toString(16).padStart(40, "0")}`,
            `0x${"aa".repeat(i % 5)}`,
            i % 3 === 0,
            `0x${i.toString(16).padStart(40, "0")}`,
            `0x${(i % 256).toString(16).padStart(2, "0")}`,
            `0x${(i * 1_000_003).toString(16).padStart(14, "0")}`,
            `0x${"5a".repeat(i % 7)}`,
            i % 256,
            BigInt(-i * 1_000_000_007),
            2n ** 80n + BigInt(i),
            -(2n ** 100n) - BigInt(i),
            2n ** 200n * BigInt(i),
            -(3n ** 150n) * BigInt(i),
          ],
    ),
  );
  const timestamps = new Map(logs.map((l) => [l.blockHash, 1_700_000_000 + Number.parseInt(l.blockNumber, 16)]));
  const decoder = compileEventDecoder(FLAT);
  expect(decoder.flat).toBe(true);

  const flat = await createLogStage({ connection: db.connection, event: FLAT, tempDir: dir });
  await flat.insertRows(encodeLogRows({ logs, timestamps, decoder, onMismatch: "fail" }));
  await flat.load();
  const json = await createLogStage({ connection: db.connection, event: FLAT, tempDir: dir, forceJson: true });
  const asJson = { ...decoder, flat: false };
  await json.insertRows(encodeLogRows({ logs, timestamps, decoder: asJson, onMismatch: "fail" }));
  await json.load();
  expect(flat.rowCount()).toBe(60);
  expect(json.rowCount()).toBe(60);

  const rows = async (sql: string) => (await db.connection.runAndReadAll(sql)).getRowsJS();
  const count = `SELECT count(*)::INTEGER FROM (SELECT * FROM ${flat.sourceSql} EXCEPT ALL SELECT * FROM ${json.sourceSql})`;
  const reverse = `SELECT count(*)::INTEGER FROM (SELECT * FROM ${json.sourceSql} EXCEPT ALL SELECT * FROM ${flat.sourceSql})`;
  expect(await rows(count)).toEqual([[0]]);
  expect(await rows(reverse)).toEqual([[0]]);
  expect(
    await rows(
      `SELECT typeof(event), octet_length(event.dyn), octet_length(event.blob), event.u256, event.i120::VARCHAR, event.i64::VARCHAR, hex(event.b7) FROM ${flat.sourceSql} ORDER BY log_index, block_number LIMIT 1`,
    ),
  ).toEqual([
    [
      "STRUCT(flag BOOLEAN, who BLOB, blob BLOB, b BOOLEAN, a BLOB, b1 BLOB, b7 BLOB, dyn BLOB, u8 UTINYINT, i64 BIGINT, u96 DECIMAL(38,0), i120 DECIMAL(38,0), u256 VARCHAR, i256 VARCHAR)",
      0n,
      32n,
      (2n ** 256n - 1n).toString(),
      (-(2n ** 119n)).toString(),
      (-(2n ** 63n)).toString(),
      "FFFFFFFFFFFFFF",
    ],
  ]);
  await flat.drop();
  await json.drop();
});

test("createLogStage: rows added in several parts load in order, a 3 MB row included; clear discards unloaded rows", async () => {
  const stage = await createLogStage({ connection: db.connection, event: BLOB, tempDir: dir });
  const big = encodeBlobs([blobLog(2, 1_500_000)], 2);
  expect(big.longestRow).toBeGreaterThan(3_000_000); // over read_csv's 2 MB default line limit
  await stage.insertRows(encodeBlobs([blobLog(0, 4), blobLog(1, 0)], 0));
  await expect(stage.insertRows(encodeBlobs([blobLog(3, 1)], 0))).rejects.toThrow(/numbered from 0 added after 2/);
  await stage.insertRows(big);
  await stage.insertRows(encodeBlobs([blobLog(3, 33)], 3));
  expect(stage.rowCount()).toBe(4);
  await expect(stage.insertRetractions(["/nonexistent.parquet"], 0)).rejects.toThrow(/before any row/);
  await stage.load();
  const read = async () =>
    (
      await db.connection.runAndReadAll(
        `SELECT block_number::INTEGER, event.id, octet_length(event.payload)::INTEGER FROM ${stage.sourceSql} ORDER BY rowid`,
      )
    ).getRowsJS();
  expect(await read()).toEqual([
    [20, "0", 4],
    [21, "1", 0],
    [22, "2", 1_500_000],
    [23, "3", 33],
  ]);

  // Rows added after a load come after the loaded ones; clearing drops loaded and pending rows alike.
  await stage.insertRows(encodeBlobs([blobLog(4, 1)], 4));
  await stage.load();
  expect((await read()).map((r) => r[0])).toEqual([20, 21, 22, 23, 24]);
  await stage.insertRows(encodeBlobs([blobLog(5, 1)], 5));
  await stage.clear();
  expect(stage.rowCount()).toBe(0);
  await stage.load();
  expect(await read()).toEqual([]);
  await stage.drop();
});

test("createLogStage: a slice written straight from the staged files equals the one written from the table, byte for byte", async () => {
  const logs = Array.from({ length: 9 }, (_, i) => blobLog(i, (i * 37) % 70));
  const write = async (direct: boolean) => {
    const stage = await createLogStage({ connection: db.connection, event: BLOB, tempDir: dir });
    await stage.insertRows(encodeBlobs(logs.slice(0, 4), 0));
    await stage.insertRows(encodeBlobs(logs.slice(4), 4));
    if (!direct) await stage.load();
    const source = await stage.sliceSource();
    expect(source.rowIndex === undefined).toBe(!direct);
    const written = await writeDataSlice(db.connection, {
      ...source,
      startOffset: 100,
      systemTime: "2026-11-22T00:00:00Z",
      outputDir: dir,
    });
    await stage.drop();
    return { slice: written?.slice, bytes: await readFile(written?.path as string) };
  };
  const fromFiles = await write(true);
  const fromTable = await write(false);
  expect(fromFiles.slice).toEqual(fromTable.slice);
  expect(fromFiles.slice?.offsetInterval).toEqual({ start: 100, end: 108 });
  expect(fromFiles.bytes.equals(fromTable.bytes)).toBe(true);
});
