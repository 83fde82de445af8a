import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DuckDb, openDuckDb } from "../openDuckDb";
import { conversionFailure, convertSql, tryConvertSql } from "./convertSql";

let db: DuckDb;

beforeAll(async () => {
  db = await openDuckDb();
  await db.connection.run("SET TimeZone = 'UTC'");
});
afterAll(() => db?.close());

/** Each text converted with `tryConvertSql`, as DuckDB prints the result (null: refused). */
async function convert(type: string, texts: string[], format?: string): Promise<(string | null)[]> {
  const values = texts.map((t) => `('${t}')`).join(", ");
  const reader = await db.connection.runAndReadAll(
    `SELECT CAST(${tryConvertSql("v", type, format)} AS VARCHAR) FROM (VALUES ${values}) t(v)`,
  );
  return reader.getRowsJS().map((r) => (r[0] === null ? null : String(r[0])));
}

describe("convertSql", () => {
  test("integers: whole numbers only, in range", async () => {
    expect(await convert("INTEGER", ["12", " -3 ", "+5", "1.0", "1.7", "1e3", "99999999999", "x"])).toEqual([
      "12",
      "-3",
      "5",
      "1",
      null,
      null,
      null,
      null,
    ]);
  });

  test("decimals: no more digits than the scale, exponents only when exact", async () => {
    expect(await convert("DECIMAL(10, 2)", ["1.23", "1.2300", "-.5", "1.234", "1.5e2", "1.234e0", "1e10"])).toEqual([
      "1.23",
      "1.23",
      "-0.50",
      null,
      "150.00",
      null,
      null,
    ]);
  });

  test("floats: an overflow is refused, infinity written as such is kept", async () => {
    expect(await convert("DOUBLE", ["1.5", "1e400", "-1e400", "inf", "-Infinity", "NaN", "x"])).toEqual([
      "1.5",
      null,
      null,
      "inf",
      "-inf",
      "nan",
      null,
    ]);
    expect(await convert("FLOAT", ["1e39"])).toEqual([null]);
  });

  test("TIMESTAMPTZ: ISO with offsets, or the declared format (with or without %z)", async () => {
    const iso = ["2024-01-01T00:00:00+02:00", "2024-01-01 05:00:00Z", "2024-01-01T00:00:00", "garbage"];
    expect(await convert("TIMESTAMPTZ", iso)).toEqual([
      "2023-12-31 22:00:00+00",
      "2024-01-01 05:00:00+00",
      "2024-01-01 00:00:00+00",
      null,
    ]);
    expect(await convert("TIMESTAMPTZ", ["01/02/2024 13:45", "2024-02-01T13:45:00Z"], "%d/%m/%Y %H:%M")).toEqual([
      "2024-02-01 13:45:00+00",
      null,
    ]);
    expect(await convert("TIMESTAMPTZ", ["01/02/2024 13:45 +0200"], "%d/%m/%Y %H:%M %z")).toEqual([
      "2024-02-01 11:45:00+00",
    ]);
  });

  test("a refused value stops the query with an error naming the column, the text and the type", async () => {
    const sql = `SELECT ${convertSql("v", "temp c", "TIMESTAMPTZ", "%d/%m/%Y")} FROM (VALUES ('01/02/2024'), ('2024-02-01')) t(v)`;
    const error = await db.connection.run(sql).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(conversionFailure(error)).toEqual({
      column: "temp c",
      value: "2024-02-01",
      type: "TIMESTAMPTZ",
      format: "%d/%m/%Y",
    });
    expect(conversionFailure(new Error("Conversion Error: something else"))).toBeUndefined();
  });
});
