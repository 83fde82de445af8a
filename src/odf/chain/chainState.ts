import type {
  AddPushSource,
  DataSlice,
  MetadataBlock,
  SetDataSchema,
  SetPollingSource,
  SetTransform,
  SourceState,
} from "../metadata/types";
import { compareInstants } from "../time";
import {
  CheckpointError,
  EventNotAllowedError,
  InputRangeError,
  NoOpBlockError,
  OffsetError,
  PrevBlockHashError,
  SchemaRequiredError,
  SeedRuleError,
  SequenceNumberError,
  SystemTimeError,
  WatermarkError,
} from "./errors";

/** Where a derivative dataset's processing of one input stands. */
export type InputPosition = { blockHash?: string; offset?: number };

/** A data slice of the dataset, with the block that added it. */
export type SliceRef = { blockHash: string; sequenceNumber: number; slice: DataSlice };

/**
 * Everything the chain says about a dataset at a given block, folded from the Seed forward.
 * This is what appends are validated against and what ingest and transforms resume from.
 */
export type ChainState = {
  /** Hash and sequence number of the last block folded in (`sequenceNumber` -1 before the Seed). */
  head: string | undefined;
  sequenceNumber: number;
  systemTime: string | undefined;
  datasetId: string | undefined;
  datasetKind: "Root" | "Derivative" | undefined;
  schema: SetDataSchema | undefined;
  /** Last written offset, undefined while the dataset has no data. */
  lastOffset: number | undefined;
  watermark: string | undefined;
  /** Physical hash of the last checkpoint. */
  checkpoint: string | undefined;
  sourceStates: Readonly<Record<string, SourceState>>;
  pollingSource: SetPollingSource | undefined;
  pushSources: Readonly<Record<string, AddPushSource>>;
  transform: SetTransform | undefined;
  /** Per input dataset id: the last block and offset an ExecuteTransform consumed. */
  inputs: Readonly<Record<string, InputPosition>>;
  /** Every data slice, oldest first. */
  slices: readonly SliceRef[];
};

/** The state before any block. */
export const EMPTY_CHAIN_STATE: ChainState = Object.freeze({
  head: undefined,
  sequenceNumber: -1,
  systemTime: undefined,
  datasetId: undefined,
  datasetKind: undefined,
  schema: undefined,
  lastOffset: undefined,
  watermark: undefined,
  checkpoint: undefined,
  sourceStates: {},
  pollingSource: undefined,
  pushSources: {},
  transform: undefined,
  inputs: {},
  slices: [],
});

type DataEventFields = {
  prevCheckpoint?: string | undefined;
  prevOffset?: number | undefined;
  newData?: DataSlice | undefined;
  newCheckpoint?: { physicalHash: string; size: number } | undefined;
  newWatermark?: string | undefined;
};

function checkDataFields(state: ChainState, seq: number, e: DataEventFields): void {
  if (e.prevOffset !== state.lastOffset) {
    throw new OffsetError(seq, `prevOffset is ${e.prevOffset ?? "absent"}, expected ${state.lastOffset ?? "absent"}`);
  }
  if (e.newData) {
    if (!state.schema) throw new SchemaRequiredError(seq, "data added before any SetDataSchema");
    const expectedStart = state.lastOffset === undefined ? 0 : state.lastOffset + 1;
    const { start, end } = e.newData.offsetInterval;
    if (start !== expectedStart)
      throw new OffsetError(seq, `new data starts at offset ${start}, expected ${expectedStart}`);
    if (end < start) throw new OffsetError(seq, `new data offset interval [${start}, ${end}] is empty`);
  }
  if (e.prevCheckpoint !== state.checkpoint) {
    throw new CheckpointError(
      seq,
      `prevCheckpoint is ${e.prevCheckpoint ?? "absent"}, expected ${state.checkpoint ?? "absent"}`,
    );
  }
  if (
    e.newWatermark !== undefined &&
    state.watermark !== undefined &&
    compareInstants(e.newWatermark, state.watermark) < 0
  ) {
    throw new WatermarkError(seq, `watermark ${e.newWatermark} is before the previous ${state.watermark}`);
  }
  if (e.newWatermark === undefined && state.watermark !== undefined) {
    throw new WatermarkError(seq, `watermark dropped (previous ${state.watermark}); carry it forward`);
  }
}

function applyDataFields(state: ChainState, hash: string, seq: number, e: DataEventFields): ChainState {
  return {
    ...state,
    lastOffset: e.newData ? e.newData.offsetInterval.end : state.lastOffset,
    watermark: e.newWatermark ?? state.watermark,
    checkpoint: e.newCheckpoint ? e.newCheckpoint.physicalHash : state.checkpoint,
    slices: e.newData ? [...state.slices, { blockHash: hash, sequenceNumber: seq, slice: e.newData }] : state.slices,
  };
}

/**
 * Validates `block` (whose hash is `hash`) against the chain state before it and returns the state
 * after it. Throws a specific `ChainRuleError` subclass for each broken rule of DESIGN 5.4.
 */
