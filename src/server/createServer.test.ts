import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createQueryFixture, type QueryFixture } from "../../test/harness/queryFixture";
import { parseJson } from "../query/parseJson";
import { nodeKeyFromSecret } from "../query/proof";
import { createServer } from "./createServer";

const nodeKey = nodeKeyFromSecret(new Uint8Array(32).fill(5));
let fx: QueryFixture;
let app: FastifyInstance;
/** The same engine behind tight limits, for the limit tests only (a loaded CI machine must not trip the others). */
let limited: FastifyInstance;
let registry: Registry;

beforeAll(async () => {
  fx = await createQueryFixture();
  registry = new Registry();
  app = await createServer({
    engine: fx.engine,
    resolver: fx.resolver,
    nodeKey,
    metrics: registry,
  });
  limited = await createServer({
    engine: fx.engine,
    resolver: fx.resolver,
    metrics: new Registry(),
    limits: { maxResultBytes: 4096, timeoutMs: 300 },
  });
});
afterAll(async () => {
  await limited?.close();
  await app?.close();
  await fx?.close();
});

type Reply = { status: number; body: Record<string, unknown>; text: string };
async function post(url: string, body: unknown, target = app): Promise<Reply> {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const res = await target.inject({ method: "POST", url, payload, headers: { "content-type": "application/json" } });
  return { status: res.statusCode, body: res.json(), text: res.body };
}
const kindOf = (reply: Reply) => (reply.body.error as { kind?: string } | undefined)?.kind;

const weather = () => [{ id: fx.weatherId, alias: "weather" }];
const agg = "SELECT city, avg(temp) AS t FROM weather GROUP BY city ORDER BY city";

describe("POST /query and GET /query", () => {
  test("POST /query: rows, recorded head and a proof", async () => {
    const reply = await post("/query", { query: agg, datasets: weather(), include: ["Proof"] });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('"data":[{"city":"Oslo","t":-0.7166666666666667},{"city":"Rome","t":12.4}]');
    expect(reply.body).toMatchObject({
      input: { datasets: [{ id: fx.weatherId, alias: "weather", blockHash: fx.blocks[1] }] },
      subQueries: [],
      proof: { type: "Ed25519Signature2020", verificationMethod: nodeKey.did },
    });
  });

  test("GET /query: query-string form sees every dataset under its alias", async () => {
    const res = await app.inject({
      method: "GET",
      url: `/query?query=${encodeURIComponent("SELECT count(*) AS n FROM weather")}&include=input,schema&dataFormat=json-aoa`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      input: {
        include: ["Input", "Schema"],
        dataFormat: "JsonAoA",
        datasets: [{ alias: "weather", blockHash: fx.blocks[1] }],
      },
      output: { data: [[6]], schemaFormat: "ArrowJson" },
    });
  });
});

