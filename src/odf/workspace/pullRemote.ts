import { rm } from "node:fs/promises";
import { BaseError } from "../../errors/base";
import { applyBlock, type ChainState, EMPTY_CHAIN_STATE } from "../chain/chainState";
import { createMetadataChain, referencedObjects, type StoredBlock } from "../chain/metadataChain";
import { sha3MultihashString } from "../multihash";
import type { DatasetStore } from "../storage/datasetStore";
import { createHttpDatasetStore } from "../storage/httpDatasetStore";
import { assertAlias, type Dataset, type Workspace } from "./workspace";

/** A remote dataset cannot be pulled (diverged history, corrupted object, not a dataset). */
export class PullError extends BaseError {
  override name = "PullError";
}

/** Progress of a pull, for the CLI. */
export type PullProgress = { phase: "blocks" | "objects"; done: number; total?: number };

export type PullRemoteParameters = {
  /** URL of the dataset served with the ODF Simple Transfer Protocol (…/datasets/<alias>/ or a dataset root). */
  url: string;
  /** Local alias (default: the last path segment of the URL). */
  alias?: string;
  onProgress?: (p: PullProgress) => void;
  /** A store to read from instead of HTTP (tests, file copies). */
  source?: DatasetStore;
};

export type PullRemoteResult = {
  alias: string;
  id: string;
  head: string;
  newBlocks: number;
  newObjects: number;
  upToDate: boolean;
};

/**
 * Copies a remote dataset into the workspace (or fast-forwards an existing copy), verifying as it
 * goes: every block's bytes hash to its name, every chain rule holds, every data and checkpoint
 * file has its recorded size and physical hash. The local head moves only when all is in place.
 */
export async function pullRemote(workspace: Workspace, params: PullRemoteParameters): Promise<PullRemoteResult> {
  const source = params.source ?? createHttpDatasetStore(params.url);
  const remote = createMetadataChain(source);
  const remoteHead = await source.readRef("head");
  if (remoteHead === undefined) throw new PullError(`${params.url} has no refs/head: not an ODF dataset`);

  const alias = params.alias ?? decodeURIComponent(new URL(params.url).pathname.split("/").filter(Boolean).pop() ?? "");
  assertAlias(alias);
  const existing = (await workspace.has(alias)) ? await workspace.open(alias) : undefined;
  const localHead = existing ? await existing.chain.head() : undefined;

  // Walk the remote chain back to the Seed or to our local head (fast-forward only).
  const fresh: StoredBlock[] = [];
  let next: string | undefined = remoteHead;
  while (next !== undefined && next !== localHead) {
    let stored: StoredBlock;
    try {
      stored = await remote.getBlock(next);
    } catch (error) {
      throw new PullError(
        `Cannot pull block ${next}: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`,
        { cause: error },
      );
    }
    fresh.push(stored);
    params.onProgress?.({ phase: "blocks", done: fresh.length });
    next = stored.block.prevBlockHash;
  }
  if (existing && localHead !== undefined && next !== localHead) {
    const seed = fresh[fresh.length - 1]?.block.event;
    if (seed?.kind === "Seed" && seed.datasetId !== existing.id) {
      throw new PullError(`Local ${alias} is dataset ${existing.id}, the remote is ${seed.datasetId}`);
    }
    throw new PullError(
      `Local ${alias} has diverged from ${params.url}: its head ${localHead} is not in the remote chain`,
    );
  }
  const seed = fresh[fresh.length - 1];
  if (!existing && seed?.block.event.kind !== "Seed")
    throw new PullError(`${params.url}: the chain does not end in a Seed`);
  if (fresh.length === 0) {
    return { alias, id: existing?.id ?? "", head: remoteHead, newBlocks: 0, newObjects: 0, upToDate: true };
  }

  // Validate the chain rules over the new blocks before touching the workspace.
  let state: ChainState = existing ? await existing.chain.state() : EMPTY_CHAIN_STATE;
  for (let i = fresh.length - 1; i >= 0; i--) {
    const b = fresh[i] as StoredBlock;
    try {
      state = applyBlock(state, b.hash, b.block);
    } catch (error) {
      throw new PullError(`${params.url}: ${(error as BaseError).shortMessage ?? (error as Error).message}`, {
        cause: error,
      });
    }
  }
  const id = state.datasetId as string;
  if (existing && existing.id !== id)
    throw new PullError(`Local ${alias} is dataset ${existing.id}, the remote is ${id}`);
  if (!existing && (await workspace.has(id))) {
    // Two aliases of one id would make queries by id read whichever copy comes first.
    const other = (await workspace.open(id)).alias;
    throw new PullError(`${params.url} is dataset ${id}, which the workspace already holds as ${other}`, {
      hints: [`Pull it into that alias: odf pull ${params.url} ${other}`],
    });
  }
  const dataset = existing ?? (await workspace.createEmpty({ alias, id, kind: state.datasetKind ?? "Root" }));
  try {
    const newObjects = await copyInto(dataset, fresh, source, remoteHead, params.onProgress);
    return { alias, id, head: remoteHead, newBlocks: fresh.length, newObjects, upToDate: false };
  } catch (error) {
    // A first pull that fails leaves no dataset behind (a headless one would break every query).
    if (!existing) await rm(dataset.dir, { recursive: true, force: true });
    throw error;
  }
}

/** Copies the new blocks' objects (verified), then the blocks, then moves the head; returns the objects copied. */
async function copyInto(
  dataset: Dataset,
  fresh: readonly StoredBlock[],
  source: DatasetStore,
  remoteHead: string,
  onProgress: PullRemoteParameters["onProgress"],
): Promise<number> {
  // Objects first (verified), then blocks, then the head.
  let newObjects = 0;
  for (let i = fresh.length - 1; i >= 0; i--) {
    const { block } = fresh[i] as StoredBlock;
    for (const ref of referencedObjects(block.event)) {
      if ((await dataset.store.statObject(ref.kind, ref.hash)) !== undefined) continue;
      const bytes = await source.readObject(ref.kind, ref.hash);
      const event = block.event as { newData?: { size: number }; newCheckpoint?: { size: number } };
      const size = ref.kind === "data" ? event.newData?.size : event.newCheckpoint?.size;
      if (size !== undefined && bytes.length !== size) {
        throw new PullError(
          `${ref.kind}/${ref.hash} of block ${block.sequenceNumber} is ${bytes.length} bytes, the block records ${size}`,
        );
      }
      const actual = sha3MultihashString(bytes);
      if (actual !== ref.hash)
        throw new PullError(`${ref.kind}/${ref.hash} of block ${block.sequenceNumber} hashes to ${actual}`);
      await dataset.store.writeObject(ref.kind, ref.hash, bytes);
      newObjects++;
      onProgress?.({ phase: "objects", done: newObjects });
    }
  }
  for (let i = fresh.length - 1; i >= 0; i--) {
    const b = fresh[i] as StoredBlock;
    await dataset.store.writeObject("blocks", b.hash, b.bytes);
  }
  await dataset.store.writeRef("head", remoteHead);
  return newObjects;
}
