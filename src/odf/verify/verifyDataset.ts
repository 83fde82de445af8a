import { BaseError } from "../../errors/base";
import { applyBlock, type ChainState, EMPTY_CHAIN_STATE } from "../chain/chainState";
import { ChainRuleError } from "../chain/errors";
import type { MetadataChain, StoredBlock } from "../chain/metadataChain";
import type { DatasetStore, WritableDatasetStore } from "../storage/datasetStore";

/** One problem found by verification, naming the block and the file it concerns. */
export type VerificationProblem = {
  /** Sequence number of the block concerned, when known. */
  sequenceNumber?: number;
  /** Path or name of the file concerned (`blocks/<hash>`, `data/<hash>`, `refs/head`). */
  file?: string;
  message: string;
};

/** Checks a data or checkpoint file's content hashes; returns a problem message or undefined. */
export type FileHasher = {
  /** SHA3-256 multihash of the file's bytes. */
  physicalHash(path: string): Promise<string>;
  /** Logical hash of a Parquet data slice (undefined: skip the logical check). */
  logicalHash?(path: string): Promise<string>;
};

/** Result of `verifyDataset`. */
export type VerificationReport = {
  ok: boolean;
  blocks: number;
  dataFiles: number;
  problems: VerificationProblem[];
  /** The chain state at the head when the metadata verified. */
  state: ChainState | undefined;
};

export type VerifyOptions = {
  /** Check metadata only (block hashes, chain rules, head), not data files. */
  metadataOnly?: boolean;
  hasher: FileHasher;
};

/** Reads and checks every block file of a local store concurrently; failures are left to the walk. */
async function prefetchBlocks(chain: MetadataChain): Promise<Map<string, StoredBlock>> {
  const map = new Map<string, StoredBlock>();
  const store = chain.store as Partial<WritableDatasetStore>;
  if (typeof store.listObjects !== "function") return map;
  const hashes = await store.listObjects("blocks");
  let index = 0;
  const worker = async () => {
    while (index < hashes.length) {
      const hash = hashes[index++] as string;
      try {
        map.set(hash, await chain.getBlock(hash));
      } catch {
        // Reported with its sequence number when the walk reaches it.
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return map;
}

const message = (error: unknown) => (error instanceof BaseError ? error.shortMessage : (error as Error).message);

/**
 * Verifies a dataset: metadata integrity (the head exists, each block's bytes hash to its name,
 * every chain rule holds) and data integrity (every referenced data and checkpoint file exists
 * with the recorded size, physical hash and logical hash). Never throws for a bad dataset:
 * every problem is reported with its block sequence number and file.
 */
export async function verifyDataset(chain: MetadataChain, options: VerifyOptions): Promise<VerificationReport> {
  const store: DatasetStore = chain.store;
  const problems: VerificationProblem[] = [];
  const report = (p: VerificationProblem) => problems.push(p);
  const head = await store.readRef("head");
  if (head === undefined) {
    report({ file: "refs/head", message: "the dataset has no head ref" });
    return { ok: false, blocks: 0, dataFiles: 0, problems, state: undefined };
  }

  // Walk back from the head, checking each block's bytes against its name. Local stores are
  // read ahead in parallel (every block file), so the walk itself is in memory.
  const prefetched = await prefetchBlocks(chain);
  const blocks: StoredBlock[] = [];
  let next: string | undefined = head;
  while (next !== undefined) {
    const hash: string = next;
    try {
      const stored = prefetched.get(hash) ?? (await chain.getBlock(hash));
      blocks.push(stored);
      next = stored.block.prevBlockHash;
    } catch (error) {
      const after = blocks[blocks.length - 1];
      const seq = after ? after.block.sequenceNumber - 1 : undefined;
      report({
        ...(seq !== undefined ? { sequenceNumber: seq } : {}),
        file: hash === head && blocks.length === 0 ? `refs/head -> blocks/${hash}` : `blocks/${hash}`,
        message: message(error),
      });
      return { ok: false, blocks: blocks.length, dataFiles: 0, problems, state: undefined };
    }
  }

  // Fold forward from the Seed, checking every chain rule.
  let state = EMPTY_CHAIN_STATE;
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i] as StoredBlock;
    try {
      state = applyBlock(state, b.hash, b.block);
    } catch (error) {
      report({
        sequenceNumber: b.block.sequenceNumber,
        file: `blocks/${b.hash}`,
        message: error instanceof ChainRuleError ? message(error).replace(/^Block \d+: /, "") : message(error),
      });
      return { ok: false, blocks: blocks.length, dataFiles: 0, problems, state: undefined };
    }
  }
  if (options.metadataOnly) return { ok: problems.length === 0, blocks: blocks.length, dataFiles: 0, problems, state };

  // Data and checkpoint files.
  let dataFiles = 0;
  for (let i = blocks.length - 1; i >= 0; i--) {
    const { block } = blocks[i] as StoredBlock;
    const event = block.event;
    if (event.kind !== "AddData" && event.kind !== "ExecuteTransform") continue;
    const files: { kind: "data" | "checkpoints"; hash: string; size: number; logicalHash?: string }[] = [];
    if (event.newData) {
      files.push({
        kind: "data",
        hash: event.newData.physicalHash,
        size: event.newData.size,
        logicalHash: event.newData.logicalHash,
      });
    }
    if (event.newCheckpoint)
      files.push({ kind: "checkpoints", hash: event.newCheckpoint.physicalHash, size: event.newCheckpoint.size });
    for (const f of files) {
      const file = `${f.kind}/${f.hash}`;
      const seq = block.sequenceNumber;
      const size = await store.statObject(f.kind, f.hash);
      if (size === undefined) {
        report({ sequenceNumber: seq, file, message: "file is missing" });
        continue;
      }
      if (f.kind === "data") dataFiles++;
      if (size !== f.size) {
        report({ sequenceNumber: seq, file, message: `size is ${size} bytes, the block records ${f.size}` });
        continue;
      }
      const path = store.objectPath(f.kind, f.hash);
      const physical = await options.hasher.physicalHash(path);
      if (physical !== f.hash) {
        report({ sequenceNumber: seq, file, message: `physical hash is ${physical}, the block records ${f.hash}` });
        continue;
      }
      if (f.logicalHash !== undefined && options.hasher.logicalHash) {
        try {
          const logical = await options.hasher.logicalHash(path);
          if (logical !== f.logicalHash) {
            report({
              sequenceNumber: seq,
              file,
              message: `logical hash is ${logical}, the block records ${f.logicalHash}`,
            });
          }
        } catch (error) {
          report({ sequenceNumber: seq, file, message: `cannot read the data: ${message(error)}` });
        }
      }
    }
  }
  return { ok: problems.length === 0, blocks: blocks.length, dataFiles, problems, state };
}