describe("bad input", () => {
  test.each([
    ["unknown body field", { query: "SELECT 1", datasets: [], limits: 5 }, 422, "InvalidRequest::Schema"],
    [
      "unknown dataset field",
      { query: "SELECT 1", datasets: [{ id: "x", alias: "a", hash: "f" }] },
      422,
      "InvalidRequest::Schema",
    ],
    ["bad dataFormat", { query: "SELECT 1", dataFormat: "Csv" }, 422, "InvalidRequest::Schema"],
    ["negative skip", { query: "SELECT 1", skip: -1 }, 422, "InvalidRequest::Schema"],
    ["float limit", '{"query":"SELECT 1","limit":1.0}', 422, "InvalidRequest::Schema"],
    ["other dialect", { query: "SELECT 1", queryDialect: "SqlDataFusion" }, 400, "InvalidRequest::BadRequest"],
  ])("POST /query: %s → %i %s", async (_name, body, status, kind) => {
    const reply = await post("/query", body);
    expect([reply.status, kindOf(reply)]).toEqual([status, kind]);
  });

  test("POST /query: a body that is not JSON → 400 InvalidRequest::BadJson", async () => {
    const reply = await post("/query", '{"query": "SELECT 1",');
    expect([reply.status, kindOf(reply)]).toEqual([400, "InvalidRequest::BadJson"]);
  });

  test("GET /query: unknown parameter → 422", async () => {
    const res = await app.inject({ method: "GET", url: "/query?query=SELECT%201&bogus=1" });
    expect([res.statusCode, res.json().error.kind]).toEqual([422, "InvalidRequest::Schema"]);
  });

  test.each([
    ["DDL", "CREATE TABLE t (a INT)"],
    ["DML", "INSERT INTO weather VALUES (1)"],
    ["two statements", "SELECT 1; SELECT 2"],
    ["PRAGMA", "PRAGMA database_list"],
    ["ATTACH", "ATTACH '/tmp/x.db' AS x"],
    ["COPY", "COPY (SELECT 1) TO '/tmp/x.csv'"],
    ["INSTALL", "INSTALL httpfs"],
    ["LOAD", "LOAD httpfs"],
    ["read_csv", "SELECT * FROM read_csv('/etc/passwd')"],
    ["read_text", "SELECT * FROM read_text('/etc/passwd')"],
    ["random()", "SELECT random() AS r"],
    ["now()", "SELECT now() AS t"],
    ["uuid()", "SELECT uuid() AS u"],
  ])("POST /query: %s is refused", async (_name, query) => {
    const reply = await post("/query", { query, datasets: weather() });
    expect([400, 403]).toContain(reply.status);
    expect(kindOf(reply)).toMatch(/^Query::(Forbidden|Invalid)$/);
  });

  test("POST /query: volatile function is named in the error", async () => {
    const reply = await post("/query", { query: "SELECT random() AS r", datasets: weather() });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ kind: "Query::Forbidden", function: "random" });
  });

  test("POST /query: unknown alias → 400 Query::Invalid", async () => {
    const reply = await post("/query", { query: "SELECT * FROM nowhere", datasets: weather() });
    expect([reply.status, kindOf(reply)]).toEqual([400, "Query::Invalid"]);
  });

  test("POST /query: dataset id not in the workspace → 404 Dataset::NotFound", async () => {
    const reply = await post("/query", { query: "SELECT 1", datasets: [{ id: fx.unknownId, alias: "x" }] });
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({ kind: "Dataset::NotFound", dataset_id: fx.unknownId });
  });

  test("POST /query: block hash not in the dataset → 404 Dataset::BlockNotFound", async () => {
    const blockHash = `f1620${"ab".repeat(32)}`;
    const reply = await post("/query", { query: "SELECT 1", datasets: [{ id: fx.weatherId, alias: "w", blockHash }] });
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({
      kind: "Dataset::BlockNotFound",
      dataset_id: fx.weatherId,
      block_hash: blockHash,
    });
  });

  test("POST /query: malformed block hash → 400 Dataset::InvalidBlockHash", async () => {
    const reply = await post("/query", {
      query: "SELECT 1",
      datasets: [{ id: fx.weatherId, alias: "w", blockHash: "f1620zz" }],
    });
    expect([reply.status, kindOf(reply)]).toEqual([400, "Dataset::InvalidBlockHash"]);
  });

  test("POST /query: result over the size limit → 413 Query::Limit::Bytes", async () => {
    const body = { query: "SELECT repeat('x', 1000) AS s FROM weather", datasets: weather() };
    const reply = await post("/query", body, limited);
    expect([reply.status, kindOf(reply)]).toEqual([413, "Query::Limit::Bytes"]);
  });

  test("POST /query: a query past the time limit is interrupted → 408 Query::Limit::Time", async () => {
    const query =
      "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 1000000000) SELECT count(*) AS n FROM r";
    const reply = await post("/query", { query, datasets: [] }, limited);
    expect([reply.status, kindOf(reply)]).toEqual([408, "Query::Limit::Time"]);
  });
});

