import { describe, expect, test } from "vitest";
import type { DataSlice, MetadataBlock, MetadataEvent } from "../metadata/types";
import { applyBlock, type ChainState, EMPTY_CHAIN_STATE } from "./chainState";
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

const ID = "did:odf:fed017f747b67bd3fe63c2a736739dfe40156d622347346e70f68f51c178a75ce5537";
const INPUT = "did:odf:fed014895afeb476d5d94c1af0668f30ab661c8561760bba6744e43225ba52e099595";
const h = (n: number) => `f1620${n.toString(16).padStart(64, "0")}`;
const T = (s: number) => `2024-01-01T00:00:${String(s).padStart(2, "0")}Z`;
const slice = (start: number, end: number): DataSlice => ({
  logicalHash: h(900 + start),
  physicalHash: h(800 + start),
  offsetInterval: { start, end },
  size: 100,
});
const SCHEMA: MetadataEvent = {
  kind: "SetDataSchema",
  schema: { fields: [{ name: "offset", type: { kind: "Int64" } }] },
};

/** Builds a chain from events, returning the state after each. */
function chain(kind: "Root" | "Derivative", events: MetadataEvent[], base: ChainState = EMPTY_CHAIN_STATE): ChainState {
  let state = base;
  const all: MetadataEvent[] =
    state.head === undefined ? [{ kind: "Seed", datasetId: ID, datasetKind: kind }, ...events] : events;
  for (const event of all) state = applyBlock(state, h(state.sequenceNumber + 2), next(state, event));
  return state;
}
function next(state: ChainState, event: MetadataEvent, patch: Partial<MetadataBlock> = {}): MetadataBlock {
  return {
    systemTime: T(state.sequenceNumber + 1),
    sequenceNumber: state.sequenceNumber + 1,
    event,
    ...(state.head ? { prevBlockHash: state.head } : {}),
    ...patch,
  };
}

