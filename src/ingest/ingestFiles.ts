import { promises as fs } from "node:fs";
import path from "node:path";
import { type InputFile, loadNewRecords } from "../engines/duckdb/ingest/loadNewRecords";
import { checkMergeColumns, checkOpColumn, findDuplicateKey } from "../engines/duckdb/ingest/mergeChecks";
import { mergeSql } from "../engines/duckdb/ingest/mergeSql";
import { previousRecordsSql } from "../engines/duckdb/ingest/previousRecordsSql";
import { openDuckDb } from "../engines/duckdb/openDuckDb";
import type { DataSlice, MergeStrategy, ReadStep, SourceState, Transform } from "../odf/metadata/types";
import { duckDbTypeOf as duckDbType } from "../odf/schema/duckDbTypes";
import { appendData } from "../odf/workspace/appendData";
import type { Dataset } from "../odf/workspace/workspace";
import { EmptyInputError } from "./errors";

const SYSTEM_COLUMNS = new Set(["offset", "op", "system_time", "event_time"]);

/** Parameters of `ingestFiles`. */
export type IngestFilesParameters = {
  /** Input files in ingest order, each with its source event time. */
  files: readonly InputFile[];
  read: ReadStep;
  preprocess?: Transform | undefined;
  merge: MergeStrategy;
  /** Source state to record with the data (polling sources). */
  sourceState?: SourceState | undefined;
  /** Block system time (default: now). */
  systemTime?: string | undefined;
  /** Scratch directory for the engine's spill files. */
  tempDir: string;
  /** Name shown in messages for the input (default: the file names). */
  inputName?: string | undefined;
};

/** What an ingest wrote. */
export type IngestFilesReturnType = {
  /** Hash of the new AddData block; undefined when nothing changed. */
  blockHash: string | undefined;
  slice: DataSlice | undefined;
  /** Records read from the input (after preprocess). */
  inputRows: number;
  /** Records written (after the merge strategy). */
  rowCount: number;
};

/**
 * Reads input files with a source's read step, preprocesses them, merges them into the dataset
 * with the source's merge strategy and appends exactly one `AddData` block (or none when the merge
 * leaves nothing to write and the source state is unchanged). Nothing is committed on any error:
 * the head moves only after the slice is in place (see `appendData`).
 * Throws `EmptyInputError` for an input with no records, `ReadInputError`, `PreprocessError`,
 * `MergeError`, or the storage and schema evolution errors of `appendData`.
 */
export async function ingestFiles(dataset: Dataset, params: IngestFilesParameters): Promise<IngestFilesReturnType> {
  const name = params.inputName ?? params.files.map((f) => path.basename(f.path)).join(", ");
  const sizes = await Promise.all(params.files.map(async (f) => (await fs.stat(f.path)).size));
  if (sizes.every((s) => s === 0)) throw new EmptyInputError(`Input ${name}`);
  const nonEmpty = params.files.filter((_, i) => (sizes[i] ?? 0) > 0);

  await fs.mkdir(params.tempDir, { recursive: true });
  const db = await openDuckDb({ config: { temp_directory: params.tempDir, preserve_insertion_order: "true" } });
  try {
    const { connection } = db;
    await connection.run("SET TimeZone = 'UTC'");
    const state = await dataset.chain.state();
    const existingTypes = new Map<string, string>();
    for (const field of state.schema?.schema?.fields ?? []) {
      if (!SYSTEM_COLUMNS.has(field.name)) existingTypes.set(field.name, duckDbType(field.type));
    }
    const loaded = await loadNewRecords(connection, {
      files: nonEmpty,
      read: params.read,
      preprocess: params.preprocess,
      target: "new_records",
      existingTypes,
    });
    if (loaded.rowCount === 0)
      throw new EmptyInputError(`Input ${name}`, { hints: ["It has no records (only a header?)."] });
    const strategy = params.merge;
    checkMergeColumns(strategy, loaded.columns, loaded.hasOp);
    if (strategy.kind === "Snapshot") await findDuplicateKey(connection, loaded.target, strategy.primaryKey);
    if ((strategy.kind === "ChangelogStream" || strategy.kind === "UpsertStream") && loaded.hasOp) {
      await checkOpColumn(connection, loaded.target, strategy.kind);
    }
    const needsState = strategy.kind !== "Append" && strategy.kind !== "ChangelogStream";
    const slicePaths = needsState
      ? state.slices.map((s) => dataset.store.objectPath("data", s.slice.physicalHash))
      : [];
    const previous = await previousRecordsSql(connection, slicePaths, loaded.columns);
    // Append of a table that is already in shape: hand the table itself to the slice writer (no copy).
    const source =
      strategy.kind === "Append" && loaded.appendableTable !== undefined
        ? loaded.appendableTable
        : mergeSql(strategy, { table: loaded.target, columns: loaded.columns, hasOp: loaded.hasOp, previous });
    const result = await appendData(dataset, {
      connection,
      source,
      ...(params.systemTime !== undefined ? { systemTime: params.systemTime } : {}),
      ...(params.sourceState !== undefined ? { sourceState: params.sourceState } : {}),
    });
    return { blockHash: result.blockHash, slice: result.slice, inputRows: loaded.rowCount, rowCount: result.rowCount };
  } finally {
    db.close();
  }
}
