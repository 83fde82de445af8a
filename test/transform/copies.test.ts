import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DuckDb } from "../../src/engines/duckdb/openDuckDb";
import { initWorkspace } from "../../src/odf/workspace/workspace";
import { executeTransform } from "../../src/transform/executeTransform";
import { replayTransforms } from "../../src/transform/replayTransforms";
import { setTransform } from "../../src/transform/setTransform";
import { appendReadings, openTestDb, readRecords } from "./helpers";

let dir: string;
let db: DuckDb;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "odf-transform-copies-"));
  db = await openTestDb();
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

test("a copy holding the inputs under other aliases replays and runs the derivative by the recorded input ids", async () => {
  const producer = await initWorkspace(path.join(dir, "producer"), { fsync: false });
  const weather = await producer.create({ alias: "weather", kind: "Root" });
  await appendReadings(db, weather, [
    [0, "2024-01-01 00:00", "a", 50],
    [0, "2024-01-01 01:00", "b", 68],
  ]);
  const celsius = await producer.create({ alias: "celsius", kind: "Derivative" });
  await setTransform(producer, celsius, {
    inputs: [{ datasetRef: "weather" }],
    query: "SELECT op, event_time, station, (temp - 32) / 1.8 AS c FROM weather",
  });
  expect((await executeTransform(producer, celsius)).rowCount).toBe(2);

  // An auditor's workspace: the same datasets, the input under another alias.
  const auditor = await initWorkspace(path.join(dir, "auditor"), { fsync: false });
  await cp(weather.dir, path.join(auditor.dir, "wcopy"), { recursive: true });
  await cp(celsius.dir, path.join(auditor.dir, "celsius"), { recursive: true });
  const copy = await auditor.open("celsius");
  expect(await replayTransforms(auditor, copy)).toMatchObject({ ok: true, blocks: 1, outputRows: 2 });

  await appendReadings(db, await auditor.open("wcopy"), [[0, "2024-01-01 02:00", "c", 86]]);
  expect((await executeTransform(auditor, copy)).rowCount).toBe(1);
  expect((await readRecords(db, copy)).map((r) => [r.station, r.c])).toEqual([
    ["a", 10],
    ["b", 20],
    ["c", 30],
  ]);
});
