import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createQueryFixture, type QueryFixture } from "../../test/harness/queryFixture";
import { canonicalJson } from "./canonicalJson";
import { computeCommitment, sha3Multihash } from "./commitment";
import { SigningNotConfiguredError } from "./errors";
import type { JsonValue } from "./jsonValue";
import { parseJson } from "./parseJson";
import { nodeKeyFromSecret, signCommitment } from "./proof";
import { type QueryRequestInput, queryRequestSchema } from "./queryRequest";
import { replayResponse } from "./replayResponse";
import { asJson, type QueryResponse, runQuery } from "./runQuery";
import { stringifyJson } from "./stringifyJson";
import { verifyProof } from "./verifyProof";
import { verifyQuery } from "./verifyQuery";

const nodeKey = nodeKeyFromSecret(new Uint8Array(32).fill(3));
let fx: QueryFixture;
let deps: Parameters<typeof runQuery>[0];

beforeAll(async () => {
  fx = await createQueryFixture();
  deps = { engine: fx.engine, resolver: fx.resolver, nodeKey };
});
afterAll(async () => fx?.close());

const request = (body: QueryRequestInput) => queryRequestSchema.parse(body);
/** The response as a client sees it: serialized, then parsed keeping floats. */
const overTheWire = (response: QueryResponse): Record<string, JsonValue> =>
  parseJson(stringifyJson(asJson(response))) as Record<string, JsonValue>;

/** Re-commits and re-signs a tampered response with the node key (a node lying consistently). */
function resign(body: Record<string, JsonValue>): Record<string, JsonValue> {
  const commitment = computeCommitment({
    input: body.input ?? null,
    output: body.output ?? null,
    subQueries: body.subQueries ?? null,
  });
  return { ...body, commitment, proof: signCommitment(commitment, nodeKey) };
}

const sql = "SELECT city, avg(temp) AS t, count(*) AS n FROM weather GROUP BY city ORDER BY city";

describe("runQuery", () => {
  test("runQuery: signed response with the normalized input, floats kept as floats", async () => {
    const response = await runQuery(
      deps,
      request({ query: sql, datasets: [{ id: fx.weatherId, alias: "weather" }], include: ["proof"] }),
    );
    expect(response.input).toEqual({
      query: sql,
      queryDialect: "SqlDuckDb",
      dataFormat: "JsonAoS",
      include: ["Input", "Proof"],
      datasets: [{ id: fx.weatherId, alias: "weather", blockHash: fx.blocks[1] }],
      skip: 0,
      limit: 100,
    });
    expect(stringifyJson(response.output.data)).toBe(
      '[{"city":"Oslo","t":-0.7166666666666667,"n":3},{"city":"Rome","t":12.4,"n":3}]',
    );
    expect(response.subQueries).toEqual([]);
    expect(response.commitment).toEqual({
      inputHash: sha3Multihash(asJson(response.input!)),
      outputHash: sha3Multihash(asJson(response.output)),
      subQueriesHash: "f1620ca4510738395af1429224dd785675309c344b2b549632e20275c69b15ed1d210",
    });
    expect(response.proof?.verificationMethod).toBe(nodeKey.did);
    expect(response.engine.name).toBe("duckdb");
    // The output hash covers floats in canonical form: a DOUBLE 1.0 is 1E0, not 1.
    const one = await runQuery(deps, request({ query: "SELECT 1.0::DOUBLE AS x, 1 AS i", datasets: [] }));
    expect(canonicalJson(one.output as never)).toBe('{"data":[{"i":1,"x":1E0}],"dataFormat":"JsonAoS"}');
  });

  test("runQuery: pinning a block hash reads only the data up to it", async () => {
    const response = await runQuery(
      deps,
      request({
        query: "SELECT count(*) AS n FROM w",
        datasets: [{ id: fx.weatherId, alias: "w", blockHash: fx.blocks[0] }],
      }),
    );
    expect(stringifyJson(response.output.data)).toBe('[{"n":3}]');
    expect(response.input).toBeUndefined();
  });

  test("runQuery: data formats, dash/case variants, skip and limit, schema", async () => {
    const base = { query: 'SELECT city, temp FROM weather ORDER BY "offset"', skip: 1, limit: 2 };
    const soa = await runQuery(deps, request({ ...base, dataFormat: "json-soa" }));
    expect(stringifyJson(soa.output.data)).toBe('{"city":["Rome","Oslo"],"temp":[12.5,-3.25]}');
    const aoa = await runQuery(deps, request({ ...base, dataFormat: "JsonAoa", schemaFormat: "OdfJson" }));
    expect(stringifyJson(aoa.output.data)).toBe('[["Rome",12.5],["Oslo",-3.25]]');
    expect(aoa.output.dataFormat).toBe("JsonAoA");
    expect(aoa.output.schema).toEqual({
      fields: [
        { name: "city", type: { kind: "String" } },
        { name: "temp", type: { kind: "Float64" } },
      ],
    });
    const arrow = await runQuery(deps, request({ ...base, include: ["Schema"] }));
    expect(arrow.output.schemaFormat).toBe("ArrowJson");
    expect(arrow.output.schema).toEqual({
      fields: [
        { name: "city", nullable: true, type: { name: "utf8" }, children: [] },
        { name: "temp", nullable: true, type: { name: "floatingpoint", precision: "DOUBLE" }, children: [] },
      ],
    });
  });

  test("runQuery: Proof without a node key is refused", async () => {
    await expect(
      runQuery({ ...deps, nodeKey: undefined }, request({ query: sql, include: ["Proof"] })),
    ).rejects.toThrow(SigningNotConfiguredError);
  });
});

