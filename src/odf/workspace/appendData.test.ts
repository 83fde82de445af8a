import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DuckDb, openDuckDb } from "../../engines/duckdb/openDuckDb";
import { createFileHasher } from "../verify/fileHasher";
import { verifyDataset } from "../verify/verifyDataset";
import { appendData, SchemaEvolutionError } from "./appendData";
import { initWorkspace, type Workspace } from "./workspace";

describe("appendData and verify", () => {
  let dir: string;
  let ws: Workspace;
  let db: DuckDb;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-append-"));
    ws = await initWorkspace(dir, { fsync: false });
    db = await openDuckDb();
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("writes schema then data, continues offsets, carries the watermark, verifies", async () => {
    const ds = await ws.create({ alias: "temps", kind: "Root" });
    const first = await appendData(ds, {
      connection: db.connection,
      source:
        "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i::BIGINT) AS event_time, 'st' || (i % 2) AS station, (i * 1.5)::DOUBLE AS value FROM range(5) t(i)",
      orderBy: "event_time",
    });
    expect(first.rowCount).toBe(5);
    expect(first.schemaBlockHash).toBeDefined();
    expect(first.slice?.offsetInterval).toEqual({ start: 0, end: 4 });
    const second = await appendData(ds, {
      connection: db.connection,
      source: "SELECT TIMESTAMPTZ '2023-01-01 00:00:00+00' AS event_time, 'st9' AS station, 2.5::DOUBLE AS value",
      sourceState: { sourceName: "default", kind: "odf/etag", value: "v2" },
    });
    expect(second.schemaBlockHash).toBeUndefined();
    expect(second.slice?.offsetInterval).toEqual({ start: 5, end: 5 });
    const state = await ds.chain.state();
    expect(state.watermark).toBe("2024-01-01T04:00:00Z");
    expect(state.sourceStates.default?.value).toBe("v2");

    const empty = await appendData(ds, {
      connection: db.connection,
      source:
        "SELECT * FROM (SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_time, 'x' AS station, 1.0::DOUBLE AS value) WHERE false",
    });
    expect(empty).toEqual({ rowCount: 0 });

    const hasher = await createFileHasher();
    try {
      const report = await verifyDataset(ds.chain, { hasher });
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, blocks: 4, dataFiles: 2 });
    } finally {
      await hasher.close();
    }
  });

  test("accepts an added column, refuses a removed or retyped one, and leaves no file behind", async () => {
    const ds = await ws.create({ alias: "evolve", kind: "Root" });
    const base = "TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_time";
    await appendData(ds, { connection: db.connection, source: `SELECT ${base}, 1 AS a` });
    const added = await appendData(ds, { connection: db.connection, source: `SELECT ${base}, 2 AS a, 'x' AS b` });
    expect(added.schemaBlockHash).toBeDefined();
    await expect(appendData(ds, { connection: db.connection, source: `SELECT ${base}, 3 AS a` })).rejects.toThrow(
      'Schema change refused: column "b" was removed',
    );
    await expect(
      appendData(ds, { connection: db.connection, source: `SELECT ${base}, 'text' AS a, 'y' AS b` }),
    ).rejects.toBeInstanceOf(SchemaEvolutionError);
    const files = await readdir(path.join(ds.dir, "data"));
    expect(files.filter((f) => f.startsWith("."))).toEqual([]);
    expect(files).toHaveLength(2);
  });

  test("a failed head move removes the slice the append moved into data/", async () => {
    const ds = await ws.create({ alias: "failing", kind: "Root" });
    const source = "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_time, 1 AS a";
    const first = await appendData(ds, { connection: db.connection, source });
    const head = await ds.chain.head();
    // Fault injection: the head move fails after the slice is in place (as when another writer
    // moved the head, or the disk fills up).
    const failing = {
      ...ds,
      chain: {
        ...ds.chain,
        appendMany: async () => {
          throw new Error("head move failed");
        },
      },
    };
    const more = "SELECT TIMESTAMPTZ '2024-01-02 00:00:00+00' AS event_time, 2 AS a";
    await expect(appendData(failing, { connection: db.connection, source: more })).rejects.toThrow("head move failed");
    expect(await readdir(path.join(ds.dir, "data"))).toEqual([first.slice?.physicalHash]);
    expect(await ds.chain.head()).toBe(head);
  });

  test("verify names the block and file of a changed, a missing and a resized data file", async () => {
    const ds = await ws.open("temps");
    const state = await ds.chain.state();
    const [a, b] = state.slices;
    if (!a || !b) throw new Error("fixture has two slices");
    const fileA = ds.store.objectPath("data", a.slice.physicalHash);
    const original = await import("node:fs/promises").then((fs) => fs.readFile(fileA));
    const changed = Buffer.from(original);
    changed[100] = (changed[100] ?? 0) ^ 1;
    await writeFile(fileA, changed);
    const moved = `${ds.store.objectPath("data", b.slice.physicalHash)}.bak`;
    await import("node:fs/promises").then((fs) => fs.rename(ds.store.objectPath("data", b.slice.physicalHash), moved));
    const hasher = await createFileHasher();
    try {
      const report = await verifyDataset(ds.chain, { hasher });
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        {
          sequenceNumber: a.sequenceNumber,
          file: `data/${a.slice.physicalHash}`,
          message: expect.stringMatching(/^physical hash is f1620/),
        },
        { sequenceNumber: b.sequenceNumber, file: `data/${b.slice.physicalHash}`, message: "file is missing" },
      ]);
    } finally {
      await hasher.close();
      await writeFile(fileA, original);
      await import("node:fs/promises").then((fs) =>
        fs.rename(moved, ds.store.objectPath("data", b.slice.physicalHash)),
      );
    }
  });
});
