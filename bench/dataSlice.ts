import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openDuckDb } from "../src/engines/duckdb/openDuckDb";
import { logicalHash } from "../src/odf/data/logicalHash";
import { physicalHash } from "../src/odf/data/physicalHash";
import { writeDataSlice } from "../src/odf/data/writeDataSlice";
import { type Figure, report } from "./lib/report";

/**
 * Data slice ingest vs DuckDB's own CSV -> Parquet COPY, on EVM-log-like rows.
 * `npm run bench -- dataSlice [rows=1000000]`
 */
export async function run(args: string[]): Promise<void> {
  const rows = Number(args[0] ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), "odf-bench-slice-"));
  const db = await openDuckDb();
  const c = db.connection;
  const csv = join(dir, "logs.csv");
  try {
    await c.run(`COPY (SELECT range AS block_number, (range % 200)::INTEGER AS log_index,
        '0x' || sha256(range::VARCHAR) AS transaction_hash, '0x' || left(md5(range::VARCHAR), 40) AS address,
        range * 1.25 AS value, TIMESTAMP '2024-01-01' + INTERVAL (range) SECOND AS block_timestamp
      FROM range(${rows})) TO '${csv}' (HEADER)`);
    const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
      const t = performance.now();
      const r = await f();
      return [r, performance.now() - t];
    };
    const [, baseline] = await time(() =>
      c.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${join(dir, "baseline.parquet")}' (FORMAT PARQUET)`),
    );
    const [, load] = await time(() =>
      c.run(`CREATE TABLE logs AS SELECT *, block_timestamp AS event_time FROM read_csv('${csv}')`),
    );
    const [written, write] = await time(() =>
      writeDataSlice(c, { source: "logs", startOffset: 0, systemTime: "2024-06-01T00:00:00Z", outputDir: dir }),
    );
    if (written === null) throw new Error("no rows written");
    const [, logical] = await time(() => logicalHash(c, written.path));
    const [, physical] = await time(() => physicalHash(written.path));
    const ingest = load + write;
    const figures: Figure[] = [
      { name: "rows", value: rows, unit: "rows" },
      { name: "duckdb_csv_to_parquet", value: baseline, unit: "ms", note: "baseline COPY" },
      { name: "ingest_total", value: ingest, unit: "ms", note: "CSV -> table + writeDataSlice" },
      { name: "ingest_vs_baseline", value: ingest / baseline, unit: "x", note: "budget 2x" },
      { name: "csv_to_table", value: load, unit: "ms" },
      { name: "write_data_slice", value: write, unit: "ms", note: "COPY + both hashes" },
      { name: "logical_hash", value: logical, unit: "ms" },
      { name: "logical_hash_rows_per_s", value: rows / (logical / 1000), unit: "rows/s" },
      { name: "physical_hash", value: physical, unit: "ms" },
      { name: "slice_bytes", value: written.slice.size, unit: "B" },
    ];
    // Wall-clock ratios are only meaningful on an idle machine: record how busy this one was.
    report("dataSlice", figures, { loadAverage1m: loadavg()[0] });
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
