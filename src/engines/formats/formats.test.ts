import { tableFromIPC } from "apache-arrow";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createStaticResolver } from "../createStaticResolver";
import { createDuckDbEngine } from "../duckdb/createDuckDbEngine";
import type { QueryEngine, QueryResult } from "../types";
import { jsonText } from "./jsonText";
import { toArrowIpc } from "./toArrowTable";
import { toOracleRows } from "./toOracleRows";
import { toCsv, toTextTable } from "./toText";

let engine: QueryEngine;
let sample: QueryResult;

beforeAll(async () => {
  engine = await createDuckDbEngine({ resolver: createStaticResolver([]) });
  sample = await engine.query({
    sql: `SELECT * FROM (VALUES
        (1, 9007199254740993::BIGINT, 1.5::DOUBLE, 'a,b', TIMESTAMP '2024-09-02 21:50:00', 12.30::DECIMAL(10,2), '\\x01\\xFF'::BLOB, [1, 2], {'k': 'v'}),
        (2, NULL, 'NaN'::DOUBLE, 'say "hi"', TIMESTAMP '2024-09-02 21:50:00.25', -0.05::DECIMAL(10,2), NULL, [], NULL)
      ) AS t(id, big, f, s, ts, d, b, l, st) ORDER BY id`,
    datasets: [],
  });
});

afterAll(async () => {
  await engine?.close();
});

describe("formats", () => {
  test("jsonText: nested values as the JSON of /query's output.data (floats keep a fraction, ints exact)", async () => {
    const nested = await engine.query({
      sql: "SELECT [1.0, 2.5]::DOUBLE[] AS l, {'n': 9007199254740993::BIGINT, 'b': '\\x01\\xFF'::BLOB} AS st",
      datasets: [],
    });
    const [l, st] = nested.rows[0] ?? [];
    expect(jsonText(l ?? null)).toBe("[1.0,2.5]");
    expect(jsonText(st ?? null)).toBe('{"n":9007199254740993,"b":"01ff"}');
    expect(toCsv(nested)).toBe('l,st\n"[1.0,2.5]","{""n"":9007199254740993,""b"":""01ff""}"\n');
    expect(toOracleRows(nested)).toEqual([["[1.0,2.5]", '{"n":9007199254740993,"b":"01ff"}']]);
  });

  test("toArrowIpc: a stream that Arrow reads back with native types and the same values", () => {
    const table = tableFromIPC(toArrowIpc(sample));
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      "id: Int32",
      "big: Int64",
      "f: Float64",
      "s: Utf8",
      "ts: Timestamp<MICROSECOND, UTC>",
      "d: Decimal[10e+2]",
      "b: Binary",
      "l: List<Int32>",
      "st: Struct<{k:Utf8}>",
    ]);
    expect(table.numRows).toBe(2);
    expect(table.getChild("big")?.get(0)).toBe(9007199254740993n);
    expect(table.getChild("big")?.get(1)).toBeNull();
    expect(table.getChild("ts")?.get(1)).toBe(Date.UTC(2024, 8, 2, 21, 50, 0, 250));
    expect(String(table.getChild("d")?.get(0))).toBe("1230");
    expect(Array.from(table.getChild("b")?.get(0) as Uint8Array)).toEqual([1, 255]);
    expect(table.getChild("l")?.get(0)?.toArray()).toEqual(Int32Array.from([1, 2]));
    expect(table.getChild("st")?.get(0)?.toJSON()).toEqual({ k: "v" });
    expect(table.getChild("s")?.get(1)).toBe('say "hi"');
  });

  test("toArrowIpc: suffixes repeated column names and writes empty results", async () => {
    const dup = await engine.query({ sql: "SELECT 1 AS a, 'x' AS a, 2 AS a_1", datasets: [] });
    const table = tableFromIPC(toArrowIpc(dup));
    expect(table.schema.fields.map((f) => f.name)).toEqual(["a", "a_2", "a_1"]);
    expect(table.getChildAt(1)?.get(0)).toBe("x");
    const empty = await engine.query({ sql: "SELECT 1 AS a WHERE false", datasets: [] });
    expect(tableFromIPC(toArrowIpc(empty)).numRows).toBe(0);
  });

  test("toCsv and toTextTable", () => {
    const small = { columns: sample.columns.slice(0, 4), rows: sample.rows.map((r) => r.slice(0, 4)) };
    expect(toCsv(small)).toBe('id,big,f,s\n1,9007199254740993,1.5,"a,b"\n2,,NaN,"say ""hi"""\n');
    expect(toTextTable(small)).toBe(
      [
        "id |              big |   f | s",
        "---+------------------+-----+---------",
        " 1 | 9007199254740993 | 1.5 | a,b",
        ' 2 |             null | NaN | say "hi"',
        "(2 rows)",
      ].join("\n"),
    );
  });
});

/** Independent RFC 3339 text of microseconds since the epoch (Date for the milliseconds). */
function rfc3339Micros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const subMs = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  const fraction = `${iso.slice(20, 23)}${String(subMs).padStart(3, "0")}`.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ""}Z`;
}

describe("toOracleRows: the value mapping of DESIGN 4.3 through the real engine", () => {
  const cell = fc.record({
    int: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }),
    float: fc.double(),
    flag: fc.boolean(),
    text: fc.string({ unit: "grapheme", maxLength: 12 }),
    blob: fc.uint8Array({ maxLength: 8 }),
    micros: fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }),
    cents: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
  });

  test("ints, floats (NaN null), bools, text, binary hex, timestamps RFC 3339, decimals text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cell, { minLength: 1, maxLength: 4 }), async (rows) => {
        const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
        const values = rows.map(
          (r, i) =>
            `(${i}, ${r.int === null ? "NULL" : `(${r.int})::BIGINT`}, CAST(${literal(Object.is(r.float, -0) ? "-0.0" : String(r.float))} AS DOUBLE), ${r.flag},
              ${literal(r.text)}, from_hex(${literal(Buffer.from(r.blob).toString("hex"))}), make_timestamp(${r.micros}::BIGINT),
              CAST(${literal(centsText(r.cents))} AS DECIMAL(18,2)))`,
        );
        const result = await engine.query({
          sql: `SELECT i, n, f, b, t, x, ts, d FROM (VALUES ${values.join(", ")}) AS v(i, n, f, b, t, x, ts, d) ORDER BY i`,
          datasets: [],
        });
        const expected = rows.map((r, i) => [
          BigInt(i),
          r.int,
          Number.isNaN(r.float) ? null : r.float,
          r.flag,
          r.text,
          Buffer.from(r.blob).toString("hex"),
          rfc3339Micros(r.micros),
          centsText(r.cents),
        ]);
        expect(toOracleRows(result)).toEqual(expected);
        for (const [i, row] of toOracleRows(result).entries()) {
          const f = row[2];
          if (typeof f === "number") expect(Object.is(f, rows[i]?.float)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });
});

function centsText(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}