export function applyBlock(state: ChainState, hash: string, block: MetadataBlock): ChainState {
  const seq = block.sequenceNumber;
  const event = block.event;
  if (seq !== state.sequenceNumber + 1) {
    throw new SequenceNumberError(seq, `sequence number ${seq} does not follow ${state.sequenceNumber}`);
  }
  if (block.prevBlockHash !== state.head) {
    throw new PrevBlockHashError(
      seq,
      `prevBlockHash is ${block.prevBlockHash ?? "absent"}, expected ${state.head ?? "absent"}`,
    );
  }
  if (state.head === undefined && event.kind !== "Seed")
    throw new SeedRuleError(seq, `first block is ${event.kind}, expected Seed`);
  if (state.head !== undefined && event.kind === "Seed")
    throw new SeedRuleError(seq, "Seed is allowed only as the first block");
  if (state.systemTime !== undefined && compareInstants(block.systemTime, state.systemTime) < 0) {
    throw new SystemTimeError(seq, `systemTime ${block.systemTime} is before the previous block's ${state.systemTime}`);
  }
  const next: ChainState = { ...state, head: hash, sequenceNumber: seq, systemTime: block.systemTime };

  switch (event.kind) {
    case "Seed":
      return { ...next, datasetId: event.datasetId, datasetKind: event.datasetKind };
    case "AddData": {
      if (state.datasetKind !== "Root") throw new EventNotAllowedError(seq, "AddData is allowed only in root datasets");
      checkDataFields(state, seq, event);
      const changesSource =
        event.newSourceState !== undefined &&
        JSON.stringify(state.sourceStates[event.newSourceState.sourceName]) !== JSON.stringify(event.newSourceState);
      if (
        !event.newData &&
        !changesSource &&
        event.newCheckpoint?.physicalHash === state.checkpoint &&
        event.newWatermark === state.watermark
      ) {
        throw new NoOpBlockError(seq, "AddData adds no data, checkpoint, watermark or source state");
      }
      const after = applyDataFields(next, hash, seq, event);
      return event.newSourceState
        ? { ...after, sourceStates: { ...after.sourceStates, [event.newSourceState.sourceName]: event.newSourceState } }
        : after;
    }
    case "ExecuteTransform": {
      if (state.datasetKind !== "Derivative") {
        throw new EventNotAllowedError(seq, "ExecuteTransform is allowed only in derivative datasets");
      }
      checkDataFields(state, seq, event);
      const inputs: Record<string, InputPosition> = { ...state.inputs };
      let advanced = false;
      for (const input of event.queryInputs) {
        const before = state.inputs[input.datasetId] ?? {};
        if (input.prevBlockHash !== before.blockHash) {
          throw new InputRangeError(
            seq,
            `input ${input.datasetId}: prevBlockHash is ${input.prevBlockHash ?? "absent"}, expected ${before.blockHash ?? "absent"}`,
          );
        }
        if (input.prevOffset !== before.offset) {
          throw new InputRangeError(
            seq,
            `input ${input.datasetId}: prevOffset is ${input.prevOffset ?? "absent"}, expected ${before.offset ?? "absent"}`,
          );
        }
        if (input.newOffset !== undefined && input.prevOffset !== undefined && input.newOffset <= input.prevOffset) {
          throw new InputRangeError(
            seq,
            `input ${input.datasetId}: newOffset ${input.newOffset} does not follow ${input.prevOffset}`,
          );
        }
        const pos: InputPosition = {};
        const blockHash = input.newBlockHash ?? before.blockHash;
        const offset = input.newOffset ?? before.offset;
        if (blockHash !== undefined) pos.blockHash = blockHash;
        if (offset !== undefined) pos.offset = offset;
        if (input.newBlockHash !== undefined || input.newOffset !== undefined) advanced = true;
        inputs[input.datasetId] = pos;
      }
      if (
        !event.newData &&
        !advanced &&
        event.newCheckpoint?.physicalHash === state.checkpoint &&
        event.newWatermark === state.watermark
      ) {
        throw new NoOpBlockError(seq, "ExecuteTransform consumes and produces nothing");
      }
      return { ...applyDataFields(next, hash, seq, event), inputs };
    }
    case "SetDataSchema":
      return { ...next, schema: event };
    case "SetPollingSource":
      if (state.datasetKind !== "Root")
        throw new EventNotAllowedError(seq, "SetPollingSource is allowed only in root datasets");
      return { ...next, pollingSource: event };
    case "DisablePollingSource":
      return { ...next, pollingSource: undefined };
    case "AddPushSource":
      if (state.datasetKind !== "Root")
        throw new EventNotAllowedError(seq, "AddPushSource is allowed only in root datasets");
      return { ...next, pushSources: { ...state.pushSources, [event.sourceName]: event } };
    case "DisablePushSource": {
      const { [event.sourceName]: _removed, ...rest } = state.pushSources;
      return { ...next, pushSources: rest };
    }
    case "SetTransform":
      if (state.datasetKind !== "Derivative")
        throw new EventNotAllowedError(seq, "SetTransform is allowed only in derivative datasets");
      return { ...next, transform: event };
    default:
      return next;
  }
}
