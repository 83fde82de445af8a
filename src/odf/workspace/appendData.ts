import { rm } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { BaseError } from "../../errors/base";
import { readSliceStats } from "../data/readSliceStats";
import { writeDataSlice } from "../data/writeDataSlice";
import type { DataField, DataSchema, DataSlice, ExtraAttributes, MetadataEvent, SourceState } from "../metadata/types";
import { odfSchemaOfDuckDb } from "../schema/duckDbTypes";
import { compareInstants, formatInstant } from "../time";
import type { Dataset } from "./workspace";

/** New data does not fit the dataset's schema: a removed column or a changed type. */
export class SchemaEvolutionError extends BaseError {
  override name = "SchemaEvolutionError";
  readonly column: string;
  constructor(column: string, problem: string) {
    super(`Schema change refused: column ${JSON.stringify(column)} ${problem}`, {
      hints: ["Only adding a nullable column is accepted; removing a column or changing its type needs a new dataset."],
    });
    this.column = column;
  }
}

export type AppendDataParameters = {
  connection: DuckDBConnection;
  /** Table/view name or SELECT producing `op?`, `event_time?`, then the data columns. */
  source: string;
  /** `ORDER BY` list fixing the record order (and so the offsets); default: the source's order. */
  orderBy?: string;
  /** The source numbers its records itself (see `writeDataSlice`). */
  rowIndex?: { column: string; rowCount: number };
  /** Block system time and the records' `system_time` (default: now). */
  systemTime?: string;
  /** `event_time` for records without one. */
  eventTime?: string;
  /** Watermark to record (default: the latest event time seen so far; never decreasing). */
  watermark?: string;
  /** Source state to record (resume point of the source). */
  sourceState?: SourceState;
  extra?: ExtraAttributes;
};

export type AppendDataReturnType = {
  /** Hash of the AddData block, undefined when nothing was written. */
  blockHash?: string;
  slice?: DataSlice;
  rowCount: number;
  /** Hash of a SetDataSchema block written first, when the schema was new or evolved. */
  schemaBlockHash?: string;
};

const sameType = (a: DataField["type"], b: DataField["type"]) => JSON.stringify(a) === JSON.stringify(b);

/** Checks that `next` only adds columns to `prev`; returns whether it adds any. */
export function checkSchemaEvolution(prev: DataSchema, next: DataSchema): boolean {
  const nextByName = new Map(next.fields.map((f) => [f.name, f]));
  for (const field of prev.fields) {
    const now = nextByName.get(field.name);
    if (!now) throw new SchemaEvolutionError(field.name, "was removed");
    if (!sameType(field.type, now.type)) {
      throw new SchemaEvolutionError(
        field.name,
        `changed type from ${JSON.stringify(field.type)} to ${JSON.stringify(now.type)}`,
      );
    }
  }
  return next.fields.length > prev.fields.length;
}

/**
 * Appends records to a root dataset: writes one Parquet slice, moves it into `data/`, writes a
 * `SetDataSchema` first when the dataset has none or gained a column, then exactly one `AddData`.
 * No rows and no new source state: nothing is written. The head moves only after every file is in
 * place, so an interrupted append leaves the dataset as it was.
 */
export async function appendData(dataset: Dataset, params: AppendDataParameters): Promise<AppendDataReturnType> {
  const state = await dataset.chain.state();
  const systemTime = params.systemTime ?? formatInstant(new Date());
  const written = await writeDataSlice(params.connection, {
    source: params.source,
    orderBy: params.orderBy,
    rowIndex: params.rowIndex,
    startOffset: state.lastOffset === undefined ? 0 : state.lastOffset + 1,
    systemTime,
    eventTime: params.eventTime,
    outputDir: path.join(dataset.dir, "data"),
  });
  const sourceChanged =
    params.sourceState !== undefined &&
    JSON.stringify(state.sourceStates[params.sourceState.sourceName]) !== JSON.stringify(params.sourceState);
  if (!written && !sourceChanged) return { rowCount: 0 };

  // Set once the slice is moved into `data/` by this call: a failed append then removes it again.
  let moved: string | undefined;
  try {
    const result: AppendDataReturnType = { rowCount: written?.rowCount ?? 0 };
    let watermark = state.watermark;
    let schemaEvent: MetadataEvent | undefined;
    if (written) {
      const file = `'${written.path.replaceAll("'", "''")}'`;
      const reader = await params.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${file})`);
      const columns = reader
        .getRowObjectsJS()
        .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      const schema = odfSchemaOfDuckDb(columns);
      const previous = state.schema?.schema;
      if (!previous || checkSchemaEvolution(previous, schema)) schemaEvent = { kind: "SetDataSchema", schema };
      const stats = await readSliceStats(params.connection, written.path);
      if (stats.maxEventTime && (watermark === undefined || compareInstants(stats.maxEventTime, watermark) > 0)) {
        watermark = stats.maxEventTime;
      }
      if ((await dataset.store.statObject("data", written.slice.physicalHash)) === undefined) {
        await dataset.store.moveObjectFrom("data", written.slice.physicalHash, written.path);
        moved = written.slice.physicalHash;
      } else {
        await rm(written.path, { force: true });
      }
      result.slice = written.slice;
    }
    if (
      params.watermark !== undefined &&
      (watermark === undefined || compareInstants(params.watermark, watermark) > 0)
    ) {
      watermark = params.watermark;
    }
    // The schema (when new or evolved) and the data move the head once, together.
    const addData: MetadataEvent = {
      kind: "AddData",
      ...(state.checkpoint !== undefined ? { prevCheckpoint: state.checkpoint } : {}),
      ...(state.lastOffset !== undefined ? { prevOffset: state.lastOffset } : {}),
      ...(written ? { newData: written.slice } : {}),
      ...(watermark !== undefined ? { newWatermark: watermark } : {}),
      ...(params.sourceState ? { newSourceState: params.sourceState } : {}),
      ...(params.extra ? { extra: params.extra } : {}),
    };
    const appended = await dataset.chain.appendMany(schemaEvent ? [schemaEvent, addData] : [addData], { systemTime });
    if (schemaEvent) result.schemaBlockHash = appended.hashes[0] as string;
    result.blockHash = appended.hashes[appended.hashes.length - 1] as string;
    return result;
  } catch (error) {
    if (written) await rm(written.path, { force: true });
    if (moved !== undefined) await rm(dataset.store.objectPath("data", moved), { force: true });
    throw error;
  }
}
