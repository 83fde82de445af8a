import { rm } from "node:fs/promises";
import path from "node:path";
import { openTransformSession, type TransformSessionInput } from "../engines/duckdb/transform/openTransformSession";
import type { ChainState } from "../odf/chain/chainState";
import { SliceSourceError } from "../odf/data/errors";
import { writeDataSlice } from "../odf/data/writeDataSlice";
import type {
  DataSlice,
  ExecuteTransform,
  ExecuteTransformInput,
  MetadataEvent,
  SetTransform,
} from "../odf/metadata/types";
import { odfSchemaOfDuckDb } from "../odf/schema/duckDbTypes";
import { compareInstants, formatInstant } from "../odf/time";
import { checkSchemaEvolution, SchemaEvolutionError } from "../odf/workspace/appendData";
import { withDatasetLock } from "../odf/workspace/datasetLock";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { compileTransform } from "./compileTransform";
import { checkTransformEngine } from "./engine";
import {
  InputReplacedError,
  InputRewrittenError,
  type TransformErrorLocation,
  TransformNotSetError,
  TransformQueryError,
} from "./errors";
import { type InputHistory, readInputHistory, slicesInRange } from "./inputHistory";
import { lineage } from "./lineage";
import { type ResolvedInput, resolveInputs } from "./resolveInputs";

export type ExecuteTransformOptions = {
  /** Block system time and the records' `system_time` (default: now). */
  systemTime?: string | undefined;
  /** DuckDB memory limit of the transform (default 2GB). */
  memoryLimit?: string | undefined;
};

export type ExecuteTransformReturnType = {
  /** `unchanged`: no input moved (or an input has no schema yet), nothing written. */
  status: "updated" | "unchanged";
  /** Hash of the ExecuteTransform block, when one was written. */
  blockHash?: string | undefined;
  /** Hash of a SetDataSchema written first (new or evolved output schema). */
  schemaBlockHash?: string | undefined;
  slice?: DataSlice | undefined;
  /** Records written. */
  rowCount: number;
  /** New input records the transform read (the sum of the input ranges). */
  inputRows: number;
  /** Inputs the run waited for (no schema yet), by alias. */
  waitingFor?: string[] | undefined;
};

/** The SetTransform in force and the hash of its block (newest first walk; it is usually near the head). */
export async function transformInForce(
  dataset: Dataset,
  state: ChainState,
): Promise<{ event: SetTransform; blockHash: string; lastRun?: ExecuteTransform | undefined }> {
  if (state.datasetKind !== "Derivative") {
    throw new TransformNotSetError({ dataset: dataset.alias }, "is not a derivative dataset");
  }
  let lastRun: ExecuteTransform | undefined;
  for await (const b of dataset.chain.iterate()) {
    const event = b.block.event;
    if (event.kind === "ExecuteTransform") lastRun ??= event;
    if (event.kind === "SetTransform") return { event, blockHash: b.hash, lastRun };
  }
  throw new TransformNotSetError({ dataset: dataset.alias }, "has no SetTransform", {
    hints: ["Define it with `odf transform set <alias> --input <ref> --query <sql>`."],
  });
}

type PlannedInput = {
  input: ResolvedInput;
  history: InputHistory;
  record: ExecuteTransformInput;
  view: TransformSessionInput | undefined;
  rows: number;
};

