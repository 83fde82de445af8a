import { randomUUID } from "node:crypto";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, type DuckDBType, DuckDBTypeId } from "@duckdb/node-api";
import { FIXED_INTEGER_TYPES } from "../../engines/duckdb/integerTypes";
import type { DataSlice } from "../metadata/types";
import { processOwnedName, removeOrphans } from "../orphans";
import { SliceSourceError, SliceTimestampError, SliceWriteError } from "./errors";
import { quoteIdent } from "./hashPlan";
import { logicalHash } from "./logicalHash";
import { markTimestampsUtc } from "./markTimestampsUtc";
import { physicalHash } from "./physicalHash";

export type WriteDataSliceParameters = {
  /**
   * The records: a table or view name (`t`, `main.t`, `"My Table"`) or a SELECT query. Columns:
   * `op` (integer 0..3, optional, default 0), `event_time` (TIMESTAMP[TZ] or DATE; optional when
   * `eventTime` is given), then the data columns in the order they should appear. `offset` and
   * `system_time` are reserved.
   */
  source: string;
  /**
   * SQL `ORDER BY` list fixing the record order, and so the offsets (`"block_number, log_index"`).
   * Without it the order is the source's own: a table's insertion (rowid) order, or the query's
   * output order (give the query its own ORDER BY).
   */
  orderBy?: string | undefined;
  /**
   * The source numbers its own records: `column` holds 0..rowCount-1 in output order, so offsets are
   * `startOffset + column` and the source is written as it streams (a query over files need not be
   * materialized first). The column is not written; the written file's row count and offset range
   * are checked against `rowCount`.
   */
  rowIndex?: { column: string; rowCount: number } | undefined;
  /** Offset of the first record: the dataset's last offset + 1, or 0 for the first slice. */
  startOffset: number;
  /** `system_time` of every record, RFC 3339 (stored truncated to milliseconds, UTC). */
  systemTime: string;
  /** `event_time` for records without one (no column, or NULL), RFC 3339. */
  eventTime?: string | undefined;
  /**
   * Directory the file is written to, under a temporary name (`.slice-<pid>-<random>.parquet`); the
   * first write of a process into a directory removes such files of processes that were killed.
   */
  outputDir: string;
  /** Rows per Parquet row group (default 122880, DuckDB's). Part of the file bytes, not of the logical hash. */
  rowGroupSize?: number | undefined;
};

export type WriteDataSliceReturnType = {
  /** The written file, under its temporary name; the storage layer renames it to `data/<physicalHash>`. */
  path: string;
  rowCount: number;
  /** The ODF `DataSlice` of the file (offsets closed: `end = start + rowCount - 1`). */
  slice: DataSlice;
} | null;

/**
 * Writes ONE Parquet data slice with DuckDB `COPY ... TO (FORMAT PARQUET)`: system columns first —
 * `offset` BIGINT (contiguous from `startOffset`), `op` INTEGER, `system_time` and `event_time`
 * (TIMESTAMP MILLIS, UTC-adjusted) — then the data columns, and returns its hashes.
 *
 * The writer options are fixed (Snappy, `rowGroupSize`, Parquet v1), so the same records
 * always give the same bytes with the same DuckDB version. Returns `null` and writes nothing when
 * the source has no rows. Throws `SliceSourceError` (bad column types, reserved names, op outside
 * 0..3, missing event time), `SliceTimestampError`, or `SliceWriteError`.
 */
