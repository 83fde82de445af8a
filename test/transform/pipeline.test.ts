import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DuckDb } from "../../src/engines/duckdb/openDuckDb";
import type { ExecuteTransform } from "../../src/odf/metadata/types";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { runningEngineVersion } from "../../src/transform/engine";
import { runCli } from "../harness/cli";
import { appendReadings, openTestDb, readRecords } from "./helpers";

const CELSIUS_V1 = "SELECT op, event_time, station, (temp - 32) / 1.8 AS temp_c FROM readings WHERE station <> 'bad'";
const CELSIUS_V2 =
  "SELECT op, event_time, station, round((temp - 32) / 1.8, 1) AS temp_c, temp > 100 AS hot FROM readings WHERE station <> 'bad'";
const WARM = "SELECT * FROM celsius WHERE temp_c > 20";

describe("root -> derivative -> derivative pipeline", () => {
  let dir: string;
  let ws: Workspace;
  let db: DuckDb;
  const odf = (...args: string[]) => runCli("--workspace", dir, ...args);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-transform-"));
    ws = await initWorkspace(dir, { fsync: false });
    db = await openTestDb();
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const executeBlocks = async (alias: string) => {
    const out: ExecuteTransform[] = [];
    for await (const b of (await ws.open(alias)).chain.iterate()) {
      if (b.block.event.kind === "ExecuteTransform") out.unshift(b.block.event);
    }
    return out;
  };

  test("updates incrementally over three rounds with a query migration, propagates retractions, replays", async () => {
    const readings = await ws.create({ alias: "readings", kind: "Root" });
    await appendReadings(db, readings, [
      [0, "2024-01-01 00:00", "a", 50],
      [0, "2024-01-01 01:00", "bad", 90],
      [0, "2024-01-01 02:00", "b", 86],
    ]);
    let r = await odf(
      "dataset",
      "new",
      "celsius",
      "--kind",
      "derivative",
      "--input",
      "readings",
      "--query",
      CELSIUS_V1,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    r = await odf("dataset", "new", "warm", "--kind", "derivative", "--input", "celsius", "--query", WARM);
    expect(r.code).toBe(0);

    // Round 1.
    r = await odf("pull", "warm", "--recursive");
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /^readings: skipped \(no polling source\)\ncelsius: 2 records added \(block f1620[0-9a-f]{64}\)\nwarm: 1 records? added/,
    );
    r = await odf("pull", "warm", "--recursive");
    expect(r.stdout).toBe("readings: skipped (no polling source)\ncelsius: up to date\nwarm: up to date\n");

    // Round 2: a query migration on celsius, then new readings including a retraction and corrections.
    r = await odf("transform", "set", "celsius", "--query", CELSIUS_V2);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`SetTransform f1620`);
    await appendReadings(db, readings, [
      [1, "2024-01-01 02:00", "b", 86],
      [2, "2024-01-01 00:00", "a", 50],
      [3, "2024-01-01 00:00", "a", 104],
      [0, "2024-01-01 03:00", "c", 212],
    ]);
    r = await odf("pull", "warm", "--recursive");
    expect(r.stdout).toContain("celsius: 4 records added");
    expect(r.stdout).toContain("warm: 3 records added");

    // Round 3.
    await appendReadings(db, readings, [
      [0, "2024-01-01 04:00", "bad", 300],
      [0, "2024-01-01 05:00", "d", 95],
    ]);
    r = await odf("pull", "celsius");
    expect(r.stdout).toMatch(/celsius: 1 records? added/);
    r = await odf("pull", "warm");
    expect(r.stdout).toMatch(/warm: 1 records? added/);

    const celsius = await ws.open("celsius");
    expect((await readRecords(db, celsius)).map((x) => [x.offset, x.op, x.t, x.station, x.temp_c, x.hot])).toEqual([
      [0, 0, "2024-01-01 00:00", "a", 10, null],
      [1, 0, "2024-01-01 02:00", "b", 30, null],
      [2, 1, "2024-01-01 02:00", "b", 30, false],
      [3, 2, "2024-01-01 00:00", "a", 10, false],
      [4, 3, "2024-01-01 00:00", "a", 40, true],
      [5, 0, "2024-01-01 03:00", "c", 100, true],
      [6, 0, "2024-01-01 05:00", "d", 35, false],
    ]);
    const warm = await ws.open("warm");
    expect((await readRecords(db, warm)).map((x) => [x.offset, x.op, x.station, x.temp_c])).toEqual([
      [0, 0, "b", 30],
      [1, 1, "b", 30],
      [2, 3, "a", 40],
      [3, 0, "c", 100],
      [4, 0, "d", 35],
    ]);

    // Each ExecuteTransform consumed exactly the input records added since the previous one.
    const rootHeads: string[] = [];
    for await (const b of readings.chain.iterate()) if (b.block.event.kind === "AddData") rootHeads.unshift(b.hash);
    const celsiusRuns = await executeBlocks("celsius");
    expect(celsiusRuns.map((e) => e.queryInputs)).toEqual([
      [{ datasetId: readings.id, newBlockHash: rootHeads[0], newOffset: 2 }],
      [
        {
          datasetId: readings.id,
          prevBlockHash: rootHeads[0],
          newBlockHash: rootHeads[1],
          prevOffset: 2,
          newOffset: 6,
        },
      ],
      [
        {
          datasetId: readings.id,
          prevBlockHash: rootHeads[1],
          newBlockHash: rootHeads[2],
          prevOffset: 6,
          newOffset: 8,
        },
      ],
    ]);
    expect(celsiusRuns.map((e) => e.newWatermark)).toEqual([
      "2024-01-01T02:00:00Z",
      "2024-01-01T03:00:00Z",
      "2024-01-01T05:00:00Z",
    ]);
    expect((await executeBlocks("warm")).map((e) => e.newData?.offsetInterval)).toEqual([
      { start: 0, end: 0 },
      { start: 1, end: 3 },
      { start: 4, end: 4 },
    ]);
    const state = await celsius.chain.state();
    expect(state.transform?.transform).toEqual({
      kind: "Sql",
      engine: "duckdb",
      version: runningEngineVersion(),
      query: CELSIUS_V2,
    });
    expect(state.transform?.inputs).toEqual([{ datasetRef: "readings" }]);

    // Replay: every ExecuteTransform reproduces, each with the transform in force at its time.
    r = await odf("verify", "celsius", "--replay");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("replayed 3 ExecuteTransform blocks (9 input records, 7 output records)");
    r = await odf("verify", "warm", "--replay");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("replayed 3 ExecuteTransform blocks (7 input records, 5 output records)");

    // Provenance: the log shows which input blocks and offsets each ExecuteTransform consumed.
    r = await odf("log", "celsius", "-n", "1");
    expect(r.stdout).toContain("kind: ExecuteTransform");
    expect(r.stdout).toContain(`newBlockHash: ${rootHeads[2]}`);
    expect(r.stdout).toContain(`datasetId: ${readings.id}`);
    r = await odf("lineage", "warm");
    const v = runningEngineVersion();
    expect(r.stdout).toBe(
      `warm (Derivative, duckdb ${v})\n└── celsius (Derivative, duckdb ${v})\n    └── readings (Root)\n`,
    );
    r = await odf("lineage", "warm", "--format", "dot");
    expect(r.stdout).toContain('"readings" -> "celsius";');
    expect(r.stdout).toContain('"celsius" -> "warm";');
    expect(r.stdout).toMatch(/^digraph lineage \{/);
  });

  test("odf add: a derivative over two inputs (queries steps, UNION ALL), pinned on add; inputs move independently", async () => {
    const north = await ws.create({ alias: "north", kind: "Root" });
    const south = await ws.create({ alias: "south", kind: "Root" });
    await appendReadings(db, north, [[0, "2024-02-01 00:00", "n1", 70]]);
    await appendReadings(db, south, [[0, "2024-02-01 00:30", "s1", 80]]);
    const manifest = path.join(dir, "both.yaml");
    await writeFile(
      manifest,
      `kind: DatasetSnapshot
version: 1
content:
  name: both
  kind: Derivative
  metadata:
    - kind: SetTransform
      inputs:
        - { datasetRef: north }
        - { datasetRef: south, alias: s }
      transform:
        kind: Sql
        engine: duckdb
        queries:
          - alias: n
            query: SELECT op, event_time, station, temp, 'N' AS side FROM north
          - query: SELECT * FROM n UNION ALL SELECT op, event_time, station, temp, 'S' AS side FROM s
`,
    );
    let r = await odf("add", manifest);
    expect(r.stderr).toBe("");
    const both = await ws.open("both");
    expect((await both.chain.state()).transform?.transform.version).toBe(runningEngineVersion());

    r = await odf("pull", "both");
    expect(r.stdout).toContain("both: 2 records added");
    // Only south moves: north is listed with its previous position and no new one.
    await appendReadings(db, south, [[0, "2024-02-01 01:30", "s2", 81]]);
    r = await odf("pull", "both");
    expect(r.stdout).toMatch(/both: 1 records? added/);
    const runs = await executeBlocks("both");
    const northHead = await north.chain.head();
    expect(runs[1]?.queryInputs[0]).toEqual({ datasetId: north.id, prevBlockHash: northHead, prevOffset: 0 });
    expect(runs[1]?.queryInputs[1]).toMatchObject({ datasetId: south.id, prevOffset: 0, newOffset: 1 });
    // The earliest input watermark: north is still at 00:00.
    expect(runs[1]?.newWatermark).toBe("2024-02-01T00:00:00Z");
    // A north block without data (SetInfo) still advances north, with no output.
    await north.chain.append({ kind: "SetInfo", description: "northern stations" });
    r = await odf("pull", "both");
    expect(r.code).toBe(0);
    const last = (await executeBlocks("both"))[2];
    expect(last?.newData).toBeUndefined();
    expect(last?.queryInputs[0]).toEqual({
      datasetId: north.id,
      prevBlockHash: northHead,
      newBlockHash: await north.chain.head(),
      prevOffset: 0,
    });
    expect((await readRecords(db, both)).map((x) => [x.station, x.side])).toEqual([
      ["n1", "N"],
      ["s1", "S"],
      ["s2", "S"],
    ]);
    r = await odf("verify", "both", "--replay");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("replayed 3 ExecuteTransform blocks (3 input records, 3 output records)");
  });
});
