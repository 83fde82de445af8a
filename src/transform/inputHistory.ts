import { applyBlock, EMPTY_CHAIN_STATE, type SliceRef } from "../odf/chain/chainState";
import type { StoredBlock } from "../odf/chain/metadataChain";
import type { DataSchema } from "../odf/metadata/types";
import type { Dataset } from "../odf/workspace/workspace";

/** What an input dataset looked like at one of its blocks. */
export type InputBlockInfo = {
  sequenceNumber: number;
  schema: DataSchema | undefined;
  watermark: string | undefined;
  lastOffset: number | undefined;
};

/** An input dataset's whole history, read once: every block's summary and every data slice. */
export type InputHistory = {
  dataset: Dataset;
  head: string | undefined;
  blocks: ReadonlyMap<string, InputBlockInfo>;
  slices: readonly SliceRef[];
};

/**
 * Reads an input dataset's metadata chain (validating every chain rule) and indexes it by block:
 * which blocks its history contains (a recorded block missing from it means the history was
 * rewritten), and the schema, watermark and last offset in force at each block.
 */
export async function readInputHistory(dataset: Dataset): Promise<InputHistory> {
  const stored: StoredBlock[] = [];
  for await (const b of dataset.chain.iterate()) stored.push(b);
  const blocks = new Map<string, InputBlockInfo>();
  let state = EMPTY_CHAIN_STATE;
  for (let i = stored.length - 1; i >= 0; i--) {
    const b = stored[i] as StoredBlock;
    state = applyBlock(state, b.hash, b.block);
    blocks.set(b.hash, {
      sequenceNumber: b.block.sequenceNumber,
      schema: state.schema?.schema,
      watermark: state.watermark,
      lastOffset: state.lastOffset,
    });
  }
  return { dataset, head: stored[0]?.hash, blocks, slices: state.slices };
}

/** Paths of the slices holding any record with an offset in `(afterOffset, upToOffset]`. */
export function slicesInRange(history: InputHistory, afterOffset: number | undefined, upToOffset: number): string[] {
  const lower = afterOffset ?? -1;
  return history.slices
    .filter((s) => s.slice.offsetInterval.end > lower && s.slice.offsetInterval.start <= upToOffset)
    .map((s) => history.dataset.store.objectPath("data", s.slice.physicalHash));
}
