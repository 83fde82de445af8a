import { DatasetBlockNotFoundError, DatasetNotFoundError, InvalidBlockHashError } from "../../engines/errors";
import type { DatasetLookup, DatasetResolver, ResolvedDataset } from "../../engines/types";
import type { ChainState } from "../chain/chainState";
import { duckDbTypeOf } from "../schema/duckDbTypes";
import type { Dataset, Workspace } from "./workspace";

const BLOCK_HASH_RE = /^f1620[0-9a-f]{64}$/;

/** Resolved data files and schema of a dataset at a chain state. */
export function resolvedFromState(dataset: Dataset, state: ChainState): ResolvedDataset {
  const resolved: ResolvedDataset = {
    id: dataset.id,
    alias: dataset.alias,
    blockHash: state.head as string,
    dataFiles: state.slices.map((s) => dataset.store.objectPath("data", s.slice.physicalHash)),
  };
  const fields = state.schema?.schema?.fields;
  if (fields) return { ...resolved, schema: fields.map((f) => ({ name: f.name, type: duckDbTypeOf(f.type) })) };
  return resolved;
}

/**
 * A `DatasetResolver` over a workspace: finds datasets by id (or alias), checks a pinned block is
 * in the dataset's chain, and lists the Parquet slices up to it. Chain states are cached per block.
 */
export function createWorkspaceResolver(workspace: Workspace): DatasetResolver {
  const states = new Map<string, ChainState>();
  const membership = new Map<string, Set<string>>();

  const blocksOf = async (dataset: Dataset, head: string): Promise<Set<string>> => {
    const key = `${dataset.id}@${head}`;
    let set = membership.get(key);
    if (!set) {
      set = new Set();
      for await (const b of dataset.chain.iterate(head)) set.add(b.hash);
      membership.set(key, set);
    }
    return set;
  };

  return {
    async resolve(lookup: DatasetLookup): Promise<ResolvedDataset> {
      const key = lookup.id ?? lookup.alias;
      if (!key) throw new DatasetNotFoundError({ datasetId: "(none given)" });
      if (lookup.blockHash !== undefined && !BLOCK_HASH_RE.test(lookup.blockHash)) {
        throw new InvalidBlockHashError({
          blockHash: lookup.blockHash,
          reason: "expected f1620 followed by 64 hex digits",
        });
      }
      let dataset: Dataset;
      try {
        dataset = await workspace.open(key);
      } catch (error) {
        if (error instanceof DatasetNotFoundError) throw new DatasetNotFoundError({ datasetId: key });
        throw error;
      }
      const head = await dataset.chain.head();
      if (head === undefined) throw new DatasetNotFoundError({ datasetId: dataset.id });
      const target = lookup.blockHash ?? head;
      if (lookup.blockHash !== undefined && !(await blocksOf(dataset, head)).has(target)) {
        throw new DatasetBlockNotFoundError({ datasetId: dataset.id, blockHash: target });
      }
      const cacheKey = `${dataset.id}@${target}`;
      let state = states.get(cacheKey);
      if (!state) {
        state = await dataset.chain.state(target);
        states.set(cacheKey, state);
      }
      return resolvedFromState(dataset, state);
    },
    async list() {
      return (await workspace.list()).map((d) => ({ id: d.id, alias: d.alias }));
    },
  };
}