export async function writeDataSlice(
  connection: DuckDBConnection,
  params: WriteDataSliceParameters,
): Promise<WriteDataSliceReturnType> {
  const { startOffset } = params;
  if (!Number.isSafeInteger(startOffset) || startOffset < 0) {
    throw new RangeError(`startOffset must be a non-negative safe integer, got ${startOffset}`);
  }
  const rowGroupSize = params.rowGroupSize ?? 122_880;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new RangeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  }
  const systemTime = timestampLiteral("systemTime", params.systemTime);
  const eventTime = params.eventTime === undefined ? undefined : timestampLiteral("eventTime", params.eventTime);
  const relation = isRelationName(params.source) ? params.source : `(${params.source})`;

  const described = await describeSource(connection, relation);
  const rowIndex = params.rowIndex;
  const indexColumn =
    rowIndex === undefined ? undefined : described.find((c) => c.name.toLowerCase() === rowIndex.column.toLowerCase());
  if (rowIndex !== undefined) {
    if (params.orderBy !== undefined) throw new RangeError("rowIndex and orderBy cannot be combined");
    if (!Number.isSafeInteger(rowIndex.rowCount) || rowIndex.rowCount < 0) {
      throw new RangeError(`rowIndex.rowCount must be a non-negative safe integer, got ${rowIndex.rowCount}`);
    }
    if (indexColumn === undefined || !FIXED_INTEGER_TYPES.has(indexColumn.type.typeId)) {
      throw new SliceSourceError(`The slice source has no integer row index column ${JSON.stringify(rowIndex.column)}`);
    }
  }
  const columns = described.filter((c) => c !== indexColumn);
  const select = selectList(columns, systemTime, eventTime);

  let table = relation;
  let scratch: string | undefined;
  await removeOrphanSlices(params.outputDir);
  const path = join(params.outputDir, processOwnedName(".slice", ".parquet"));
  try {
    if (rowIndex !== undefined && indexColumn !== undefined) {
      if (rowIndex.rowCount === 0) return null;
      const index = quoteIdent(indexColumn.name);
      const order = (await preservesInsertionOrder(connection)) ? "" : ` ORDER BY ${index}`;
      await copyToParquet(
        connection,
        `SELECT (${startOffset}::BIGINT + ${index}::BIGINT) AS "offset", ${select} FROM ${relation} AS src${order}`,
        path,
        rowGroupSize,
      );
      return await finish(connection, path, startOffset, rowIndex.rowCount, true);
    }
    let rowCount = params.orderBy === undefined ? await contiguousRowCount(connection, relation) : undefined;
    if (rowCount === undefined) {
      // Materialize in the wanted order: a fresh table's rowids are 0..n-1 in insertion order.
      scratch = `__odf_slice_${randomUUID().replaceAll("-", "")}`;
      const order = params.orderBy === undefined ? "" : ` ORDER BY ${params.orderBy}`;
      await run(connection, `CREATE TEMP TABLE ${scratch} AS SELECT * FROM ${relation} AS src${order}`);
      table = scratch;
      rowCount = (await contiguousRowCount(connection, scratch)) ?? 0;
    }
    if (rowCount === 0) return null;

    // With preserve_insertion_order (DuckDB's default) a table scan is in rowid order; sorting is
    // only needed (and paid for) when the connection turned it off.
    const order = (await preservesInsertionOrder(connection)) ? "" : " ORDER BY rowid";
    await copyToParquet(
      connection,
      `SELECT (${startOffset}::BIGINT + rowid) AS "offset", ${select} FROM ${table}${order}`,
      path,
      rowGroupSize,
    );
    return await finish(connection, path, startOffset, rowCount);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  } finally {
    if (scratch !== undefined) await run(connection, `DROP TABLE IF EXISTS ${scratch}`);
  }
}

/** Output directories already cleared of killed writes' files by this process. */
const sweptDirs = new Set<string>();

async function removeOrphanSlices(dir: string): Promise<void> {
  if (sweptDirs.has(dir)) return;
  sweptDirs.add(dir);
  await removeOrphans(dir, ".slice");
}

async function copyToParquet(connection: DuckDBConnection, query: string, path: string, rowGroupSize: number) {
  await run(
    connection,
    `COPY (${query}) TO '${path.replaceAll("'", "''")}' ` +
      `(FORMAT PARQUET, COMPRESSION SNAPPY, ROW_GROUP_SIZE ${rowGroupSize}, PARQUET_VERSION V1)`,
  );
}