/** Where each input stands against what the derivative consumed so far; detects rewritten inputs. */
function planInput(input: ResolvedInput, history: InputHistory, state: ChainState, location: TransformErrorLocation) {
  const prev = state.inputs[input.dataset.id] ?? {};
  if (prev.blockHash !== undefined && !history.blocks.has(prev.blockHash)) {
    throw new InputRewrittenError(
      { dataset: location.dataset, blockHash: state.head },
      input.dataset.alias,
      prev.blockHash,
    );
  }
  const head = history.head as string;
  const info = history.blocks.get(head);
  const record: ExecuteTransformInput = { datasetId: input.dataset.id };
  if (prev.blockHash !== undefined) record.prevBlockHash = prev.blockHash;
  if (prev.offset !== undefined) record.prevOffset = prev.offset;
  if (head !== prev.blockHash) record.newBlockHash = head;
  const lastOffset = info?.lastOffset;
  if (lastOffset !== undefined && (prev.offset === undefined || lastOffset > prev.offset)) {
    record.newOffset = lastOffset;
  }
  const rows = record.newOffset === undefined ? 0 : record.newOffset - (prev.offset ?? -1);
  const view: TransformSessionInput | undefined =
    info?.schema === undefined
      ? undefined
      : {
          alias: input.alias,
          schema: info.schema,
          afterOffset: prev.offset,
          upToOffset: record.newOffset,
          files: record.newOffset === undefined ? [] : slicesInRange(history, prev.offset, record.newOffset),
        };
  return { input, history, record, view, rows } satisfies PlannedInput;
}

/** The output watermark: the earliest of the inputs' watermarks, never before the previous one. */
function outputWatermark(planned: readonly PlannedInput[], previous: string | undefined): string | undefined {
  let lowest: string | undefined;
  for (const p of planned) {
    const head = p.record.newBlockHash ?? p.record.prevBlockHash;
    const mark = head === undefined ? undefined : p.history.blocks.get(head)?.watermark;
    if (mark === undefined) return previous;
    if (lowest === undefined || compareInstants(mark, lowest) < 0) lowest = mark;
  }
  if (lowest === undefined) return previous;
  return previous !== undefined && compareInstants(lowest, previous) < 0 ? previous : lowest;
}

/**
 * Brings a derivative dataset up to date with its inputs, incrementally: each input exposes only
 * the records added since the last ExecuteTransform (`(prevOffset, newOffset]`, reading only the
 * Parquet slices that hold them), the SetTransform in force runs once over them, and one
 * ExecuteTransform block records the input blocks and offsets consumed, the new data slice (a
 * SetDataSchema first when the output schema is new or gained a column) and the watermark (the
 * earliest input watermark). Inputs are not pulled here (see `pullRecursive`).
 *
 * Nothing is written when no input moved, or while an input has no schema yet. Throws
 * `TransformNotSetError`, `TransformInputNotFoundError`, `DependencyCycleError`,
 * `EngineVersionMismatchError`, `TransformQueryError`, `NonIncrementalQueryError` or
 * `InputRewrittenError`, each naming the dataset and block. The head moves only after the data
 * file is in place.
 */
export async function executeTransform(
  workspace: Workspace,
  dataset: Dataset,
  options: ExecuteTransformOptions = {},
): Promise<ExecuteTransformReturnType> {
  return withDatasetLock(dataset, "transform run", () => executeLocked(workspace, dataset, options));
}

