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
import { EmptyInputError, NoRecordsAfterPreprocessError, ReadInputError } from "./errors";

const SYSTEM_COLUMNS = new Set(["offset", "op", "system_time", "event_time"]);

/** An input file, with how messages name it when that is not its file name (a temp file's source). */
export type IngestInputFile = InputFile & { name?: string | undefined };

const nameOf = (file: IngestInputFile) => file.name ?? path.basename(file.path);

/**
 * A reader error that names inputs by what the user gave (the URL's file, `archive.zip/entry.csv`,
 * "standard input", a glob's `2024-06-03/readings.csv`) instead of their (temp) files. Readers name
 * a file by its base name, so that is replaced only when no other input shares it; temp files have
 * unique names (random prefix).
 */
function namedAsGiven(error: unknown, files: readonly IngestInputFile[]): unknown {
  if (!(error instanceof ReadInputError)) return error;
  const bases = files.map((f) => path.basename(f.path));
  let message = error.shortMessage;
  for (const [i, file] of files.entries()) {
    if (file.name === undefined) continue;
    message = message.replaceAll(file.path, file.name);
    if (bases.indexOf(bases[i] as string) === bases.lastIndexOf(bases[i] as string)) {
      message = message.replaceAll(bases[i] as string, file.name);
    }
  }
  if (message === error.shortMessage) return error;
  return new ReadInputError(message, { line: error.line, details: error.details, hints: error.hints, cause: error });
}

/** Parameters of `ingestFiles`. */
export type IngestFilesParameters = {
  /** Input files in ingest order, each with its source event time (and name for messages). */
  files: readonly IngestInputFile[];
  read: ReadStep;
  preprocess?: Transform | undefined;
  merge: MergeStrategy;
  /** Source state to record with the data (polling sources). */
  sourceState?: SourceState | undefined;
  /** Block system time (default: now). */
  systemTime?: string | undefined;
  /** Scratch directory for the engine's spill files. */
  tempDir: string;
  /** Name shown in messages for the whole input (default: the files' names). */
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

/** Records the input had before the preprocess (loadNewRecords keeps them in `<target>__raw`). */
/**
 * Reads input files with a source's read step, preprocesses them, merges them into the dataset
 * with the source's merge strategy and appends exactly one `AddData` block (or none when the merge
 * leaves nothing to write and the source state is unchanged). When the preprocess keeps none of
 * the input's records, a new source state is still recorded (an `AddData` with no data). Nothing
 * is committed on any error: the head moves only after the slice is in place (see `appendData`).
 * Throws `EmptyInputError` for an input with no records, `NoRecordsAfterPreprocessError` when the
 * preprocess keeps none and there is no source state to record, `ReadInputError`,
 * `PreprocessError`, `MergeError`, or the storage and schema evolution errors of `appendData`.
 */
export async function ingestFiles(dataset: Dataset, params: IngestFilesParameters): Promise<IngestFilesReturnType> {
  const name = params.inputName ?? params.files.map(nameOf).join(", ");
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
    }).catch((error: unknown) => {
      throw namedAsGiven(error, nonEmpty);
    });
    if (loaded.rowCount === 0) {
      if (loaded.readRows === 0)
        throw new EmptyInputError(`Input ${name}`, { hints: ["It has no records (only a header?)."] });
      if (params.sourceState === undefined) throw new NoRecordsAfterPreprocessError(`Input ${name}`);
      const result = await appendData(dataset, {
        connection,
        source: loaded.target,
        ...(params.systemTime !== undefined ? { systemTime: params.systemTime } : {}),
        sourceState: params.sourceState,
      });
      return { blockHash: result.blockHash, slice: undefined, inputRows: 0, rowCount: 0 };
    }
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
