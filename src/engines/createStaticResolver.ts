import { DatasetBlockNotFoundError, DatasetNotFoundError, InvalidBlockHashError } from "./errors";
import type { DatasetLookup, DatasetResolver, ResolvedDataset } from "./types";

/** A dataset known to a static resolver: its blocks in chain order, each with the data it added. */
export type StaticDataset = {
  id: string;
  alias: string;
  /** Blocks oldest first; the last one is the head. */
  blocks: readonly { blockHash: string; dataFiles?: readonly string[] }[];
  schema?: ResolvedDataset["schema"];
};

const BLOCK_HASH = /^f1620[0-9a-f]{64}$/;

/** Checks the textual form of a block hash (`f1620` + 64 lowercase hex digits). */
export function assertBlockHash(blockHash: string): void {
  if (!BLOCK_HASH.test(blockHash)) {
    throw new InvalidBlockHashError({
      blockHash,
      reason: "expected a base16 SHA3-256 multihash (f1620 + 64 hex digits)",
    });
  }
}

/**
 * A resolver over a fixed list of datasets and blocks, held in memory: for tests, benchmarks and
 * embedding the engine over files that are not in a workspace. Looks datasets up by id (or by alias
 * when no id is given); a block hash resolves to the data files of every block up to it.
 */
export function createStaticResolver(datasets: readonly StaticDataset[]): DatasetResolver {
  return {
    async resolve(lookup: DatasetLookup): Promise<ResolvedDataset> {
      const dataset =
        lookup.id !== undefined
          ? datasets.find((d) => d.id === lookup.id)
          : datasets.find((d) => d.alias === lookup.alias);
      if (!dataset) throw new DatasetNotFoundError({ datasetId: lookup.id ?? lookup.alias ?? "" });
      if (lookup.blockHash !== undefined) assertBlockHash(lookup.blockHash);
      const index =
        lookup.blockHash === undefined
          ? dataset.blocks.length - 1
          : dataset.blocks.findIndex((b) => b.blockHash === lookup.blockHash);
      const block = dataset.blocks[index];
      if (index < 0 || block === undefined) {
        throw new DatasetBlockNotFoundError({ datasetId: dataset.id, blockHash: lookup.blockHash ?? "head" });
      }
      return {
        id: dataset.id,
        alias: dataset.alias,
        blockHash: block.blockHash,
        dataFiles: dataset.blocks.slice(0, index + 1).flatMap((b) => b.dataFiles ?? []),
        ...(dataset.schema === undefined ? {} : { schema: dataset.schema }),
      };
    },
    async list() {
      return datasets.map((d) => ({ id: d.id, alias: d.alias }));
    },
  };
}