describe("POST /verify", () => {
  let signedText: string;
  beforeAll(async () => {
    const reply = await post("/query", {
      query: 'SELECT city, temp, "offset" FROM weather ORDER BY "offset"',
      datasets: weather(),
      include: ["Proof"],
    });
    signedText = reply.text;
  });

  test("POST /verify: the response of POST /query verifies (with and without output)", async () => {
    expect(await post("/verify", signedText)).toMatchObject({ status: 200, body: { ok: true } });
    const { output: _o, ...rest } = parseJson(signedText) as Record<string, unknown>;
    expect(await post("/verify", JSON.stringify(rest))).toMatchObject({ status: 200, body: { ok: true } });
  });

  test("POST /verify: any one-character change fails with the kind of the part it touched", async () => {
    const parsed = JSON.parse(signedText) as Record<string, unknown>;
    // Where each top-level member's text lies, to know which part a change touches.
    const regions = Object.keys(parsed).map((key) => ({ key, start: signedText.indexOf(`"${key}":`) }));
    regions.sort((a, b) => a.start - b.start);
    const regionAt = (pos: number) => [...regions].reverse().find((r) => r.start <= pos)?.key ?? "";
    const expected: Record<string, string[]> = {
      input: ["InvalidRequest::InputHash", "InvalidRequest::Schema"],
      subQueries: ["InvalidRequest::SubQueriesHash", "InvalidRequest::Schema"],
      commitment: [
        "InvalidRequest::InputHash",
        "InvalidRequest::SubQueriesHash",
        "InvalidRequest::BadSignature",
        "InvalidRequest::Schema",
      ],
      proof: ["InvalidRequest::BadSignature", "InvalidRequest::Schema"],
      output: ["VerificationFailed::OutputMismatch", "InvalidRequest::Schema"],
      engine: ["InvalidRequest::Schema"],
    };
    // Every 7th character that is a letter or digit (so the JSON stays well formed), plus a few fixed ones.
    const positions: number[] = [];
    for (let i = 0; i < signedText.length; i += 7) if (/[A-Za-z0-9]/.test(signedText.charAt(i))) positions.push(i);
    expect(positions.length).toBeGreaterThan(50);
    let engineTouched = 0;
    for (const pos of positions) {
      const c = signedText.charAt(pos);
      const replacement = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === "a" ? "b" : "a";
      const mutated = signedText.slice(0, pos) + replacement + signedText.slice(pos + 1);
      const reply = await post("/verify", mutated);
      const region = regionAt(pos);
      if (region === "engine") {
        // The engine record is not committed: changing it alone leaves the proof valid.
        engineTouched++;
        continue;
      }
      expect(reply.status, `position ${pos} (${region})`).not.toBe(200);
      expect(expected[region], `position ${pos} (${region}) → ${kindOf(reply)}`).toContain(kindOf(reply));
    }
    expect(engineTouched).toBeLessThan(positions.length / 4);
  });
});

describe("service routes", () => {
  test("GET /health names the engine and the node key", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.json()).toMatchObject({ ok: true, engine: { name: "duckdb" }, nodeDid: nodeKey.did });
  });

  test("GET /metrics: Prometheus text with request counters and latency histograms", async () => {
    const res = await app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/odf_http_requests_total\{method="POST",route="\/query",status="200"\} \d+/);
    expect(res.body).toContain("odf_http_request_duration_seconds_bucket");
    expect(res.body).toMatch(/odf_verify_total\{result="ok"\} \d+/);
  });

  test("GET /openapi.json documents the routes; GET /docs serves the docs page", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.0.3");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/query", "/verify", "/health"]));
    expect(doc.paths["/query"].post.requestBody.content["application/json"].schema.properties).toHaveProperty(
      "datasets",
    );
    const docs = await app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger");
  });
});
