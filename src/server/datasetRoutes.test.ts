import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDuckDbEngine } from "../engines/duckdb/createDuckDbEngine";
import { openDuckDb } from "../engines/duckdb/openDuckDb";
import type { QueryEngine } from "../engines/types";
import { appendData } from "../odf/workspace/appendData";
import { pullRemote } from "../odf/workspace/pullRemote";
import { type Dataset, initWorkspace, type Workspace } from "../odf/workspace/workspace";
import { createWorkspaceResolver } from "../odf/workspace/workspaceResolver";
import { nodeKeyFromSecret } from "../query/proof";
import { createServer } from "./createServer";

let dir: string;
let ws: Workspace;
let dataset: Dataset;
let engine: QueryEngine;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "odf-serve-"));
  ws = await initWorkspace(path.join(dir, "a"), { fsync: false });
  dataset = await ws.create({ alias: "temps", kind: "Root" });
  const db = await openDuckDb();
  for (const from of [0, 3]) {
    await appendData(dataset, {
      connection: db.connection,
      source: `SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i::BIGINT) AS event_time, 'st' || i AS station, (i * 1.5)::DOUBLE AS value FROM range(${from}, ${from + 3}) t(i)`,
      orderBy: "event_time",
    });
  }
  db.close();
  const resolver = createWorkspaceResolver(ws);
  engine = await createDuckDbEngine({ resolver });
  app = await createServer({
    engine,
    resolver,
    workspace: ws,
    nodeKey: nodeKeyFromSecret(new Uint8Array(32).fill(4)),
    metrics: new Registry(),
  });
});
afterAll(async () => {
  await app?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("dataset routes", () => {
  test("GET /datasets lists id, alias and kind", async () => {
    const res = await app.inject({ method: "GET", url: "/datasets" });
    expect(res.json()).toEqual({ datasets: [{ id: dataset.id, alias: "temps", kind: "Root" }] });
  });

  test("GET /datasets/{alias}: id, kind, head, schema, record count (by alias or id)", async () => {
    const head = await dataset.chain.head();
    for (const key of ["temps", dataset.id]) {
      const res = await app.inject({ method: "GET", url: `/datasets/${key}` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ id: dataset.id, alias: "temps", kind: "Root", head, numRecords: 6 });
      expect(body.schema.fields.map((f: { name: string }) => f.name)).toEqual([
        "offset",
        "op",
        "system_time",
        "event_time",
        "station",
        "value",
      ]);
    }
    const missing = await app.inject({ method: "GET", url: "/datasets/nope" });
    expect([missing.statusCode, missing.json().error.kind]).toEqual([404, "Dataset::NotFound"]);
  });

  test("Simple Transfer Protocol: refs/head, blocks, data as raw bytes; 404 and 422 for bad names", async () => {
    const head = (await dataset.chain.head()) as string;
    const ref = await app.inject({ method: "GET", url: "/datasets/temps/refs/head" });
    expect(ref.body).toBe(head);
    const block = await app.inject({ method: "GET", url: `/datasets/temps/blocks/${head}` });
    expect(block.rawPayload.equals(readFileSync(dataset.store.objectPath("blocks", head)))).toBe(true);
    expect(block.headers["content-type"]).toBe("application/octet-stream");
    const state = await dataset.chain.state();
    const dataHash = state.slices[0]!.slice.physicalHash;
    const data = await app.inject({ method: "GET", url: `/datasets/temps/data/${dataHash}` });
    expect(data.rawPayload.equals(readFileSync(dataset.store.objectPath("data", dataHash)))).toBe(true);
    expect(Number(data.headers["content-length"])).toBe(data.rawPayload.length);
    const missing = await app.inject({ method: "GET", url: `/datasets/temps/checkpoints/f1620${"0".repeat(64)}` });
    expect([missing.statusCode, missing.json().error.kind]).toEqual([404, "Transfer::NotFound"]);
    const traversal = await app.inject({ method: "GET", url: "/datasets/temps/data/..%2F..%2Fetc%2Fpasswd" });
    expect(traversal.statusCode).toBe(422);
    const otherRef = await app.inject({ method: "GET", url: "/datasets/temps/refs/main" });
    expect(otherRef.statusCode).toBe(422);
  });

  test("odf pull from our own server copies the dataset, verified, and /query answers over it", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address() as { port: number };
    const other = await initWorkspace(path.join(dir, "b"), { fsync: false });
    const pulled = await pullRemote(other, { url: `http://127.0.0.1:${address.port}/datasets/temps/` });
    expect(pulled).toMatchObject({ alias: "temps", id: dataset.id, head: await dataset.chain.head() });

    const res = await fetch(`http://127.0.0.1:${address.port}/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "SELECT sum(value) AS s FROM t",
        datasets: [{ id: dataset.id, alias: "t" }],
        include: ["Proof"],
      }),
    });
    const text = await res.text();
    expect(text).toContain('"data":[{"s":22.5}]');
    const verify = await fetch(`http://127.0.0.1:${address.port}/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    });
    expect(await verify.json()).toEqual({ ok: true });
  });

  test("a dataset with neither data nor schema → 409 Dataset::Empty; an unknown alias → 404", async () => {
    const empty = await ws.create({ alias: "empty", kind: "Root" });
    const res = await app.inject({
      method: "POST",
      url: "/query",
      payload: { query: "SELECT * FROM e", datasets: [{ id: empty.id, alias: "e" }] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ kind: "Dataset::Empty", dataset_id: empty.id });
    const described = await app.inject({ method: "GET", url: "/datasets/empty" });
    expect(described.json()).toMatchObject({ id: empty.id, schema: null, numRecords: 0 });
    const invalid = await app.inject({ method: "GET", url: "/datasets/..bad" });
    expect([invalid.statusCode, invalid.json().error.kind]).toEqual([404, "Dataset::NotFound"]);
  });
});
