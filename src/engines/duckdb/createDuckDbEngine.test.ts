import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeParquet } from "../../../test/fixtures/writeParquet";
import { createStaticResolver } from "../createStaticResolver";
import {
  DatasetBlockNotFoundError,
  DatasetNotFoundError,
  DuplicateAliasError,
  EmptyDatasetError,
  ForbiddenQueryError,
  InvalidBlockHashError,
  InvalidQueryError,
  QueryLimitError,
} from "../errors";
import type { QueryEngine, QueryParameters } from "../types";
import { createDuckDbEngine } from "./createDuckDbEngine";

const TRADES_ID = `did:odf:fed01${"b".repeat(64)}`;
const PRICES_ID = `did:odf:fed01${"a".repeat(64)}`;
const BLOCK_1 = `f1620${"1".repeat(64)}`;
const BLOCK_2 = `f1620${"2".repeat(64)}`;
const PRICES_HEAD = `f1620${"3".repeat(64)}`;

let dir: string;
let engine: QueryEngine;

const trades = { id: TRADES_ID, alias: "trades" };
const prices = { id: PRICES_ID, alias: "prices" };
const fresh = { id: `did:odf:fed01${"d".repeat(64)}`, alias: "fresh" };
const bare = { id: `did:odf:fed01${"e".repeat(64)}`, alias: "bare" };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "odf-engine-"));
  const slice1 = path.join(dir, "trades-1.parquet");
  const slice2 = path.join(dir, "trades-2.parquet");
  const pricesFile = path.join(dir, "prices.parquet");
  const system = `0::TINYINT AS op, TIMESTAMP_MS '2024-09-02 21:50:00' AS system_time`;
  await writeParquet(
    slice1,
    `SELECT range AS "offset", ${system}, TIMESTAMP_MS '2024-09-01 00:00:00' + to_seconds(range) AS event_time,
       'ETH' AS symbol, range::INTEGER AS qty FROM range(3)`,
  );
  await writeParquet(
    slice2,
    `SELECT range + 3 AS "offset", ${system}, TIMESTAMP_MS '2024-09-01 00:00:00.5' + to_seconds(range) AS event_time,
       'BTC' AS symbol, (range * 10)::INTEGER AS qty FROM range(2)`,
  );
  await writeParquet(
    pricesFile,
    `SELECT range AS "offset", ${system}, TIMESTAMP_MS '2024-01-01' AS event_time,
       (range % 97) * 0.1 + 1 / (range + 1) AS price FROM range(300000)`,
  );
  engine = await createDuckDbEngine({
    resolver: createStaticResolver([
      {
        ...trades,
        blocks: [
          { blockHash: BLOCK_1, dataFiles: [slice1] },
          { blockHash: BLOCK_2, dataFiles: [slice2] },
        ],
      },
      { ...prices, blocks: [{ blockHash: PRICES_HEAD, dataFiles: [pricesFile] }] },
      {
        ...fresh,
        blocks: [{ blockHash: BLOCK_1 }],
        schema: [
          { name: "offset", type: "BIGINT" },
          { name: "v", type: "DOUBLE" },
        ],
      },
      { ...bare, blocks: [{ blockHash: BLOCK_1 }] },
    ]),
    limits: { timeoutMs: 10_000 },
  });
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(params: QueryParameters): Promise<Error> {
  try {
    await engine.query(params);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected the query to fail: ${params.sql}`);
}

describe("createDuckDbEngine", () => {
  test("query: exposes each dataset under its alias with its system columns and records the head", async () => {
    const result = await engine.query({
      sql: `SELECT "offset", op, event_time, symbol, qty FROM trades ORDER BY "offset"`,
      datasets: [trades, prices],
    });
    expect(result.columns.map((c) => [c.name, c.duckdbType, c.tag])).toEqual([
      ["offset", "BIGINT", "integer"],
      ["op", "TINYINT", "integer"],
      ["event_time", "TIMESTAMP", "timestamp"],
      ["symbol", "VARCHAR", "string"],
      ["qty", "INTEGER", "integer"],
    ]);
    expect(result.rows).toEqual([
      [0n, 0n, "2024-09-01T00:00:00Z", "ETH", 0n],
      [1n, 0n, "2024-09-01T00:00:01Z", "ETH", 1n],
      [2n, 0n, "2024-09-01T00:00:02Z", "ETH", 2n],
      [3n, 0n, "2024-09-01T00:00:00.5Z", "BTC", 0n],
      [4n, 0n, "2024-09-01T00:00:01.5Z", "BTC", 10n],
    ]);
    expect(result.datasets).toEqual([
      { id: PRICES_ID, alias: "prices", blockHash: PRICES_HEAD },
      { id: TRADES_ID, alias: "trades", blockHash: BLOCK_2 },
    ]);
    expect(result.engine).toEqual({ name: "duckdb", version: engine.version });
    expect(engine.version).toMatch(/^v1\.5\.\d+$/);
  });

  test("query: a pinned block hash shows only the data up to that block", async () => {
    const result = await engine.query({
      sql: "SELECT count(*) AS n, sum(qty) AS total FROM t",
      datasets: [{ ...trades, alias: "t", blockHash: BLOCK_1 }],
    });
    expect(result.rows).toEqual([[3n, 3n]]);
    expect(result.datasets).toEqual([{ id: TRADES_ID, alias: "t", blockHash: BLOCK_1 }]);
  });

  test("query: aliases that need quoting, CTEs and joins", async () => {
    const result = await engine.query({
      sql: `WITH x AS (SELECT symbol, qty FROM "my ""trades""") SELECT symbol, sum(qty) AS s FROM x GROUP BY symbol ORDER BY symbol`,
      datasets: [{ ...trades, alias: 'my "trades"' }],
    });
    expect(result.rows).toEqual([
      ["BTC", 10n],
      ["ETH", 3n],
    ]);
  });

  test("query: normalizes every kind of value", async () => {
    const result = await engine.query({
      sql: `SELECT NULL AS n, true AS b, 42::HUGEINT AS h, 1.5::FLOAT AS f, 'NaN'::DOUBLE AS nan,
        12.30::DECIMAL(10,2) AS d, DATE '2024-02-29' AS dt, TIME '12:00:01.25' AS tm,
        TIMESTAMP '2024-09-02 21:50:00' AS ts, TIMESTAMP_NS '2024-09-02 21:50:00.123456789' AS tns,
        TIMESTAMPTZ '2024-09-02 23:50:00+02' AS tz, INTERVAL '1 year 2 months 3 days 4.5 seconds' AS iv,
        '\\xAB\\x01'::BLOB AS bl, [1, 2] AS l, {'a': 1, 'b': 'x'} AS st, MAP {'k': 1.5} AS m,
        '00000000-0000-0000-0000-00000000002a'::UUID AS u`,
      datasets: [],
    });
    expect(result.rows[0]).toEqual([
      null,
      true,
      42n,
      1.5,
      Number.NaN,
      "12.30",
      "2024-02-29",
      "12:00:01.25",
      "2024-09-02T21:50:00Z",
      "2024-09-02T21:50:00.123456789Z",
      "2024-09-02T21:50:00Z",
      "P1Y2M3DT4.5S",
      new Uint8Array([0xab, 0x01]),
      [1n, 2n],
      { a: 1n, b: "x" },
      { k: "1.5" },
      "00000000-0000-0000-0000-00000000002a",
    ]);
    expect(result.columns.find((c) => c.name === "l")?.children).toEqual([
      { name: "item", duckdbType: "INTEGER", tag: "integer" },
    ]);
  });

  test("query: a dataset without data yet has its schema's columns and no rows", async () => {
    const result = await engine.query({ sql: "SELECT * FROM fresh", datasets: [fresh, bare] });
    expect(result.columns.map((c) => [c.name, c.duckdbType])).toEqual([
      ["offset", "BIGINT"],
      ["v", "DOUBLE"],
    ]);
    expect(result.rows).toEqual([]);
    expect(result.datasets.map((d) => d.alias)).toEqual(["fresh", "bare"]);
    const error = await failure({ sql: "SELECT * FROM bare", datasets: [bare] });
    expect(error).toBeInstanceOf(EmptyDatasetError);
  });

  test("query: a window (skip/limit) returns only its rows", async () => {
    const result = await engine.query({
      sql: `SELECT "offset" FROM trades ORDER BY "offset"`,
      datasets: [trades],
      window: { skip: 1, limit: 2 },
    });
    expect(result.rows).toEqual([[1n], [2n]]);
  });

  test("query: concurrent queries over different pins each get their own answer", async () => {
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        engine.query({
          sql: "SELECT count(*) FROM trades",
          datasets: [{ ...trades, ...(i % 2 === 0 ? { blockHash: BLOCK_1 } : {}) }],
        }),
      ),
    );
    expect(runs.map((r) => r.rows[0]?.[0])).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 3n : 5n)));
  });

  test("determinism: 50 runs of a float aggregation give identical bits", async () => {
    const sql =
      "SELECT sum(price) AS s, avg(price) AS a, stddev_samp(price) AS sd, sum(price * price) AS s2 FROM prices";
    const outputs = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { rows } = await engine.query({ sql, datasets: [prices] });
      outputs.add(Buffer.from(new Float64Array((rows[0] ?? []) as number[]).buffer).toString("hex"));
    }
    expect(outputs.size).toBe(1);
  });

  test("determinism: output order without ORDER BY is identical across runs", async () => {
    const sql = "SELECT price FROM prices WHERE price > 5 LIMIT 1000";
    const first = await engine.query({ sql, datasets: [prices] });
    const second = await engine.query({ sql, datasets: [prices] });
    expect(first.rows.length).toBe(1000);
    expect(second.rows).toEqual(first.rows);
  });
});

describe("createDuckDbEngine: sandbox", () => {
  const forbiddenStatements: [string, string][] = [
    ["CREATE TABLE x (a INTEGER)", "CREATE"],
    ["INSERT INTO trades VALUES (1)", "INSERT"],
    ["UPDATE trades SET qty = 1", "UPDATE"],
    ["DELETE FROM trades", "DELETE"],
    ["DROP VIEW trades", "DROP"],
    ["PRAGMA version", "PRAGMA"],
    ["ATTACH '/tmp/x.db' AS x", "ATTACH"],
    ["COPY trades TO '/tmp/x.csv'", "COPY"],
    ["INSTALL httpfs", "LOAD"],
    ["LOAD httpfs", "LOAD"],
    ["SET threads = 4", "SET"],
    ["CALL pragma_version()", "CALL"],
    ["EXPORT DATABASE '/tmp/x'", "EXPORT"],
    ["EXPLAIN SELECT 1", "EXPLAIN"],
  ];
  test.each(forbiddenStatements)("refuses %s", async (sql, statement) => {
    const error = await failure({ sql, datasets: [trades] });
    expect(error).toBeInstanceOf(ForbiddenQueryError);
    expect((error as ForbiddenQueryError).statement).toBe(statement);
    expect((error as ForbiddenQueryError).shortMessage).toBe(
      `Forbidden query: only a SELECT statement is allowed, got ${statement}`,
    );
  });

  test("refuses two statements", async () => {
    const error = await failure({ sql: "SELECT 1; SELECT 2", datasets: [] });
    expect(error).toBeInstanceOf(ForbiddenQueryError);
    expect((error as ForbiddenQueryError).shortMessage).toMatchInlineSnapshot(
      `"Forbidden query: exactly one statement is allowed, got 2"`,
    );
  });

  const forbiddenFunctions: [string, string][] = [
    ["SELECT * FROM read_csv('/etc/passwd')", "read_csv"],
    ["SELECT * FROM read_parquet('/etc/passwd')", "read_parquet"],
    ["SELECT * FROM read_text('/etc/passwd')", "read_text"],
    ["SELECT * FROM read_blob('/etc/passwd')", "read_blob"],
    ["SELECT * FROM read_json('/etc/passwd')", "read_json"],
    ["SELECT * FROM glob('/etc/*')", "glob"],
    ["SELECT * FROM parquet_metadata('/etc/passwd')", "parquet_metadata"],
    ["SELECT * FROM sniff_csv('/etc/passwd')", "sniff_csv"],
    ["SELECT * FROM query('SELECT 1')", "query"],
    ["SELECT * FROM duckdb_settings()", "duckdb_settings"],
    ["SELECT random()", "random"],
    ["SELECT now()", "now"],
    ["SELECT uuid()", "uuid"],
    ["SELECT gen_random_uuid()", "gen_random_uuid"],
    ["SELECT setseed(0.5)", "setseed"],
    ["SELECT today()", "today"],
    ["SELECT get_current_time()", "get_current_time"],
    ["SELECT nextval('s')", "nextval"],
    ["SELECT current_setting('threads')", "current_setting"],
    ["SELECT current_timestamp", "current_timestamp"],
    ["SELECT current_date", "current_date"],
    ["SELECT localtime", "localtime"],
    ["SELECT qty FROM trades WHERE event_time < now()", "now"],
    ["SELECT list_transform([1, 2], x -> x + random())", "random"],
    ["SELECT (SELECT max(qty) + random() FROM trades)", "random"],
  ];
  test.each(forbiddenFunctions)("refuses %s", async (sql, functionName) => {
    const error = await failure({ sql, datasets: [trades] });
    expect(error).toBeInstanceOf(ForbiddenQueryError);
    expect((error as ForbiddenQueryError).functionName).toBe(functionName);
    expect((error as ForbiddenQueryError).shortMessage).toContain(functionName);
  });

  test("refuses random() with its reason in the message", async () => {
    const error = await failure({ sql: "SELECT random() AS r", datasets: [] });
    expect((error as ForbiddenQueryError).shortMessage).toMatchInlineSnapshot(
      `"Forbidden query: function random() is volatile"`,
    );
  });

  test("refuses read_csv('/etc/passwd') naming the function", async () => {
    const error = await failure({ sql: "SELECT * FROM read_csv('/etc/passwd')", datasets: [] });
    expect((error as ForbiddenQueryError).shortMessage).toMatchInlineSnapshot(
      `"Forbidden query: table function read_csv() is not allowed"`,
    );
  });

  test("allows a qualified column named like a clock keyword, and the constant session keywords", async () => {
    const result = await engine.query({
      sql: "SELECT t.current_date, user FROM (SELECT 5 AS current_date) AS t",
      datasets: [],
    });
    expect(result.rows).toEqual([[5n, "duckdb"]]);
  });

  test("refuses SAMPLE and SHOW", async () => {
    const sample = await failure({ sql: "SELECT * FROM trades USING SAMPLE 10%", datasets: [trades] });
    expect(sample).toBeInstanceOf(ForbiddenQueryError);
    const show = await failure({ sql: "SHOW TABLES", datasets: [trades] });
    expect(show).toBeInstanceOf(ForbiddenQueryError);
  });

  test("refuses an unknown alias, a file path as a table and a qualified table", async () => {
    const unknown = await failure({ sql: "SELECT * FROM prices", datasets: [trades] });
    expect(unknown).toBeInstanceOf(InvalidQueryError);
    expect((unknown as InvalidQueryError).shortMessage).toMatchInlineSnapshot(
      `"Invalid query: unknown table prices (visible datasets: trades)"`,
    );
    const file = await failure({ sql: "SELECT * FROM '/etc/passwd'", datasets: [trades] });
    expect(file).toBeInstanceOf(InvalidQueryError);
    const qualified = await failure({ sql: "SELECT * FROM system.main.duckdb_settings", datasets: [trades] });
    expect(qualified).toBeInstanceOf(InvalidQueryError);
  });

  test("reports syntax and binder errors as invalid queries", async () => {
    const syntax = await failure({ sql: "SELEC 1", datasets: [] });
    expect(syntax).toBeInstanceOf(InvalidQueryError);
    const column = await failure({ sql: "SELECT nope FROM trades", datasets: [trades] });
    expect(column).toBeInstanceOf(InvalidQueryError);
    expect((column as InvalidQueryError).shortMessage).toContain("nope");
    const parameter = await failure({ sql: "SELECT $1 + 1", datasets: [] });
    expect((parameter as InvalidQueryError).shortMessage).toBe(
      "Invalid query: query parameters ($1) are not supported: write the values inline",
    );
    const empty = await failure({ sql: "  ", datasets: [] });
    expect(empty).toBeInstanceOf(InvalidQueryError);
  });

  test("refuses duplicate aliases, unknown datasets and bad block hashes", async () => {
    expect(await failure({ sql: "SELECT 1", datasets: [trades, { ...prices, alias: "TRADES" }] })).toBeInstanceOf(
      DuplicateAliasError,
    );
    const missing = await failure({
      sql: "SELECT 1",
      datasets: [{ id: `did:odf:fed01${"c".repeat(64)}`, alias: "x" }],
    });
    expect(missing).toBeInstanceOf(DatasetNotFoundError);
    expect((missing as DatasetNotFoundError).datasetId).toBe(`did:odf:fed01${"c".repeat(64)}`);
    const block = await failure({ sql: "SELECT 1", datasets: [{ ...trades, blockHash: PRICES_HEAD }] });
    expect(block).toBeInstanceOf(DatasetBlockNotFoundError);
    expect((block as DatasetBlockNotFoundError).blockHash).toBe(PRICES_HEAD);
    const malformed = await failure({ sql: "SELECT 1", datasets: [{ ...trades, blockHash: "f1620zz" }] });
    expect(malformed).toBeInstanceOf(InvalidBlockHashError);
  });
});

describe("createDuckDbEngine: limits", () => {
  test("a result over the row limit fails (never truncated)", async () => {
    const error = await failure({ sql: "SELECT * FROM range(11)", datasets: [], limits: { maxRows: 10 } });
    expect(error).toBeInstanceOf(QueryLimitError);
    expect((error as QueryLimitError).limit).toBe("rows");
    expect((error as QueryLimitError).shortMessage).toMatchInlineSnapshot(
      `"Query limit exceeded: the result has more than 10 rows"`,
    );
    const ok = await engine.query({ sql: "SELECT * FROM range(10)", datasets: [], limits: { maxRows: 10 } });
    expect(ok.rows.length).toBe(10);
  });

  test("a result over the byte limit fails", async () => {
    const error = await failure({
      sql: "SELECT repeat('x', 1000) FROM range(100)",
      datasets: [],
      limits: { maxResultBytes: 10_000 },
    });
    expect(error).toBeInstanceOf(QueryLimitError);
    expect((error as QueryLimitError).limit).toBe("bytes");
  });

  test("a query past the time limit is interrupted, and the engine keeps working", async () => {
    const started = performance.now();
    const error = await failure({
      sql: "SELECT count(*) FROM range(1000000000) a, range(1000000) b",
      datasets: [],
      limits: { timeoutMs: 200 },
    });
    expect(error).toBeInstanceOf(QueryLimitError);
    expect((error as QueryLimitError).limit).toBe("time");
    expect((error as QueryLimitError).shortMessage).toMatchInlineSnapshot(
      `"Query limit exceeded: the query ran longer than 200 ms and was interrupted"`,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    const streaming = await failure({
      sql: "SELECT a.range FROM range(1000000000) a, range(1000000) b",
      datasets: [],
      limits: { timeoutMs: 200, maxRows: 1e12 },
    });
    expect((streaming as QueryLimitError).limit).toBe("time");
    const after = await engine.query({ sql: "SELECT 40 + 2 AS x", datasets: [] });
    expect(after.rows).toEqual([[42n]]);
  });
});

describe("createDuckDbEngine: memory", () => {
  test("a query over the memory limit fails with a memory QueryLimitError", async () => {
    const error = await failure({
      sql: "SELECT list(range) AS l FROM range(20000000)",
      datasets: [],
      limits: { memoryLimit: "32MB" },
    });
    expect(error).toBeInstanceOf(QueryLimitError);
    expect((error as QueryLimitError).limit).toBe("memory");
    expect((error as QueryLimitError).bound).toBe("32MB");
  });
});
