import type { DuckDBConnection } from "@duckdb/node-api";
import { SliceReadError } from "./errors";

export type SliceStats = {
  rowCount: number;
  /** First and last `offset` (null for a file without rows). */
  firstOffset: number | null;
  lastOffset: number | null;
  /** Latest `event_time` as RFC 3339 UTC (`...Z`, milliseconds only when non-zero), null when none. */
  maxEventTime: string | null;
};

/**
 * Reads what verification and watermarks need from a slice: row count, offset range and the latest
 * event time. Uses Parquet statistics where DuckDB can. Throws `SliceReadError` for unreadable files
 * or files without the `offset`/`event_time` system columns.
 */
export async function readSliceStats(connection: DuckDBConnection, path: string): Promise<SliceStats> {
  const source = `read_parquet('${path.replaceAll("'", "''")}')`;
  let row: unknown[] | undefined;
  try {
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::BIGINT, min("offset")::BIGINT, max("offset")::BIGINT, epoch_ms(max(event_time))::BIGINT FROM ${source}`,
    );
    row = reader.getRowsJS()[0];
  } catch (cause) {
    const problem = ((cause as Error).message ?? String(cause)).split("\n")[0] ?? "";
    throw new SliceReadError({ path, problem, cause });
  }
  const [count, first, last, maxMs] = (row ?? []).map((v) => (v === null || v === undefined ? null : Number(v)));
  return {
    rowCount: count ?? 0,
    firstOffset: first ?? null,
    lastOffset: last ?? null,
    maxEventTime: maxMs === null || maxMs === undefined ? null : formatMillis(maxMs),
  };
}

function formatMillis(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