describe("verifyQuery", () => {
  let signed: Record<string, JsonValue>;
  beforeAll(async () => {
    signed = overTheWire(
      await runQuery(
        deps,
        request({ query: sql, datasets: [{ id: fx.weatherId, alias: "weather" }], include: ["Proof"] }),
      ),
    );
  });

  test("verifyQuery: a signed response verifies, with and without its output", async () => {
    expect(await verifyQuery(deps, signed)).toEqual({ ok: true });
    const { output: _output, ...withoutOutput } = signed;
    expect(await verifyQuery(deps, withoutOutput)).toEqual({ ok: true });
  });

  test("verifyQuery: each tampering is reported with its kind", async () => {
    const input = signed.input as Record<string, JsonValue>;
    const commitment = signed.commitment as Record<string, string>;
    const proof = signed.proof as Record<string, string>;
    const kindOf = async (body: Record<string, JsonValue>) => {
      const result = await verifyQuery(deps, body);
      return result.ok ? "ok" : result.error.kind;
    };
    expect(await kindOf({ ...signed, input: { ...input, skip: 1 } })).toBe("InvalidRequest::InputHash");
    expect(await kindOf({ ...signed, subQueries: [{}] })).toBe("InvalidRequest::SubQueriesHash");
    expect(await kindOf({ ...signed, commitment: { ...commitment, outputHash: sha3Multihash(1) } })).toBe(
      "InvalidRequest::BadSignature",
    );
    expect(await kindOf({ ...signed, proof: { ...proof, type: "Ed25519Signature2018" } })).toBe(
      "InvalidRequest::BadSignature",
    );
    expect(await kindOf({ ...signed, output: { data: [], dataFormat: "JsonAoS" } })).toBe(
      "VerificationFailed::OutputMismatch",
    );

    // A consistently signed lie about the output is caught by the replay.
    const { output: _o, ...lie } = resign({ ...signed, output: { data: [], dataFormat: "JsonAoS" } });
    const replay = await verifyQuery(deps, lie);
    expect(replay).toMatchObject({
      ok: false,
      error: { kind: "VerificationFailed::OutputMismatch", actual_hash: commitment.outputHash },
    });

    const datasets = input.datasets as Record<string, JsonValue>[];
    const unknown = resign({ ...signed, input: { ...input, datasets: [{ ...datasets[0], id: fx.unknownId }] } });
    expect(await verifyQuery(deps, unknown)).toMatchObject({
      ok: false,
      error: { kind: "VerificationFailed::DatasetNotFound", dataset_id: fx.unknownId },
    });
    const missingBlock = sha3Multihash("no such block");
    const noBlock = resign({ ...signed, input: { ...input, datasets: [{ ...datasets[0], blockHash: missingBlock }] } });
    expect(await verifyQuery(deps, noBlock)).toMatchObject({
      ok: false,
      error: { kind: "VerificationFailed::DatasetBlockNotFound", dataset_id: fx.weatherId, block_hash: missingBlock },
    });
  });

  test("verifyQuery: a float aggregation replays to identical output hashes", async () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await runQuery(
        deps,
        request({ query: "SELECT sum(temp * 1.1) AS s, stddev(temp) AS d FROM weather", include: ["Proof"] }),
      );
      hashes.add(r.commitment!.outputHash);
    }
    expect(hashes.size).toBe(1);
  });
});

describe("verifyProof and replayResponse", () => {
  let signed: Record<string, JsonValue>;
  beforeAll(async () => {
    const body = {
      query: 'SELECT city, temp FROM weather ORDER BY "offset"',
      dataFormat: "JsonSoA",
      include: ["Proof"],
    };
    signed = overTheWire(await runQuery(deps, request(body)));
  });

  test("verifyProof: offline check of hashes and signature", () => {
    expect(verifyProof(signed)).toEqual({ ok: true });
    const input = signed.input as Record<string, JsonValue>;
    expect(verifyProof({ ...signed, input: { ...input, query: "SELECT 2" } })).toMatchObject({
      ok: false,
      error: { kind: "InvalidRequest::InputHash" },
    });
    const output = signed.output as Record<string, JsonValue>;
    expect(verifyProof({ ...signed, output: { ...output, dataFormat: "JsonAoS" } })).toMatchObject({
      ok: false,
      error: { kind: "VerificationFailed::OutputMismatch" },
    });
  });

  test("replayResponse: MATCH for an honest response, the first differing row for a lie", async () => {
    expect(await replayResponse(deps, signed)).toEqual({
      match: true,
      outputHash: (signed.commitment as Record<string, string>).outputHash,
    });
    const output = signed.output as { data: { city: JsonValue[]; temp: JsonValue[] } };
    const temp = [...output.data.temp];
    temp[4] = 99;
    const lie = resign({ ...signed, output: { ...(signed.output as object), data: { ...output.data, temp } } });
    const result = await replayResponse(deps, lie);
    expect(result).toMatchObject({ match: false, firstDifference: { row: 4, expected: { city: "Oslo", temp: 99 } } });
    expect(stringifyJson((result as { firstDifference: { actual: JsonValue } }).firstDifference.actual)).toBe(
      '{"city":"Oslo","temp":0.1}',
    );
  });
});
