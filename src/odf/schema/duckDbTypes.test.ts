import { describe, expect, test } from "vitest";
import { duckDbTypeOf, odfSchemaOfDuckDb, odfTypeOfDuckDb } from "./duckDbTypes";

describe("duckDbTypes", () => {
  test("nested DuckDB types map to ODF types and back", () => {
    const text = 'STRUCT("from" BLOB, amounts DECIMAL(38,0)[], "we,ird" MAP(VARCHAR, INTEGER))';
    const odf = odfTypeOfDuckDb(text);
    expect(odf).toEqual({
      kind: "Struct",
      fields: [
        { name: "from", type: { kind: "Binary" } },
        { name: "amounts", type: { kind: "List", itemType: { kind: "Decimal", precision: 38, scale: 0 } } },
        { name: "we,ird", type: { kind: "Map", keyType: { kind: "String" }, valueType: { kind: "Int32" } } },
      ],
    });
    expect(duckDbTypeOf(odf)).toBe('STRUCT("from" BLOB, "amounts" DECIMAL(38, 0)[], "we,ird" MAP(VARCHAR, INTEGER))');
  });
  test("system columns", () => {
    expect(
      odfSchemaOfDuckDb([
        { name: "offset", type: "BIGINT" },
        { name: "op", type: "INTEGER" },
        { name: "system_time", type: "TIMESTAMP WITH TIME ZONE" },
        { name: "value", type: "DOUBLE" },
        { name: "tags", type: "VARCHAR[3]" },
      ]).fields.map((f) => f.type),
    ).toEqual([
      { kind: "Int64" },
      { kind: "Int32" },
      { kind: "Timestamp", unit: "Millisecond", timezone: "UTC" },
      { kind: "Float64" },
      { kind: "List", itemType: { kind: "String" }, fixedLength: 3 },
    ]);
  });
});
