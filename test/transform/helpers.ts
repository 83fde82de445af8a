import { type DuckDb, openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { appendData } from "../../src/odf/workspace/appendData";
import type { Dataset } from "../../src/odf/workspace/workspace";

/** One reading of the test root dataset: `[op, "YYYY-MM-DD HH:MM", station, temperature °F]`. */
export type Reading = [number, string, string, number];

/** Appends readings to a root dataset (one AddData) through a real DuckDB connection. */
export async function appendReadings(db: DuckDb, dataset: Dataset, rows: readonly Reading[]): Promise<void> {
  const values = rows
    .map(([op, time, station, temp]) => `(${op}, TIMESTAMPTZ '${time}:00+00', '${station}', ${temp}::DOUBLE)`)
    .join(", ");
  await appendData(dataset, {
    connection: db.connection,
    source: `SELECT * FROM (VALUES ${values}) AS t(op, event_time, station, temp)`,
  });
}

/** Every record of a dataset (all slices, in offset order) as plain objects, system columns included. */
export async function readRecords(db: DuckDb, dataset: Dataset): Promise<Record<string, unknown>[]> {
  const state = await dataset.chain.state();
  if (state.slices.length === 0) return [];
  const files = state.slices.map((s) => `'${dataset.store.objectPath("data", s.slice.physicalHash)}'`).join(", ");
  const reader = await db.connection.runAndReadAll(
    `SELECT * EXCLUDE (system_time, event_time), strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS t FROM read_parquet([${files}], union_by_name = true) ORDER BY "offset"`,
  );
  return reader.getRowObjectsJS().map((r) => ({ ...r, offset: Number(r.offset) }));
}

/** A DuckDB database for reading test data. */
export const openTestDb = () => openDuckDb({ threads: 1 });