async function executeLocked(
  workspace: Workspace,
  dataset: Dataset,
  options: ExecuteTransformOptions,
): Promise<ExecuteTransformReturnType> {
  const state = await dataset.chain.state();
  const { event: setTransform, blockHash: transformBlock, lastRun } = await transformInForce(dataset, state);
  const location: TransformErrorLocation = { dataset: dataset.alias, blockHash: transformBlock };
  checkTransformEngine(setTransform, location, {
    hint: `Write a new SetTransform for this engine: odf transform set ${dataset.alias} (keeps the query, pins the running version).`,
  });
  const recorded = lastRun?.queryInputs.map((q) => q.datasetId);
  const inputs = await resolveInputs(workspace, setTransform, location, recorded);
  // Under one SetTransform, input i is always the same dataset: a ref (alias) now naming another
  // dataset would silently switch the history being read.
  inputs.forEach((input, i) => {
    const consumed = lastRun?.queryInputs[i]?.datasetId;
    if (consumed !== undefined && consumed !== input.dataset.id) {
      throw new InputReplacedError(location, input.ref, input.dataset.id, consumed);
    }
  });
  await lineage(workspace, dataset.alias, recorded);
  const planned: PlannedInput[] = [];
  for (const input of inputs) {
    planned.push(planInput(input, await readInputHistory(input.dataset), state, location));
  }
  if (planned.every((p) => p.record.newBlockHash === undefined))
    return { status: "unchanged", rowCount: 0, inputRows: 0 };
  const waiting = planned.filter((p) => p.view === undefined).map((p) => p.input.alias);
  if (waiting.length > 0) return { status: "unchanged", rowCount: 0, inputRows: 0, waitingFor: waiting };

  const systemTime = options.systemTime ?? formatInstant(new Date());
  const outputDir = path.join(dataset.dir, "data");
  const session = await openTransformSession({
    inputs: planned.map((p) => p.view as TransformSessionInput),
    outputDir,
    memoryLimit: options.memoryLimit,
  });
  let written: Awaited<ReturnType<typeof writeDataSlice>> = null;
  // Set once the slice is moved into `data/` by this run: a failed append then removes it again.
  let moved: string | undefined;
  try {
    const source = await compileTransform(session, setTransform.transform, location);
    const inputRows = planned.reduce((n, p) => n + p.rows, 0);
    if (inputRows > 0) {
      written = await writeDataSlice(session.connection, {
        source,
        startOffset: state.lastOffset === undefined ? 0 : state.lastOffset + 1,
        systemTime,
        outputDir,
      }).catch((error: unknown) => {
        // A bad `op` or `event_time` the query computed: say which dataset and transform made it.
        if (!(error instanceof SliceSourceError)) throw error;
        throw new TransformQueryError(location, `the query's output is not a valid slice: ${error.shortMessage}`, {
          cause: error,
        });
      });
    }
    const result: ExecuteTransformReturnType = { status: "updated", rowCount: written?.rowCount ?? 0, inputRows };
    let schemaEvent: MetadataEvent | undefined;
    if (written) {
      const file = `'${written.path.replaceAll("'", "''")}'`;
      const described = await session.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${file})`);
      const schema = odfSchemaOfDuckDb(
        described.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
      );
      const previous = state.schema?.schema;
      let evolves: boolean;
      try {
        evolves = previous === undefined || checkSchemaEvolution(previous, schema);
      } catch (error) {
        if (!(error instanceof SchemaEvolutionError)) throw error;
        throw new TransformQueryError(location, `the output does not fit the dataset: ${error.shortMessage}`, {
          hints: error.hints,
          cause: error,
        });
      }
      if (evolves) schemaEvent = { kind: "SetDataSchema", schema };
      if ((await dataset.store.statObject("data", written.slice.physicalHash)) === undefined) {
        await dataset.store.moveObjectFrom("data", written.slice.physicalHash, written.path);
        moved = written.slice.physicalHash;
      } else {
        await rm(written.path, { force: true });
      }
      result.slice = written.slice;
    }
    const watermark = outputWatermark(planned, state.watermark);
    const execute: MetadataEvent = {
      kind: "ExecuteTransform",
      queryInputs: planned.map((p) => p.record),
      ...(state.checkpoint !== undefined ? { prevCheckpoint: state.checkpoint } : {}),
      ...(state.lastOffset !== undefined ? { prevOffset: state.lastOffset } : {}),
      ...(written ? { newData: written.slice } : {}),
      ...(watermark !== undefined ? { newWatermark: watermark } : {}),
    };
    // The schema (when new or evolved) and the run move the head once, together.
    const appended = await dataset.chain.appendMany(schemaEvent ? [schemaEvent, execute] : [execute], { systemTime });
    if (schemaEvent) result.schemaBlockHash = appended.hashes[0] as string;
    result.blockHash = appended.hashes[appended.hashes.length - 1] as string;
    return result;
  } catch (error) {
    if (written) await rm(written.path, { force: true });
    if (moved !== undefined) await rm(dataset.store.objectPath("data", moved), { force: true });
    throw error;
  } finally {
    session.close();
  }
}
