import { describe, expect, test } from "vitest";
import type { ReadStep } from "../../../odf/metadata/types";
import { ddlColumns } from "./duckDbType";
import { readStepSql, strptimeFormat } from "./readStepSql";

describe("readStepSql", () => {
  test("strptimeFormat: rfc3339 is native, strptime passes through, Java patterns convert", () => {
    expect(strptimeFormat(undefined)).toBeUndefined();
    expect(strptimeFormat("rfc3339")).toBeUndefined();
    expect(strptimeFormat("%d/%m/%Y")).toBe("%d/%m/%Y");
    expect(strptimeFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")).toBe("%Y-%m-%dT%H:%M:%S.%g%z");
    expect(strptimeFormat("dd.MM.yy")).toBe("%d.%m.%y");
  });

  test("ddlColumns maps Spark DDL types and refuses unknown ones", () => {
    expect(ddlColumns(["date TIMESTAMP", "`city name` STRING", "population INT", "price DECIMAL(10, 2)"])).toEqual([
      { name: "date", type: "TIMESTAMPTZ" },
      { name: "city name", type: "VARCHAR" },
      { name: "population", type: "INTEGER" },
      { name: "price", type: "DECIMAL(10, 2)" },
    ]);
    expect(() => ddlColumns(["x GEOMETRY"])).toThrowErrorMatchingInlineSnapshot(
      `[IngestError: ddlSchema column x: unsupported type GEOMETRY]`,
    );
  });

  test("Csv: declared options and schema become explicit read_csv options (no sniffing)", () => {
    const sql = readStepSql(
      { kind: "Csv", separator: ";", header: true, nullValue: "NA", ddlSchema: ["a DATE", "b STRING"] },
      "/d/it's.csv",
    );
    expect(sql).toBe(
      "SELECT * FROM read_csv('/d/it''s.csv', delim = ';', quote = '\"', escape = '\"', header = true, nullstr = 'NA', strict_mode = true, null_padding = false, ignore_errors = false, auto_detect = false, columns = {'a': 'DATE', 'b': 'VARCHAR'})",
    );
  });

  test("Parquet: lossless casts to the declared types stay plain casts; others are checked", () => {
    const read: ReadStep = { kind: "Parquet", ddlSchema: ["a BIGINT", "b DOUBLE", "c STRING", "d DECIMAL(12, 3)"] };
    const matching = new Map([
      ["a", "INTEGER"],
      ["b", "FLOAT"],
      ["c", "VARCHAR"],
      ["d", "DECIMAL(10,2)"],
    ]);
    expect(readStepSql(read, "/d/x.parquet", { parquetTypes: matching })).toBe(
      `SELECT CAST("a" AS BIGINT) AS "a", CAST("b" AS DOUBLE) AS "b", CAST("c" AS VARCHAR) AS "c", CAST("d" AS DECIMAL(12, 3)) AS "d" FROM (SELECT * FROM read_parquet('/d/x.parquet'))`,
    );
    const narrowing = new Map([...matching, ["a", "DOUBLE"]]);
    expect(readStepSql(read, "/d/x.parquet", { parquetTypes: narrowing })).toMatch(/^SELECT CASE WHEN "a" IS NULL/);
  });

  test("unsupported read steps and encodings are named", () => {
    expect(() => readStepSql({ kind: "GeoJson" }, "x")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedStepError: Read step GeoJson is not supported by this implementation]`,
    );
    expect(() => readStepSql({ kind: "Csv", encoding: "ebcdic" }, "x")).toThrow(/Encoding "ebcdic"/);
  });
});