describe("chain rules", () => {
  const root = chain("Root", [SCHEMA, { kind: "AddData", newData: slice(0, 9), newWatermark: T(5) }]);

  test("a valid root chain folds into its state", () => {
    expect(root.sequenceNumber).toBe(2);
    expect(root.lastOffset).toBe(9);
    expect(root.watermark).toBe(T(5));
    expect(root.datasetId).toBe(ID);
    expect(root.slices.map((s) => s.slice.offsetInterval)).toEqual([{ start: 0, end: 9 }]);
  });
  test("first block must be a Seed, and only the first", () => {
    expect(() => applyBlock(EMPTY_CHAIN_STATE, h(1), next(EMPTY_CHAIN_STATE, SCHEMA))).toThrow(SeedRuleError);
    expect(() => applyBlock(root, h(99), next(root, { kind: "Seed", datasetId: ID, datasetKind: "Root" }))).toThrow(
      SeedRuleError,
    );
  });
  test("sequence numbers have no gaps", () => {
    expect(() => applyBlock(root, h(99), next(root, SCHEMA, { sequenceNumber: 5 }))).toThrowErrorMatchingInlineSnapshot(
      `[SequenceNumberError: Block 5: sequence number 5 does not follow 2]`,
    );
    expect(() => applyBlock(root, h(99), next(root, SCHEMA, { sequenceNumber: 5 }))).toThrow(SequenceNumberError);
  });
  test("prevBlockHash must name the previous block", () => {
    expect(() => applyBlock(root, h(99), next(root, SCHEMA, { prevBlockHash: h(42) }))).toThrow(PrevBlockHashError);
  });
  test("systemTime never decreases", () => {
    expect(() => applyBlock(root, h(99), next(root, SCHEMA, { systemTime: "2023-12-31T23:59:59Z" }))).toThrow(
      SystemTimeError,
    );
  });
  test("data needs a schema first", () => {
    expect(() => chain("Root", [{ kind: "AddData", newData: slice(0, 1) }])).toThrow(SchemaRequiredError);
  });
  test("offsets continue: prevOffset and interval start", () => {
    expect(() => chain("Root", [{ kind: "AddData", newData: slice(10, 12) }], root)).toThrow(OffsetError);
    expect(() => chain("Root", [{ kind: "AddData", prevOffset: 8, newData: slice(9, 12) }], root)).toThrow(OffsetError);
    expect(() =>
      chain("Root", [{ kind: "AddData", prevOffset: 9, newData: slice(10, 9), newWatermark: T(5) }], root),
    ).toThrow(OffsetError);
    const ok = chain("Root", [{ kind: "AddData", prevOffset: 9, newData: slice(10, 12), newWatermark: T(6) }], root);
    expect(ok.lastOffset).toBe(12);
  });
  test("watermarks never decrease and are carried", () => {
    expect(() =>
      chain("Root", [{ kind: "AddData", prevOffset: 9, newData: slice(10, 12), newWatermark: T(1) }], root),
    ).toThrow(WatermarkError);
    expect(() => chain("Root", [{ kind: "AddData", prevOffset: 9, newData: slice(10, 12) }], root)).toThrow(
      WatermarkError,
    );
  });
  test("prevCheckpoint must be the last checkpoint", () => {
    const withCp = chain(
      "Root",
      [{ kind: "AddData", prevOffset: 9, newCheckpoint: { physicalHash: h(7), size: 1 }, newWatermark: T(5) }],
      root,
    );
    expect(withCp.checkpoint).toBe(h(7));
    expect(() =>
      chain("Root", [{ kind: "AddData", prevOffset: 9, newData: slice(10, 10), newWatermark: T(5) }], withCp),
    ).toThrow(CheckpointError);
  });
  test("no-op AddData is refused; a new source state alone is not a no-op", () => {
    expect(() => chain("Root", [{ kind: "AddData", prevOffset: 9, newWatermark: T(5) }], root)).toThrow(NoOpBlockError);
    const s = chain(
      "Root",
      [
        {
          kind: "AddData",
          prevOffset: 9,
          newWatermark: T(5),
          newSourceState: { sourceName: "default", kind: "odf/etag", value: "1" },
        },
      ],
      root,
    );
    expect(s.sourceStates.default?.value).toBe("1");
  });
  test("events must fit the dataset kind", () => {
    expect(() => chain("Derivative", [SCHEMA, { kind: "AddData", newData: slice(0, 1) }])).toThrow(
      EventNotAllowedError,
    );
    expect(() => chain("Root", [{ kind: "ExecuteTransform", queryInputs: [] }])).toThrow(EventNotAllowedError);
  });
  test("ExecuteTransform input ranges continue where the previous ended", () => {
    const d = chain("Derivative", [
      {
        kind: "SetTransform",
        inputs: [{ datasetRef: INPUT, alias: "in" }],
        transform: { kind: "Sql", engine: "duckdb", query: "select 1" },
      },
      SCHEMA,
      {
        kind: "ExecuteTransform",
        queryInputs: [{ datasetId: INPUT, newBlockHash: h(50), newOffset: 4 }],
        newData: slice(0, 4),
        newWatermark: T(1),
      },
    ]);
    expect(d.inputs[INPUT]).toEqual({ blockHash: h(50), offset: 4 });
    expect(() =>
      chain(
        "Derivative",
        [
          {
            kind: "ExecuteTransform",
            queryInputs: [{ datasetId: INPUT, prevBlockHash: h(49), prevOffset: 4, newBlockHash: h(51), newOffset: 8 }],
            prevOffset: 4,
            newWatermark: T(1),
          },
        ],
        d,
      ),
    ).toThrow(InputRangeError);
    expect(() =>
      chain(
        "Derivative",
        [
          {
            kind: "ExecuteTransform",
            queryInputs: [{ datasetId: INPUT, prevBlockHash: h(50), prevOffset: 3, newBlockHash: h(51), newOffset: 8 }],
            prevOffset: 4,
            newWatermark: T(1),
          },
        ],
        d,
      ),
    ).toThrow(InputRangeError);
    const ok = chain(
      "Derivative",
      [
        {
          kind: "ExecuteTransform",
          queryInputs: [{ datasetId: INPUT, prevBlockHash: h(50), prevOffset: 4, newBlockHash: h(51), newOffset: 8 }],
          prevOffset: 4,
          newWatermark: T(1),
        },
      ],
      d,
    );
    expect(ok.inputs[INPUT]).toEqual({ blockHash: h(51), offset: 8 });
  });
});
