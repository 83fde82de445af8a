import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { openTransformSession, type TransformSessionInput } from "../engines/duckdb/transform/openTransformSession";
import type { StoredBlock } from "../odf/chain/metadataChain";
import { writeDataSlice } from "../odf/data/writeDataSlice";
import type { ExecuteTransform, SetTransform } from "../odf/metadata/types";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { compileTransform } from "./compileTransform";
import { checkTransformEngine, runningEngineVersion } from "./engine";
import { InputRewrittenError, TransformError, TransformInputNotFoundError } from "./errors";
import { type InputHistory, readInputHistory, slicesInRange } from "./inputHistory";
import { inputAlias } from "./resolveInputs";

/** Reads (once) the history of an input dataset by alias or id. */
type HistoryOf = (ref: string, location: { dataset: string; blockHash: string }) => Promise<InputHistory>;

export type ReplayTransformsOptions = {
  /** Replay blocks whose SetTransform pins another engine version (results may then differ). */
  allowEngineMismatch?: boolean | undefined;
  memoryLimit?: string | undefined;
};

/** The first ExecuteTransform that does not reproduce. */
export type ReplayMismatch = { sequenceNumber: number; blockHash: string; message: string };

export type ReplayTransformsReturnType = {
  ok: boolean;
  /** ExecuteTransform blocks replayed (up to and including a mismatch). */
  blocks: number;
  /** Input records read and output records written by the replay. */
  inputRows: number;
  outputRows: number;
  /** Engine versions the replayed blocks were recorded with, when one differs from the running one. */
  engineMismatches: string[];
  mismatch?: ReplayMismatch | undefined;
};

/**
 * Re-executes every ExecuteTransform of a derivative dataset from its recorded inputs — for each
 * input the recorded `(prevOffset, newOffset]` records, read from the input dataset as it was at
 * the recorded block, with the SetTransform in force at that point of history — and checks that
 * the output has the recorded logical hash and offsets (or is empty when none was recorded). Stops
 * at the first block that does not reproduce and reports it.
 *
 * A block whose SetTransform pins a different engine version is refused with
 * `EngineVersionMismatchError` unless `allowEngineMismatch`. Throws `TransformError`s for
 * problems that are not the derivative's fault (an input missing from the workspace).
 */
