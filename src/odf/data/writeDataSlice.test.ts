import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import vectors from "../../../test/vectors/logical-hash.json";
import { type DuckDb, openDuckDb } from "../../engines/duckdb/openDuckDb";
import { SliceReadError, SliceSourceError, SliceTimestampError } from "./errors";
import { logicalHash } from "./logicalHash";
import { markTimestampsUtc } from "./markTimestampsUtc";
import { physicalHash } from "./physicalHash";
import { readSliceStats } from "./readSliceStats";
import { type WriteDataSliceParameters, writeDataSlice } from "./writeDataSlice";

let db: DuckDb;
let dir: string;
beforeAll(async () => {
  db = await openDuckDb();
  dir = await mkdtemp(join(tmpdir(), "odf-slice-"));
  await db.connection.run(`CREATE TABLE events AS SELECT range::INTEGER AS n, 'item ' || range AS label,
    TIMESTAMPTZ '2024-05-01 00:00:00+00' + INTERVAL (range * 1500) MILLISECOND AS event_time FROM range(10)`);
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const base = { systemTime: "2024-06-01T12:00:00Z", outputDir: "" };
const write = (params: Partial<WriteDataSliceParameters> & { source: string }) =>
  writeDataSlice(db.connection, { ...base, startOffset: 0, outputDir: dir, ...params });
const rows = async (path: string, sql = "*") =>
  (await db.connection.runAndReadAll(`SELECT ${sql} FROM read_parquet('${path}')`)).getRowsJS();

describe("writeDataSlice", () => {
  test("writeDataSlice: system columns first with ODF types, then the data columns", async () => {
    const written = (await write({ source: "events", startOffset: 7 }))!;
    const schema = await db.connection.runAndReadAll(
      `SELECT name, type, logical_type FROM parquet_schema('${written.path}') WHERE name <> 'duckdb_schema'`,
    );
    const msUtc = "TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=MilliSeconds(), MICROS=<null>, NANOS=<null>))";
    expect(schema.getRowsJS()).toEqual([
      ["offset", "INT64", null],
      ["op", "INT32", null],
      ["system_time", "INT64", msUtc],
      ["event_time", "INT64", msUtc],
      ["n", "INT32", null],
      ["label", "BYTE_ARRAY", null],
    ]);
    const read = await db.connection.runAndReadAll(`SELECT * FROM read_parquet('${written.path}')`);
    expect(read.columnTypes().map(String).slice(0, 4)).toEqual([
      "BIGINT",
      "INTEGER",
      "TIMESTAMP WITH TIME ZONE",
      "TIMESTAMP WITH TIME ZONE",
    ]);
    expect(await rows(written.path, `"offset", op, epoch_ms(system_time), epoch_ms(event_time), n`)).toEqual(
      Array.from({ length: 10 }, (_, i) => [BigInt(7 + i), 0, 1717243200000n, 1714521600000n + BigInt(i * 1500), i]),
    );
    expect(written.rowCount).toBe(10);
    expect(written.slice.offsetInterval).toEqual({ start: 7, end: 16 });
    expect(written.slice.physicalHash).toBe(await physicalHash(written.path));
    expect(written.slice.logicalHash).toBe(await logicalHash(db.connection, written.path));
    expect(written.slice.size).toBe((await stat(written.path)).size);
    expect(written.path.startsWith(join(dir, ".slice-"))).toBe(true);
  });

  test("writeDataSlice: known-answer logical hash of a written slice (test/vectors/logical-hash.json)", async () => {
    const v = vectors.vectors[1]!;
    const written = (await write({
      source: String(v.source),
      startOffset: Number(v.startOffset),
      systemTime: String(v.systemTime),
      eventTime: String(v.eventTime),
    }))!;
    expect(written.slice.logicalHash).toBe(v.logicalHash);
  });

  test("writeDataSlice: same records give the same bytes; another row group size changes only the physical hash", async () => {
    const a = (await write({ source: "events" }))!;
    const b = (await write({ source: "SELECT * FROM events" }))!;
    expect(await readFile(a.path)).toEqual(await readFile(b.path));
    expect(b.slice).toEqual(a.slice);
    // DuckDB cuts row groups at 2048-row vectors, so the difference needs more rows than that.
    const big = "SELECT range AS n, TIMESTAMP '2024-01-01' AS event_time FROM range(5000)";
    const d = (await write({ source: big }))!;
    const e = (await write({ source: big, rowGroupSize: 2048 }))!;
    expect(e.slice.physicalHash).not.toBe(d.slice.physicalHash);
    expect(e.slice.logicalHash).toBe(d.slice.logicalHash);
  });

  test("writeDataSlice: offsets follow orderBy, the query's order, or a table's rowid order after deletes", async () => {
    const desc = (await write({ source: "events", orderBy: "n DESC" }))!;
    expect(await rows(desc.path, `"offset", n`)).toEqual(Array.from({ length: 10 }, (_, i) => [BigInt(i), 9 - i]));
    const query = (await write({ source: "SELECT * FROM events WHERE n % 2 = 1 ORDER BY n DESC", startOffset: 100 }))!;
    expect(await rows(query.path, `"offset", n`)).toEqual([
      [100n, 9],
      [101n, 7],
      [102n, 5],
      [103n, 3],
      [104n, 1],
    ]);
    await db.connection.run("CREATE TABLE holes AS SELECT * FROM events; DELETE FROM holes WHERE n IN (0, 4)");
    const holes = (await write({ source: "holes", startOffset: 3 }))!;
    expect(await rows(holes.path, `"offset", n`)).toEqual(
      [3, 4, 5, 6, 7, 8, 9, 10].map((o, i) => [BigInt(o), [1, 2, 3, 5, 6, 7, 8, 9][i]]),
    );
    expect(holes.slice.offsetInterval).toEqual({ start: 3, end: 10 });
  });

  test("writeDataSlice: op is kept, event_time defaults fill missing or NULL times, times truncate to ms", async () => {
    const written = (await write({
      source: `SELECT * FROM (VALUES (1::TINYINT, TIMESTAMP '2024-01-01 10:00:00.123999', 'a'), (3, NULL, 'b'))
        AS v(op, event_time, x)`,
      systemTime: "2024-06-01T14:00:00.987654321+02:00",
      eventTime: "2023-12-31T23:59:59Z",
    }))!;
    expect(await rows(written.path, "op, epoch_ms(system_time), epoch_ms(event_time), x")).toEqual([
      [1, 1717243200987n, 1704103200123n, "a"],
      [3, 1717243200987n, 1704067199000n, "b"],
    ]);
    const noColumn = (await write({ source: "SELECT 'z' AS x", eventTime: "0099-03-01T00:00:00.25-01:30" }))!;
    expect(await rows(noColumn.path, "op, epoch_ms(event_time), x")).toEqual([
      [0, BigInt(Date.parse("0099-03-01T01:30:00.250Z")), "z"],
    ]);
  });

  test("writeDataSlice: TIMESTAMPTZ event times round down to the millisecond, before 1970 and in any offset", async () => {
    const written = (await write({
      source: `SELECT * FROM (VALUES (TIMESTAMPTZ '1969-12-31 23:59:59.9995+00'), (TIMESTAMPTZ '1969-12-31 23:59:59.0001+00'),
        (TIMESTAMPTZ '2024-05-01 12:00:00.1239+02'), (TIMESTAMPTZ '0001-01-01 00:00:00.0001+00'),
        (TIMESTAMPTZ '9999-12-31 23:59:59.9999+00')) AS v(event_time)`,
    }))!;
    expect(await rows(written.path, "epoch_ms(event_time)")).toEqual(
      [
        "1969-12-31T23:59:59.999Z",
        "1969-12-31T23:59:59.000Z",
        "2024-05-01T10:00:00.123Z",
        "0001-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z",
      ].map((iso) => {
        const d = new Date(iso);
        if (iso.startsWith("0001")) d.setUTCFullYear(1);
        return [BigInt(d.getTime())];
      }),
    );
  });

  test("writeDataSlice: a source numbering its own rows is written as it streams, with the same bytes", async () => {
    const fromTable = (await write({ source: "events", startOffset: 3 }))!;
    // The same records from a query that numbers them (not a table: without the index it would be
    // materialized first).
    const numbered = (await write({
      source: "SELECT n AS idx, n, label, event_time FROM events",
      startOffset: 3,
      rowIndex: { column: "idx", rowCount: 10 },
    }))!;
    expect(numbered.slice).toEqual(fromTable.slice);
    expect((await readFile(numbered.path)).equals(await readFile(fromTable.path))).toBe(true);
    expect(await rows(numbered.path, `"offset", n`)).toEqual(Array.from({ length: 10 }, (_, i) => [BigInt(3 + i), i]));
    expect(
      await write({ source: "SELECT 0 AS idx, * FROM events LIMIT 0", rowIndex: { column: "idx", rowCount: 0 } }),
    ).toBeNull();
  });

  test("writeDataSlice: a row index that does not number the rows 0..n-1 once each is refused, leaving no file", async () => {
    const before = await readdir(dir);
    const cases: [string, number, RegExp][] = [
      ["SELECT n AS idx, * FROM events", 9, /does not number its 9 rows 0..8 \(wrote 10 rows/],
      ["SELECT n // 2 AS idx, * FROM events", 10, /wrote 10 rows, 5 distinct offsets 0..4/],
      ["SELECT n + 1 AS idx, * FROM events", 10, /10 distinct offsets 1..10/],
      ["SELECT 'a' AS idx, * FROM events", 10, /no integer row index column "idx"/],
      ["SELECT * FROM events", 10, /no integer row index column "idx"/],
    ];
    for (const [source, rowCount, message] of cases) {
      const error = await write({ source, rowIndex: { column: "idx", rowCount } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SliceSourceError);
      expect((error as Error).message).toMatch(message);
    }
    await expect(
      write({ source: "SELECT n AS idx, * FROM events", orderBy: "n", rowIndex: { column: "idx", rowCount: 10 } }),
    ).rejects.toThrow(RangeError);
    expect(await readdir(dir)).toEqual(before);
  });

  test("writeDataSlice: the first write into a directory removes the temporary files of killed writes", async () => {
    const out = await mkdtemp(join(tmpdir(), "odf-slice-orphans-"));
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number; // exited: its pid names no process
    const orphan = `.slice-${gone}-0123456789ab.parquet`;
    const live = `.slice-${process.ppid}-0123456789ab.parquet`; // a write of a live process
    for (const name of [orphan, live]) await writeFile(join(out, name), "partial");
    const written = (await write({ source: "events", outputDir: out }))!;
    expect(written.path).toMatch(new RegExp(`/\\.slice-${process.pid}-[0-9a-f]{12}\\.parquet$`));
    expect((await readdir(out)).sort()).toEqual([live, join(written.path).slice(out.length + 1)].sort());
    await rm(out, { recursive: true, force: true });
  });

  test("writeDataSlice: no rows writes nothing and returns null", async () => {
    const before = await readdir(dir);
    expect(await write({ source: "SELECT * FROM events WHERE n < 0" })).toBeNull();
    await db.connection.run("CREATE TABLE empty_events AS SELECT * FROM events LIMIT 0");
    expect(await write({ source: "empty_events" })).toBeNull();
    expect(await readdir(dir)).toEqual(before);
  });

  test("writeDataSlice: bad sources and parameters are typed errors and leave no file", async () => {
    const before = await readdir(dir);
    const cases: [Partial<WriteDataSliceParameters> & { source: string }, string][] = [
      [
        { source: "SELECT 5 AS op, TIMESTAMP '2024-01-01' AS event_time" },
        'Column "op" has a value outside 0..3 or NULL',
      ],
      [
        { source: "SELECT 'x' AS op, TIMESTAMP '2024-01-01' AS event_time" },
        'Column "op" must be an integer (0..3), got VARCHAR',
      ],
      [{ source: "SELECT 1 AS event_time" }, 'Column "event_time" must be a TIMESTAMP or DATE, got INTEGER'],
      [{ source: "SELECT 1 AS x" }, 'The slice source has no "event_time" column and no eventTime default was given'],
      [
        { source: "SELECT NULL::TIMESTAMP AS event_time" },
        'Column "event_time" has NULLs and no eventTime default was given',
      ],
      [
        { source: "SELECT 1 AS \"offset\", TIMESTAMP '2024-01-01' AS event_time" },
        'The slice source must not have a "offset" column (it is a system column)',
      ],
      [
        { source: "no_such_table" },
        "Cannot read the slice source: Catalog Error: Table with name no_such_table does not exist!",
      ],
    ];
    for (const [params, message] of cases) {
      const error = await write(params).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SliceSourceError);
      expect((error as Error).message).toBe(message);
    }
    await expect(write({ source: "events", systemTime: "2024-06-01 12:00" })).rejects.toThrow(SliceTimestampError);
    await expect(write({ source: "events", systemTime: "2024-02-30T00:00:00Z" })).rejects.toThrow(
      'systemTime is not an RFC 3339 timestamp: "2024-02-30T00:00:00Z"',
    );
    await expect(write({ source: "events", startOffset: -1 })).rejects.toThrow(RangeError);
    expect(await readdir(dir)).toEqual(before);
  });
});

describe("markTimestampsUtc", () => {
  test("markTimestampsUtc: refuses files that are not Parquet and columns that are not ms timestamps", async () => {
    const text = join(dir, "not-parquet.txt");
    await writeFile(text, "hello, this is not a parquet file");
    await expect(markTimestampsUtc(text, ["event_time"])).rejects.toThrow(
      `Cannot read data slice ${text}: not a Parquet file (no PAR1 trailer)`,
    );
    const path = join(dir, "plain.parquet");
    await db.connection.run(`COPY (SELECT TIMESTAMP '2024-01-01' AS t) TO '${path}' (FORMAT PARQUET)`);
    await expect(markTimestampsUtc(path, ["t"])).rejects.toBeInstanceOf(SliceReadError);
    await rm(path);
  });
});

describe("readSliceStats", () => {
  test("readSliceStats: row count, offset range and latest event time", async () => {
    const written = (await write({ source: "events", startOffset: 20 }))!;
    expect(await readSliceStats(db.connection, written.path)).toEqual({
      rowCount: 10,
      firstOffset: 20,
      lastOffset: 29,
      maxEventTime: "2024-05-01T00:00:13.500Z",
    });
  });
});

describe("writeDataSlice ordering", () => {
  test("writeDataSlice: rows stay in offset order when the connection does not preserve insertion order", async () => {
    const other = await openDuckDb({ config: { preserve_insertion_order: "false" } });
    try {
      await other.connection.run(
        "CREATE TABLE t AS SELECT range AS n, TIMESTAMP '2024-01-01' AS event_time FROM range(5000)",
      );
      const written = (await writeDataSlice(other.connection, {
        ...base,
        outputDir: dir,
        source: "t",
        startOffset: 0,
      }))!;
      // Read back on the default connection, which keeps the file's row order.
      const read = await db.connection.runAndReadAll(
        `SELECT count(*) FILTER (WHERE "offset" <> n OR "offset" <> rn - 1) FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet('${written.path}'))`,
      );
      expect(read.getRowsJS()).toEqual([[0n]]);
    } finally {
      other.close();
    }
  });
});
