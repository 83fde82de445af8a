import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createStaticResolver } from "../engines/createStaticResolver";
import { createDuckDbEngine } from "../engines/duckdb/createDuckDbEngine";
import type { QueryEngine, QueryResult } from "../engines/types";
import { canonicalJson } from "./canonicalJson";
import { layoutJsonData } from "./outputData";
import { stringifyJson } from "./stringifyJson";

let engine: QueryEngine;
let sample: QueryResult;

beforeAll(async () => {
  engine = await createDuckDbEngine({ resolver: createStaticResolver([]) });
  sample = await engine.query({
    sql: `SELECT * FROM (VALUES
        (1, 9007199254740993::BIGINT, 1.0::DOUBLE, TIMESTAMP '2024-09-02 21:50:00', 12.30::DECIMAL(10,2), '\\x01\\xFF'::BLOB, [1.5, 2.0]::DOUBLE[]),
        (2, NULL, 'NaN'::DOUBLE, TIMESTAMP '2024-09-02 21:50:00.25', -0.05::DECIMAL(10,2), NULL, [])
      ) AS t(id, big, f, ts, d, b, l) ORDER BY id`,
    datasets: [],
  });
});

afterAll(async () => {
  await engine?.close();
});

describe("layoutJsonData", () => {
  test("JsonAoS: ints exact (beyond 2^53 too), floats stay floats, NaN null, binary hex, RFC 3339 text", () => {
    const data = layoutJsonData(sample, "JsonAoS");
    expect(stringifyJson(data)).toBe(
      '[{"id":1,"big":9007199254740993,"f":1.0,"ts":"2024-09-02T21:50:00Z","d":"12.30","b":"01ff","l":[1.5,2.0]},' +
        '{"id":2,"big":null,"f":null,"ts":"2024-09-02T21:50:00.25Z","d":"-0.05","b":null,"l":[]}]',
    );
    expect(canonicalJson(data)).toContain('"f":1E0');
  });

  test("JsonSoA and JsonAoA keep column order; a duplicated name keeps its last column", async () => {
    expect(stringifyJson(layoutJsonData(sample, "JsonSoA"))).toBe(
      '{"id":[1,2],"big":[9007199254740993,null],"f":[1.0,null],"ts":["2024-09-02T21:50:00Z","2024-09-02T21:50:00.25Z"],' +
        '"d":["12.30","-0.05"],"b":["01ff",null],"l":[[1.5,2.0],[]]}',
    );
    expect(stringifyJson(layoutJsonData(sample, "JsonAoA"))).toBe(
      '[[1,9007199254740993,1.0,"2024-09-02T21:50:00Z","12.30","01ff",[1.5,2.0]],[2,null,null,"2024-09-02T21:50:00.25Z","-0.05",null,[]]]',
    );
    const dup = await engine.query({ sql: "SELECT 1 AS a, 'x' AS a", datasets: [] });
    expect(stringifyJson(layoutJsonData(dup, "JsonAoS"))).toBe('[{"a":"x"}]');
    expect(stringifyJson(layoutJsonData(dup, "JsonSoA"))).toBe('{"a":["x"]}');
  });
});