export async function replayTransforms(
  workspace: Workspace,
  dataset: Dataset,
  options: ReplayTransformsOptions = {},
): Promise<ReplayTransformsReturnType> {
  const stored: StoredBlock[] = [];
  for await (const b of dataset.chain.iterate()) stored.push(b);
  stored.reverse();
  const histories = new Map<string, InputHistory>();
  const history: HistoryOf = async (ref, location) => {
    let h = histories.get(ref);
    if (!h) {
      if (!(await workspace.has(ref))) throw new TransformInputNotFoundError(location, ref);
      const input = await workspace.open(ref);
      h = histories.get(input.id) ?? (await readInputHistory(input));
      histories.set(input.id, h);
      histories.set(ref, h);
    }
    return h;
  };
  const result: ReplayTransformsReturnType = { ok: true, blocks: 0, inputRows: 0, outputRows: 0, engineMismatches: [] };
  const running = runningEngineVersion();
  await mkdir(workspace.path(".tmp"), { recursive: true });
  const scratch = await mkdtemp(path.join(workspace.path(".tmp"), "replay-"));
  let transform: { event: SetTransform; blockHash: string } | undefined;
  let lastOffset: number | undefined;
  try {
    for (const b of stored) {
      const event = b.block.event;
      if (event.kind === "SetTransform") transform = { event, blockHash: b.hash };
      if (event.kind !== "ExecuteTransform") continue;
      const location = { dataset: dataset.alias, blockHash: b.hash };
      if (!transform) throw new TransformError(location, "ExecuteTransform before any SetTransform");
      checkTransformEngine(
        transform.event,
        { dataset: dataset.alias, blockHash: transform.blockHash },
        {
          allowMismatch: options.allowEngineMismatch,
          hint: "Pass --allow-engine-mismatch to replay anyway (a different engine version may compute differently).",
        },
      );
      const version = transform.event.transform.version;
      if (version !== running && !result.engineMismatches.includes(String(version))) {
        result.engineMismatches.push(String(version));
      }
      result.blocks++;
      const problem = await replayBlock(
        b,
        event,
        transform.event,
        location,
        history,
        scratch,
        lastOffset,
        options,
        result,
      );
      if (problem !== undefined) {
        result.ok = false;
        result.mismatch = { sequenceNumber: b.block.sequenceNumber, blockHash: b.hash, message: problem };
        return result;
      }
      if (event.newData) lastOffset = event.newData.offsetInterval.end;
    }
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Replays one ExecuteTransform; returns why it does not reproduce, or undefined. */
async function replayBlock(
  b: StoredBlock,
  event: ExecuteTransform,
  setTransform: SetTransform,
  location: { dataset: string; blockHash: string },
  history: HistoryOf,
  scratch: string,
  lastOffset: number | undefined,
  options: ReplayTransformsOptions,
  result: ReplayTransformsReturnType,
): Promise<string | undefined> {
  const views: TransformSessionInput[] = [];
  let inputRows = 0;
  const aliasById = new Map<string, string>();
  for (const [i, input] of setTransform.inputs.entries()) {
    // The block records the id it read for input i: a copy of the inputs under other aliases (a
    // pulled workspace, a renamed input) still replays.
    const h = await history(event.queryInputs[i]?.datasetId ?? input.datasetRef, location);
    aliasById.set(h.dataset.id, inputAlias(input, h.dataset));
  }
  for (const q of event.queryInputs) {
    const alias = aliasById.get(q.datasetId);
    if (alias === undefined) return `input ${q.datasetId} is not an input of the SetTransform in force`;
    const h = await history(q.datasetId, location);
    const at = q.newBlockHash ?? q.prevBlockHash;
    for (const hash of [q.prevBlockHash, q.newBlockHash]) {
      if (hash !== undefined && !h.blocks.has(hash)) {
        return new InputRewrittenError(location, h.dataset.alias, hash).shortMessage.replace(/^Dataset [^:]+: /, "");
      }
    }
    const schema = at === undefined ? undefined : h.blocks.get(at)?.schema;
    if (schema === undefined) {
      if (q.newOffset !== undefined) return `input ${h.dataset.alias} has no schema at block ${at}`;
      continue;
    }
    const files = q.newOffset === undefined ? [] : slicesInRange(h, q.prevOffset, q.newOffset);
    if (q.newOffset !== undefined) inputRows += q.newOffset - (q.prevOffset ?? -1);
    views.push({ alias, schema, afterOffset: q.prevOffset, upToOffset: q.newOffset, files });
  }
  if (views.length < event.queryInputs.length) {
    return event.newData ? "an input had no schema, yet the block records data" : undefined;
  }
  result.inputRows += inputRows;
  const session = await openTransformSession({ inputs: views, outputDir: scratch, memoryLimit: options.memoryLimit });
  let written: Awaited<ReturnType<typeof writeDataSlice>> = null;
  try {
    let source: string;
    try {
      source = await compileTransform(session, setTransform.transform, location);
    } catch (error) {
      if (error instanceof TransformError) return error.shortMessage.replace(/^Dataset [^:]+: /, "");
      throw error;
    }
    if (inputRows > 0) {
      written = await writeDataSlice(session.connection, {
        source,
        startOffset: event.newData?.offsetInterval.start ?? (lastOffset === undefined ? 0 : lastOffset + 1),
        systemTime: b.block.systemTime,
        outputDir: scratch,
      });
    }
    const recorded = event.newData;
    if (!written) {
      return recorded ? `replay gives no records, the block records ${recordedRows(recorded)}` : undefined;
    }
    result.outputRows += written.rowCount;
    if (!recorded) return `replay gives ${written.rowCount} records, the block records none`;
    const { start, end } = recorded.offsetInterval;
    const got = written.slice.offsetInterval;
    if (got.start !== start || got.end !== end) {
      return `replay gives offsets [${got.start}, ${got.end}], the block records [${start}, ${end}]`;
    }
    if (written.slice.logicalHash !== recorded.logicalHash) {
      return `replay gives logical hash ${written.slice.logicalHash}, the block records ${recorded.logicalHash}`;
    }
    return undefined;
  } finally {
    if (written) await rm(written.path, { force: true });
    session.close();
  }
}

function recordedRows(slice: NonNullable<ExecuteTransform["newData"]>): string {
  return `${slice.offsetInterval.end - slice.offsetInterval.start + 1} records`;
}
