import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { AbiEvent } from "viem";
import { eventColumn, flatEventFields } from "./abiColumns";

/**
 * Raw log columns (DESIGN 5.7), in dataset order, with their DuckDB types and their values from a
 * staged row (the `read_csv` columns of `encodeLogRows`' text).
 */
export const RAW_COLUMNS: readonly { name: string; type: string; staged: string }[] = [
  { name: "block_number", type: "UBIGINT", staged: "bn" },
  { name: "block_hash", type: "BLOB", staged: "from_hex(bh)" },
  { name: "block_timestamp", type: "TIMESTAMPTZ", staged: "to_timestamp(ts)" },
  { name: "transaction_index", type: "UBIGINT", staged: "ti" },
  { name: "transaction_hash", type: "BLOB", staged: "from_hex(th)" },
  { name: "log_index", type: "UBIGINT", staged: "li" },
  { name: "address", type: "BLOB", staged: "from_hex(a)" },
  { name: "topic0", type: "BLOB", staged: "from_hex(t0)" },
  { name: "topic1", type: "BLOB", staged: "from_hex(t1)" },
  { name: "topic2", type: "BLOB", staged: "from_hex(t2)" },
  { name: "topic3", type: "BLOB", staged: "from_hex(t3)" },
  { name: "data", type: "BLOB", staged: "coalesce(from_hex(d), ''::BLOB)" },
];

/** Rows encoded by `encodeLogRows`: the UTF-8 text, its first row's index, its row count and its longest row (UTF-16 units). */
export type StagedRows = { bytes: Uint8Array; firstRow: number; rows: number; longestRow: number };

/** What a commit writes (`appendData`'s `source` and `rowIndex`). */
export type LogSliceSource = { source: string; rowIndex?: { column: string; rowCount: number } };

/** A DuckDB table collecting the rows of the next data slice: retractions first, then new logs. */
export type LogStage = {
  /**
   * Adds tab-separated rows (`encodeLogRows`) to the stage: written to a transient file now, loaded
   * into the table by `load`.
   */
  insertRows(rows: StagedRows): Promise<void>;
  /**
   * Loads the rows added since the last `load` into the table, in order, with one `read_csv` over
   * all their files (one statement per range costs DuckDB about twice the CPU). Call before reading
   * `sourceSql`.
   */
  load(): Promise<void>;
  /**
   * Stages a retraction (`op` = 1, `-R`) of every live log with `block_number > aboveBlock` in the
   * given Parquet slices, ahead of every staged new log. Returns how many.
   */
  insertRetractions(slicePaths: readonly string[], aboveBlock: number): Promise<number>;
  /** The live logs' distinct blocks in `[fromBlock, toBlock]` of the slices, newest first. */
  liveLogBlocks(
    slicePaths: readonly string[],
    fromBlock: number,
    toBlock: number,
  ): Promise<{ number: number; hash: string }[]>;
  /**
   * The staged rows as a slice source: when only new logs are staged, a query straight over their
   * files, numbered by their row index (no table in between: about a third less CPU per commit);
   * with retractions, the table, after loading the files into it. Valid until `clear`.
   */
  sliceSource(): Promise<LogSliceSource>;
  /** Rows staged (loaded or not) since the last `clear`. */
  rowCount(): number;
  /**
   * What `appendData` reads: the stage table itself (`op`, `event_time`, then the data columns),
   * whose insertion (rowid) order is the slice order: retractions first, then the new logs.
   */
  readonly sourceSql: string;
  /** Empties the stage after a commit (and deletes any rows not loaded). */
  clear(): Promise<void>;
  /** Drops the table. */
  drop(): Promise<void>;
};

export type CreateLogStageParameters = {
  connection: DuckDBConnection;
  /** The decoded event, adding the `event` struct column. */
  event?: AbiEvent | undefined;
  /** Directory for the transient row files. */
  tempDir: string;
  /**
   * Stage the event as JSON even when it is flat (rows must then come from a decoder's `decode`,
   * not `decodeFlat`). For tests comparing both forms.
   */
  forceJson?: boolean | undefined;
};

/** The row index column of a slice source read straight from the staged files. */
const ROW_INDEX = "__odf_row";

/** DuckDB's default `max_line_size` of `read_csv`. */
const DEFAULT_MAX_LINE = 2_097_152;

function q(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function fileList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(", ")}]`;
}

/** SQL of the live rows (appended and not retracted) of the slices with `block_number` in a range. */
function liveRowsSql(paths: readonly string[], where: string): string {
  return `WITH r AS (SELECT * FROM read_parquet(${fileList(paths)}, union_by_name = true) WHERE ${where}),
