import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDuckDb } from "../src/engines/duckdb/openDuckDb";
import { addDatasets } from "../src/ingest/addDatasets";
import { ingestPush } from "../src/ingest/ingestPush";
import { parseDatasetSnapshotYaml } from "../src/odf/metadata/yaml";
import { initWorkspace, type Workspace } from "../src/odf/workspace/workspace";
import { percentile, report } from "./lib/report";

const COLUMNS =
  "{'event_time': 'TIMESTAMPTZ', 'id': 'BIGINT', 'station': 'VARCHAR', 'value': 'DOUBLE', 'category': 'VARCHAR', 'note': 'VARCHAR'}";
const SCHEMA = [
  "{ fields: [",
  "{ name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } },",
  "{ name: id, type: { kind: Int64 } }, { name: station, type: { kind: String } },",
  "{ name: value, type: { kind: Float64 } }, { name: category, type: { kind: String } },",
  "{ name: note, type: { kind: String } } ] }",
].join(" ");

function manifest(name: string, merge: string): string {
  return `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: { kind: Csv, header: true, schema: ${SCHEMA} }
      merge: ${merge}
`;
}

// ~100 bytes per row: a timestamp, an id, a station, a value, a category and a short note.
const ROWS_SQL = (n: number, changed: string) =>
  `SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS event_time, i AS id, 'station-' || (i % 997) AS station,
     (i % 1000) / 10.0 + ${changed} AS value, 'category-' || (i % 13) AS category, 'observation note number ' || i AS note FROM range(${n}) t(i)`;

async function writeCsv(file: string, sql: string): Promise<void> {
  const db = await openDuckDb();
  try {
    await db.connection.run(`COPY (${sql}) TO '${file}' (HEADER, DELIMITER ',')`);
  } finally {
    db.close();
  }
}

async function add(ws: Workspace, yaml: string): Promise<void> {
  await addDatasets(
    ws,
    parseDatasetSnapshotYaml(yaml).map((snapshot) => ({ file: "bench.yaml", snapshot })),
  );
}

/** `npm run bench -- ingest [rows]`: CLI latency of a small ingest, bulk Append and Snapshot throughput. */
export async function run(args: string[]): Promise<void> {
  const rows = Number(args[0] ?? 1_000_000);
  const dir = await fs.mkdtemp(path.join(tmpdir(), "odf-bench-ingest-"));
  try {
    const wsDir = path.join(dir, "ws");
    const ws = await initWorkspace(wsDir);
    const bin = path.resolve(__dirname, "..", "..", "bin", "odf");

    // 1. Whole-process `odf ingest` of a 4 KiB CSV into an existing dataset, median of 10.
    await add(ws, manifest("small", "{ kind: Append }"));
    const small = path.join(dir, "small.csv");
    await writeCsv(small, `${ROWS_SQL(52, "0")} `);
    const smallBytes = (await fs.stat(small)).size;
    await ingestPush(ws, "small", small);
    const smallTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [bin, "--workspace", wsDir, "ingest", "small", small], {
        encoding: "utf8",
      });
      smallTimes.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`odf ingest failed: ${r.stderr}`);
    }
    const inProcessTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await ingestPush(ws, "small", small);
      inProcessTimes.push(performance.now() - t);
    }
    const helpTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      spawnSync(process.execPath, [bin, "--help"]);
      helpTimes.push(performance.now() - t);
    }

    // 2. Bulk Append of `rows` rows, against DuckDB's own CSV -> Parquet copy of the same file.
    const big = path.join(dir, "big.csv");
    await writeCsv(big, ROWS_SQL(rows, "0"));
    const bigBytes = (await fs.stat(big)).size;
    const db = await openDuckDb();
    let duckMs: number;
    try {
      const t = performance.now();
      await db.connection.run(
        `COPY (SELECT * FROM read_csv('${big}', header = true, auto_detect = false, columns = ${COLUMNS})) TO '${path.join(dir, "x.parquet")}' (FORMAT parquet)`,
      );
      duckMs = performance.now() - t;
    } finally {
      db.close();
    }
    await add(ws, manifest("bulk", "{ kind: Append }"));
    let t = performance.now();
    await ingestPush(ws, "bulk", big);
    const appendMs = performance.now() - t;

    // 3. Snapshot merge: a state of `rows` rows, then the same snapshot with 1% of rows changed.
    await add(ws, manifest("snap", "{ kind: Snapshot, primaryKey: [id] }"));
    await ingestPush(ws, "snap", big);
    const changed = path.join(dir, "changed.csv");
    await writeCsv(changed, ROWS_SQL(rows, "CASE WHEN i % 100 = 0 THEN 1000 ELSE 0 END"));
    t = performance.now();
    const snap = await ingestPush(ws, "snap", changed);
    const snapshotMs = performance.now() - t;

    report(
      "ingest",
      [
        {
          name: "smallCsvMs",
          value: percentile(smallTimes, 50),
          unit: "ms",
          note: `median of 10, ${smallBytes} B CSV`,
        },
        {
          name: "smallIngestInProcessMs",
          value: percentile(inProcessTimes, 50),
          unit: "ms",
          note: "ingestPush, median of 10",
        },
        { name: "cliHelpMs", value: percentile(helpTimes, 50), unit: "ms", note: "odf --help, median of 5" },
        {
          name: "rowsPerSec",
          value: Math.round(rows / (appendMs / 1000)),
          unit: "rows/s",
          note: `${rows} rows, ${(bigBytes / 1e6).toFixed(0)} MB`,
        },
        { name: "appendMs", value: Math.round(appendMs), unit: "ms" },
        { name: "duckDbCopyMs", value: Math.round(duckMs), unit: "ms" },
        { name: "ratioToDuckDbCopy", value: appendMs / duckMs, unit: "x" },
        {
          name: "snapshotRowsPerSec",
          value: Math.round(rows / (snapshotMs / 1000)),
          unit: "rows/s",
          note: `${snap.rowCount} records written`,
        },
        { name: "snapshotMs", value: Math.round(snapshotMs), unit: "ms" },
      ],
      { rows, bigBytes },
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