/** Checks that a file written from a numbered source has offsets `start .. start + rowCount - 1`, each once. */
async function checkOffsets(connection: DuckDBConnection, path: string, start: number, rowCount: number) {
  const file = `'${path.replaceAll("'", "''")}'`;
  const reader = await connection.runAndReadAll(
    `SELECT count(*)::BIGINT, count(DISTINCT "offset")::BIGINT, min("offset")::BIGINT, max("offset")::BIGINT FROM read_parquet(${file})`,
  );
  const [count, distinct, min, max] = (reader.getRowsJS()[0] ?? []).map(Number);
  if (count !== rowCount || distinct !== rowCount || min !== start || max !== start + rowCount - 1) {
    throw new SliceSourceError(
      `The slice source's row index does not number its ${rowCount} rows 0..${rowCount - 1} (wrote ${count} rows, ${distinct} distinct offsets ${min}..${max})`,
    );
  }
}

/**
 * Marks the system timestamps UTC-adjusted, checks the offsets when asked, then hashes the file.
 * Nothing may read the file before it is marked: DuckDB caches a Parquet footer it has read.
 */
async function finish(
  connection: DuckDBConnection,
  path: string,
  startOffset: number,
  rowCount: number,
  checkOffsetRange = false,
) {
  await markTimestampsUtc(path, ["system_time", "event_time"]);
  if (checkOffsetRange) await checkOffsets(connection, path, startOffset, rowCount);
  const [physical, logical, { size }] = await Promise.all([
    physicalHash(path),
    logicalHash(connection, path),
    stat(path),
  ]);
  return {
    path,
    rowCount,
    slice: {
      logicalHash: logical,
      physicalHash: physical,
      offsetInterval: { start: startOffset, end: startOffset + rowCount - 1 },
      size,
    },
  };
}

