import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDuckDb } from "../src/engines/duckdb/openDuckDb";
import { pullDataset } from "../src/ingest/pullers";
import { appendData } from "../src/odf/workspace/appendData";
import { initWorkspace } from "../src/odf/workspace/workspace";
import { replayTransforms } from "../src/transform/replayTransforms";
import { setTransform } from "../src/transform/setTransform";
import { percentile, report } from "./lib/report";

const QUERY =
  "SELECT op, event_time, id, station, value * 2 AS doubled, upper(category) AS category FROM events WHERE value > 25";

const rows = (from: number, n: number) =>
  `SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS event_time, i AS id, 'station-' || (i % 997) AS station,
     (i % 1000) / 10.0 AS value, 'category-' || (i % 13) AS category FROM range(${from}, ${from + n}) t(i)`;

/**
 * Derivative transform benchmark: a 1,000,000-row root dataset (4 slices), a map/filter derivative
 * pulled once over all of it, then rounds of 1,000 new rows: the incremental pull (`incrementalMs`,
 * median of the rounds) against a full recompute of a fresh derivative over everything (`fullMs`),
 * and `odf verify --replay` throughput over the whole history (`replayRowsPerSec`, input records).
 * Args: `[history rows] [new rows] [rounds]`.
 */
export async function run(args: string[]): Promise<void> {
  const history = Number(args[0] ?? 1_000_000);
  const fresh = Number(args[1] ?? 1_000);
  const rounds = Number(args[2] ?? 3);
  const dir = await fs.mkdtemp(path.join(tmpdir(), "odf-bench-transform-"));
  const db = await openDuckDb();
  try {
    const ws = await initWorkspace(dir, { fsync: false });
    const events = await ws.create({ alias: "events", kind: "Root" });
    const parts = 4;
    for (let p = 0; p < parts; p++) {
      const n = Math.floor(history / parts);
      await appendData(events, { connection: db.connection, source: rows(p * n, n) });
    }
    const derived = await ws.create({ alias: "derived", kind: "Derivative" });
    await setTransform(ws, derived, { inputs: [{ datasetRef: "events" }], query: QUERY });
    let t = performance.now();
    const initial = await pullDataset(ws, "derived");
    const initialMs = performance.now() - t;

    const incremental: number[] = [];
    let next = history;
    for (let r = 0; r < rounds; r++) {
      await appendData(events, { connection: db.connection, source: rows(next, fresh) });
      next += fresh;
      t = performance.now();
      const outcome = await pullDataset(ws, "derived");
      incremental.push(performance.now() - t);
      if (outcome.inputRows !== fresh) throw new Error(`incremental pull read ${outcome.inputRows} rows`);
    }

    const full = await ws.create({ alias: "full", kind: "Derivative" });
    await setTransform(ws, full, { inputs: [{ datasetRef: "events" }], query: QUERY });
    t = performance.now();
    const fullOutcome = await pullDataset(ws, "full");
    const fullMs = performance.now() - t;

    t = performance.now();
    const replay = await replayTransforms(ws, derived);
    const replayMs = performance.now() - t;
    if (!replay.ok) throw new Error(`replay failed: ${replay.mismatch?.message}`);

    const incrementalMs = percentile(incremental, 50);
    report(
      "transform",
      [
        { name: "historyRows", value: history, unit: "rows" },
        { name: "newRows", value: fresh, unit: "rows", note: `per round, ${rounds} rounds` },
        { name: "initialMs", value: initialMs, unit: "ms", note: `first pull, ${initial.rowCount} rows out` },
        { name: "incrementalMs", value: incrementalMs, unit: "ms", note: "median incremental pull" },
        { name: "incrementalMaxMs", value: Math.max(...incremental), unit: "ms" },
        { name: "fullMs", value: fullMs, unit: "ms", note: `full recompute, ${fullOutcome.inputRows} rows in` },
        { name: "speedup", value: fullMs / incrementalMs, unit: "x" },
        { name: "replayMs", value: replayMs, unit: "ms", note: `${replay.blocks} ExecuteTransform blocks` },
        { name: "replayRowsPerSec", value: Math.round(replay.inputRows / (replayMs / 1000)), unit: "rows/s" },
      ],
      { query: QUERY },
    );
  } finally {
    db.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
