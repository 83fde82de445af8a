import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { bytesToHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { encodeRequest } from "../../src/oracle/codec/encodeRequest";
import type { DatasetId } from "../../src/oracle/codec/types";
import { RemoteQueryUnavailableError } from "../../src/oracle/provider/errors";
import { executeRequest } from "../../src/oracle/provider/executeRequest";
import { createRemoteQueryRunner } from "../../src/oracle/provider/remoteQueryRunner";
import { computeCommitment } from "../../src/query/commitment";
import type { JsonValue } from "../../src/query/jsonValue";
import { parseJson } from "../../src/query/parseJson";
import { nodeKeyFromSecret, verifyCommitmentSignature } from "../../src/query/proof";
import { createServer } from "../../src/server/createServer";
import { createQueryFixture, type QueryFixture } from "../harness/queryFixture";

describe("executeRequest through a remote ODF node's /query", () => {
  let fixture: QueryFixture;
  let app: FastifyInstance;
  let apiUrl: string;
  const request = (id: string, sql: string) =>
    bytesToHex(encodeRequest({ datasets: [{ alias: "weather", id: id as DatasetId }], sql }));

  beforeAll(async () => {
    fixture = await createQueryFixture();
    app = await createServer({
      engine: fixture.engine,
      resolver: fixture.resolver,
      nodeKey: nodeKeyFromSecret(new Uint8Array(32).fill(3)),
      metrics: new Registry(),
    });
    apiUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  test("remote runner: answers with the node's rows, the head it read, and its signed commitment", async () => {
    const runner = createRemoteQueryRunner({ apiUrl, timeoutMs: 5000 });
    const outcome = await executeRequest(
      { runner, maxRows: 10, maxResultBytes: 65536 },
      request(fixture.weatherId, 'SELECT city, temp FROM weather ORDER BY "offset" LIMIT 2'),
    );
    expect(outcome.kind).toBe("answer");
    if (outcome.kind !== "answer") return;
    expect(decodeResponse(outcome.response)).toEqual({
      ok: true,
      rows: [
        ["Oslo", 1],
        ["Rome", 12.5],
      ],
      state: [{ datasetId: fixture.weatherId, blockHash: fixture.blocks[1] }],
    });
    const signed = parseJson(outcome.commitment!) as { [k: string]: JsonValue } & {
      commitment: { inputHash: string; outputHash: string; subQueriesHash: string };
      proof: { verificationMethod: string; proofValue: string };
    };
    expect(signed.input).toMatchObject({ dataFormat: "JsonAoA", include: ["Input", "Proof"], limit: 11 });
    expect(computeCommitment({ input: signed.input!, output: signed.output!, subQueries: signed.subQueries! })).toEqual(
      signed.commitment,
    );
    expect(verifyCommitmentSignature(signed.commitment, signed.proof)).toBe(true);
  });

  test("remote runner: the node's refusals become error answers; unknown datasets and a down node do not", async () => {
    const runner = createRemoteQueryRunner({ apiUrl, timeoutMs: 5000 });
    const deps = { runner, maxRows: 3, maxResultBytes: 65536 };
    const invalid = await executeRequest(deps, request(fixture.weatherId, "SELEC 1"));
    expect(invalid).toMatchObject({ kind: "answer", error: { reason: "invalid_sql" } });
    const tooMany = await executeRequest(deps, request(fixture.weatherId, "SELECT * FROM weather"));
    expect(tooMany).toMatchObject({
      kind: "answer",
      error: { reason: "too_many_rows", message: "Result has more than 3 rows" },
    });
    expect(await executeRequest(deps, request(fixture.unknownId, "SELECT * FROM weather"))).toEqual({
      kind: "unknown_dataset",
      datasetId: fixture.unknownId,
    });
    const down = createRemoteQueryRunner({ apiUrl: "http://127.0.0.1:9", timeoutMs: 1000 });
    await expect(
      executeRequest({ ...deps, runner: down }, request(fixture.weatherId, "SELECT 1")),
    ).rejects.toThrowError(RemoteQueryUnavailableError);
  });
});