const IDENT = `(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const RELATION_NAME = new RegExp(String.raw`^${IDENT}(?:\.${IDENT}){0,2}$`);

/** Whether `source` is a (possibly qualified) table or view name rather than a query. */
function isRelationName(source: string): boolean {
  return RELATION_NAME.test(source.trim());
}

const OP_ERROR = "odf-slice: op must be an integer 0..3";
const EVENT_TIME_ERROR = "odf-slice: event_time is NULL and no eventTime default was given";

const TIME_TYPES = new Set([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.DATE,
]);

type Column = { name: string; type: DuckDBType };

async function describeSource(connection: DuckDBConnection, relation: string): Promise<Column[]> {
  let described: Awaited<ReturnType<DuckDBConnection["run"]>>;
  try {
    described = await connection.run(`SELECT * FROM ${relation} AS src LIMIT 0`);
  } catch (cause) {
    throw new SliceSourceError(`Cannot read the slice source: ${firstLine(cause)}`, { cause });
  }
  const types = described.columnTypes();
  const columns = described.columnNames().map((name, i) => ({ name, type: types[i]! }));
  const seen = new Set<string>();
  for (const { name } of columns) {
    const key = name.toLowerCase();
    if (seen.has(key)) throw new SliceSourceError(`The slice source has two columns named ${JSON.stringify(name)}`);
    seen.add(key);
    if (key === "offset" || key === "system_time") {
      throw new SliceSourceError(
        `The slice source must not have a ${JSON.stringify(name)} column (it is a system column)`,
      );
    }
  }
  return columns;
}

/** The SELECT list after `offset`: op, system_time, event_time, then the data columns. */
function selectList(columns: readonly Column[], systemTime: string, eventTime: string | undefined): string {
  const find = (name: string) => columns.find((c) => c.name.toLowerCase() === name);
  const op = find("op");
  const ev = find("event_time");
  let opExpr = "0::INTEGER";
  if (op !== undefined) {
    if (!FIXED_INTEGER_TYPES.has(op.type.typeId)) {
      throw new SliceSourceError(`Column "op" must be an integer (0..3), got ${op.type.toString()}`);
    }
    const q = quoteIdent(op.name);
    opExpr = `CASE WHEN ${q} BETWEEN 0 AND 3 THEN ${q}::INTEGER ELSE error('${OP_ERROR}') END`;
  }
  let evExpr: string;
  if (ev !== undefined) {
    if (!TIME_TYPES.has(ev.type.typeId)) {
      throw new SliceSourceError(`Column "event_time" must be a TIMESTAMP or DATE, got ${ev.type.toString()}`);
    }
    const q = quoteIdent(ev.name);
    // TIMESTAMPTZ becomes UTC wall time through its epoch microseconds, so the session TimeZone never
    // matters (`AT TIME ZONE 'UTC'` gives the same values at twice the cost of the whole COPY column).
    const utc = ev.type.typeId === DuckDBTypeId.TIMESTAMP_TZ ? `make_timestamp(epoch_us(${q}))` : q;
    const truncated = `date_trunc('millisecond', ${utc})::TIMESTAMP_MS`;
    evExpr = `CASE WHEN ${q} IS NULL THEN ${eventTime ?? `error('${EVENT_TIME_ERROR}')`} ELSE ${truncated} END`;
  } else if (eventTime !== undefined) {
    evExpr = eventTime;
  } else {
    throw new SliceSourceError('The slice source has no "event_time" column and no eventTime default was given');
  }
  const data = columns.filter((c) => c !== op && c !== ev).map((c) => quoteIdent(c.name));
  return [
    `${opExpr} AS op`,
    `${systemTime} AS system_time`,
    `${evExpr} AS event_time`,
    ...data.map((q) => `${q}`),
  ].join(", ");
}

/** Row count when the relation's rowids are exactly 0..n-1 (a table never deleted from), else undefined. */
async function contiguousRowCount(connection: DuckDBConnection, relation: string): Promise<number | undefined> {
  let rows: unknown[][];
  try {
    rows = (
      await connection.runAndReadAll(
        `SELECT count(*)::BIGINT, coalesce(min(rowid), 0)::BIGINT, coalesce(max(rowid), -1)::BIGINT FROM ${relation}`,
      )
    ).getRowsJS();
  } catch {
    return undefined; // views and queries have no rowid
  }
  const [count, min, max] = (rows[0] ?? []).map(Number) as [number, number, number];
  return min === 0 && max === count - 1 ? count : undefined;
}

async function preservesInsertionOrder(connection: DuckDBConnection): Promise<boolean> {
  const rows = (await connection.runAndReadAll("SELECT current_setting('preserve_insertion_order')")).getRowsJS();
  return rows[0]?.[0] === true;
}

async function run(connection: DuckDBConnection, sql: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (cause) {
    const message = firstLine(cause);
    if (message.includes(OP_ERROR))
      throw new SliceSourceError('Column "op" has a value outside 0..3 or NULL', { cause });
    if (message.includes(EVENT_TIME_ERROR)) {
      throw new SliceSourceError('Column "event_time" has NULLs and no eventTime default was given', { cause });
    }
    throw new SliceWriteError(`Writing the data slice failed: ${message}`, { cause });
  }
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split("\n")[0] ?? "";
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp as a DuckDB TIMESTAMP_MS literal of the UTC instant (truncated to ms). */
function timestampLiteral(name: string, text: string): string {
  const m = RFC3339.exec(text);
  if (m === null) throw new SliceTimestampError({ name, value: text });
  const [, y, mo, d, h, mi, s, frac = "", zone = "Z"] = m as unknown as string[];
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0..99 as given
  check.setUTCHours(hour, minute, second, 0);
  const local = check.getTime();
  if (
    month < 1 ||
    month > 12 ||
    check.getUTCDate() !== day ||
    check.getUTCFullYear() !== year ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    (zone.length === 6 && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59))
  ) {
    throw new SliceTimestampError({ name, value: text });
  }
  const offsetMinutes =
    zone.length === 6
      ? (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
      : 0;
  const epochMs = local - offsetMinutes * 60_000 + Number(frac.padEnd(3, "0").slice(0, 3));
  return `make_timestamp(${epochMs}::BIGINT * 1000)::TIMESTAMP_MS`;
}