net AS (SELECT block_hash, log_index, sum(CASE WHEN op IN (1, 2) THEN -1 ELSE 1 END) AS n FROM r GROUP BY block_hash, log_index),
adds AS (SELECT * FROM r WHERE op IN (0, 3) QUALIFY row_number() OVER (PARTITION BY block_hash, log_index ORDER BY "offset" DESC) = 1)
SELECT adds.* FROM adds JOIN net USING (block_hash, log_index) WHERE net.n > 0`;
}

/**
 * Creates the staging table of a pull in `connection`. Rows arrive as tab-separated text written
 * to transient files, loaded before a commit with one DuckDB `read_csv` over them (typed columns,
 * hex text converted with `from_hex`, the event's JSON cast to its struct).
 */
export async function createLogStage(params: CreateLogStageParameters): Promise<LogStage> {
  const { connection, tempDir } = params;
  const table = `__odf_logs_${randomUUID().replaceAll("-", "")}`;
  const event = params.event && params.event.inputs.length > 0 ? eventColumn(params.event) : undefined;
  // Tab-separated rows (no quoting: hex, numbers and the event's JSON text, whose escapes keep tabs
  // and newlines out); DuckDB's CSV reader loads them about twice as fast as newline-delimited JSON.
  // A flat event's fields come as columns of their own (no per-row JSON to parse); others as JSON.
  const flat = event && params.event && !params.forceJson ? flatEventFields(params.event) : undefined;
  let eventCsv = "";
  let eventStaged = "";
  if (flat) {
    eventCsv = flat.map((f, i) => `, e${i}: '${f.csvType}'`).join("");
    eventStaged = `struct_pack(${flat.map((f, i) => `${q(f.name)} := ${f.convert(`e${i}`)}`).join(", ")})`;
  } else if (event) {
    eventCsv = ", e: 'VARCHAR'";
    eventStaged = event.convert(`CAST(e::JSON AS ${event.jsonType})`);
  }
  const csvColumns = `{ri: 'UBIGINT', bn: 'UBIGINT', bh: 'VARCHAR', ts: 'BIGINT', ti: 'UBIGINT', th: 'VARCHAR', li: 'UBIGINT', a: 'VARCHAR', t0: 'VARCHAR', t1: 'VARCHAR', t2: 'VARCHAR', t3: 'VARCHAR', d: 'VARCHAR'${eventCsv}}`;
  const dataColumns = [
    ...RAW_COLUMNS,
    ...(event ? [{ name: "event", type: event.duckType, staged: eventStaged }] : []),
  ];
  const columns = [
    { name: "op", type: "INTEGER", staged: "0" },
    { name: "event_time", type: "TIMESTAMPTZ", staged: "to_timestamp(ts)" },
    ...dataColumns,
  ];
  const create = `CREATE TEMP TABLE ${table} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(", ")})`;
  await connection.run(create);
  /** A staged row as the table's columns, typed and named (inserted into the table, or read as the slice source). */
  const select = columns.map((c) => `CAST(${c.staged} AS ${c.type}) AS ${q(c.name)}`).join(", ");
  const dataList = dataColumns.map((c) => q(c.name)).join(", ");
  let rows = 0;
  /** Files of rows not loaded yet, and the longest of their rows. */
  let pending: string[] = [];
  let pendingRows = 0;
  let longest = 0;
  const discardPending = async () => {
    const files = pending;
    pending = [];
    pendingRows = 0;
    longest = 0;
    await Promise.all(files.map((f) => rm(f, { force: true })));
  };
  /** `read_csv` of the pending files. */
  const readPending = () => {
    // DuckDB's default line limit (2 MB) unless a row may be longer: a larger limit enlarges
    // every read buffer, which costs a third more CPU on ordinary logs.
    const maxBytes = longest * 3 + 1;
    const lineLimit = maxBytes > DEFAULT_MAX_LINE ? `max_line_size = ${maxBytes}, ` : "";
    return `read_csv(${fileList(pending)}, delim = '\t', quote = '', escape = '', header = false, auto_detect = false, ${lineLimit}columns = ${csvColumns})`;
  };
  const load = async () => {
    if (pending.length === 0) return;
    try {
      const reader = await connection.runAndReadAll(`INSERT INTO ${table} SELECT ${select} FROM ${readPending()}`);
      const loaded = Number(reader.getRows()[0]?.[0] ?? 0);
      if (loaded !== pendingRows) throw new Error(`log stage: loaded ${loaded} of ${pendingRows} rows`);
    } finally {
      await discardPending();
    }
  };

  return {
    async insertRows(staged) {
      if (staged.rows === 0) return;
      if (staged.firstRow !== rows) {
        throw new Error(`log stage: rows numbered from ${staged.firstRow} added after ${rows} rows`);
      }
      const file = path.join(tempDir, `logs-${randomUUID()}.tsv`);
      await writeFile(file, staged.bytes);
      pending.push(file);
      pendingRows += staged.rows;
      rows += staged.rows;
      longest = Math.max(longest, staged.longestRow);
    },
    load,
    async sliceSource() {
      if (rows > pendingRows) {
        await load();
        return { source: table };
      }
      if (pending.length === 0) return { source: table };
      return {
        source: `SELECT ri AS ${ROW_INDEX}, ${select} FROM ${readPending()}`,
        rowIndex: { column: ROW_INDEX, rowCount: pendingRows },
      };
    },
    async insertRetractions(slicePaths, aboveBlock) {
      if (slicePaths.length === 0) return 0;
      if (rows > 0) throw new Error("log stage: retractions must be staged before any row");
      const reader = await connection.runAndReadAll(
        `INSERT INTO ${table} (op, event_time, ${dataList})
         SELECT 1, event_time, ${dataList}
         FROM (${liveRowsSql(slicePaths, `block_number > ${aboveBlock}`)}) ORDER BY block_number, log_index`,
      );
      const count = Number(reader.getRows()[0]?.[0] ?? 0);
      rows += count;
      return count;
    },
    async liveLogBlocks(slicePaths, fromBlock, toBlock) {
      if (slicePaths.length === 0) return [];
      const reader = await connection.runAndReadAll(
        `SELECT DISTINCT block_number::BIGINT, lower(hex(block_hash)) FROM (${liveRowsSql(
          slicePaths,
          `block_number BETWEEN ${fromBlock} AND ${toBlock}`,
        )}) ORDER BY 1 DESC`,
      );
      return reader.getRows().map((r) => ({ number: Number(r[0]), hash: `0x${String(r[1])}` }));
    },
    rowCount: () => rows,
    sourceSql: table,
    async clear() {
      await discardPending();
      // Recreated rather than emptied: rowids restart at 0, so the slice writer reads the rows in
      // insertion order without copying them into an ordered scratch table.
      await connection.run(`DROP TABLE ${table}`);
      await connection.run(create);
      rows = 0;
    },
    async drop() {
      await discardPending();
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}
