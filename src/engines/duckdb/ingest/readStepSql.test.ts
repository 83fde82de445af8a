import { describe, expect, test } from "vitest";
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

  test("unsupported read steps and encodings are named", () => {
    expect(() => readStepSql({ kind: "GeoJson" }, "x")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedStepError: Read step GeoJson is not supported by this implementation]`,
    );
    expect(() => readStepSql({ kind: "Csv", encoding: "ebcdic" }, "x")).toThrow(/Encoding "ebcdic"/);
  });
});
