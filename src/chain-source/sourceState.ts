import type { Hex } from "viem";
import type { SourceState } from "../odf/metadata/types";

/** Name of the polling source's state in `AddData.newSourceState` (ODF: `default`). */
export const SOURCE_NAME = "default";

/** Key of the chain source's entry in `AddData.extra`: recent block hashes for reorg detection. */
export const EXTRA_KEY = "odf-oracle.dev/evmLogs";

/** A block the dataset has seen as canonical: its height and hash. */
export type BlockRef = { number: number; hash: Hex };

/** The ODF ETag source state `"<lastBlockNumber>@<blockHashHexNo0x>"` of the last ingested block. */
export function formatSourceState(block: BlockRef): SourceState {
  return { sourceName: SOURCE_NAME, kind: "odf/etag", value: `${block.number}@${block.hash.slice(2).toLowerCase()}` };
}

/** Parses the ETag source state; `undefined` when there is none or it is not ours. */
export function parseSourceState(state: SourceState | undefined): BlockRef | undefined {
  if (state?.kind !== "odf/etag") return undefined;
  const m = /^(\d+)@([0-9a-fA-F]{64})$/.exec(state.value);
  if (!m) return undefined;
  const number = Number(m[1]);
  if (!Number.isSafeInteger(number)) return undefined;
  return { number, hash: `0x${(m[2] as string).toLowerCase()}` };
}

/** `extra` of an AddData holding recent canonical blocks (newest first), compactly as `n:hash,...`. */
export function formatRecentBlocks(blocks: readonly BlockRef[]): Record<string, unknown> {
  return { [EXTRA_KEY]: { recentBlocks: blocks.map((b) => `${b.number}:${b.hash.slice(2)}`).join(",") } };
}

/** Reads the recent blocks back from an AddData's `extra` (empty when absent or malformed). */
export function parseRecentBlocks(extra: Record<string, unknown> | undefined): BlockRef[] {
  const entry = extra?.[EXTRA_KEY] as { recentBlocks?: unknown } | undefined;
  if (!entry || typeof entry.recentBlocks !== "string" || entry.recentBlocks === "") return [];
  const blocks: BlockRef[] = [];
  for (const item of entry.recentBlocks.split(",")) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(item);
    if (m) blocks.push({ number: Number(m[1]), hash: `0x${m[2]}` });
  }
  return blocks;
}

/** Merges block refs (newest first, one per height, the later list winning), keeping at most `limit`. */
export function mergeRecentBlocks(older: readonly BlockRef[], newer: readonly BlockRef[], limit: number): BlockRef[] {
  const byHeight = new Map<number, BlockRef>();
  for (const b of older) byHeight.set(b.number, b);
  for (const b of newer) byHeight.set(b.number, b);
  return [...byHeight.values()].sort((a, b) => b.number - a.number).slice(0, limit);
}
