import { describe, expect, test } from "vitest";
import type { QueryResult, ResultColumn } from "../engines/types";
import { canonicalJson } from "./canonicalJson";
import { layoutJsonData } from "./outputData";
import { stringifyJson } from "./stringifyJson";

const column = (name: string, duckdbType: string, tag: ResultColumn["tag"]): ResultColumn => ({
  name,
  duckdbType,
  tag,
});

/** Values as the engine normalizes them (runQuery.test covers the same path through DuckDB). */
const sample: Pick<QueryResult, "columns" | "rows"> = {
  columns: [
    column("id", "INTEGER", "integer"),
    column("big", "BIGINT", "integer"),
    column("f", "DOUBLE", "float"),
    column("ts", "TIMESTAMP", "timestamp"),
    column("d", "DECIMAL(10,2)", "decimal"),
    column("b", "BLOB", "binary"),
    column("l", "DOUBLE[]", "list"),
  ],
  rows: [
    [1n, 9007199254740993n, 1, "2024-09-02T21:50:00Z", "12.30", Uint8Array.of(1, 255), [1.5, 2]],
    [2n, null, Number.NaN, "2024-09-02T21:50:00.25Z", "-0.05", null, []],
  ],
};

describe("layoutJsonData", () => {
  test("JsonAoS: ints exact (beyond 2^53 too), floats stay floats, NaN null, binary hex", () => {
    const data = layoutJsonData(sample, "JsonAoS");
    expect(stringifyJson(data)).toBe(
      '[{"id":1,"big":9007199254740993,"f":1.0,"ts":"2024-09-02T21:50:00Z","d":"12.30","b":"01ff","l":[1.5,2.0]},' +
        '{"id":2,"big":null,"f":null,"ts":"2024-09-02T21:50:00.25Z","d":"-0.05","b":null,"l":[]}]',
    );
    expect(canonicalJson(data)).toContain('"f":1E0');
  });

  test("JsonSoA and JsonAoA keep column order; a duplicated name keeps its last column", () => {
    expect(stringifyJson(layoutJsonData(sample, "JsonSoA"))).toBe(
      '{"id":[1,2],"big":[9007199254740993,null],"f":[1.0,null],"ts":["2024-09-02T21:50:00Z","2024-09-02T21:50:00.25Z"],' +
        '"d":["12.30","-0.05"],"b":["01ff",null],"l":[[1.5,2.0],[]]}',
    );
    expect(stringifyJson(layoutJsonData(sample, "JsonAoA"))).toBe(
      '[[1,9007199254740993,1.0,"2024-09-02T21:50:00Z","12.30","01ff",[1.5,2.0]],[2,null,null,"2024-09-02T21:50:00.25Z","-0.05",null,[]]]',
    );
    const dup = { columns: [column("a", "INTEGER", "integer"), column("a", "VARCHAR", "string")], rows: [[1n, "x"]] };
    expect(stringifyJson(layoutJsonData(dup, "JsonAoS"))).toBe('[{"a":"x"}]');
    expect(stringifyJson(layoutJsonData(dup, "JsonSoA"))).toBe('{"a":["x"]}');
  });
});
