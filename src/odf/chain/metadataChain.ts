import { blockHash, decodeMetadataBlock, encodeMetadataBlock } from "../metadata/blockCodec";
import type { MetadataBlock, MetadataEvent } from "../metadata/types";
import type { DatasetStore, WritableDatasetStore } from "../storage/datasetStore";
import { ObjectNotFoundError, StoreError } from "../storage/errors";
import { formatInstant } from "../time";
import { applyBlock, type ChainState, EMPTY_CHAIN_STATE } from "./chainState";
import { BlockHashMismatchError, HeadNotFoundError } from "./readErrors";

/** A block read from storage: its hash, its exact stored bytes and the decoded block. */
export type StoredBlock = { hash: string; bytes: Uint8Array; block: MetadataBlock; version: 2 | 3 };

/** Read access to a dataset's metadata chain. */
export type MetadataChain = {
  readonly store: DatasetStore;
  /** Hash of the head block, or `undefined` for a dataset with no blocks yet. */
  head(): Promise<string | undefined>;
  /** Reads a block by hash and checks its bytes hash to its name. */
  getBlock(hash: string): Promise<StoredBlock>;
  /** Blocks from `from` (default: head) back to the Seed, newest first. */
  iterate(from?: string): AsyncGenerator<StoredBlock>;
  /** Folds the whole chain (Seed to `at`, default head) into its state, validating every rule. */
  state(at?: string): Promise<ChainState>;
};

/** A chain that can be appended to. */
export type WritableMetadataChain = MetadataChain & {
  readonly store: WritableDatasetStore;
  /**
   * Appends an event as a new block after the head: validates every chain rule against the state,
   * writes the block, then swaps `refs/head` (the commit point). Data and checkpoint files
   * referenced by the event must already be in the store.
   */
  append(
    event: MetadataEvent,
    options?: AppendOptions,
  ): Promise<{ hash: string; block: MetadataBlock; state: ChainState }>;
  /**
   * Appends several events as consecutive blocks with ONE head move, so a crash leaves either all
   * of them or none (e.g. a `SetDataSchema` and the `AddData` it introduces).
   */
  appendMany(
    events: readonly MetadataEvent[],
    options?: AppendOptions,
  ): Promise<{ hashes: string[]; blocks: MetadataBlock[]; state: ChainState }>;
};

export type AppendOptions = {
  /** Block system time (default: now, but never before the previous block's). */
  systemTime?: string;
  /** Manifest version to write (default 3). */
  version?: 2 | 3;
};

/** Opens a dataset's metadata chain over a store. A writable store yields a writable chain. */
export function createMetadataChain(store: WritableDatasetStore): WritableMetadataChain;
export function createMetadataChain(store: DatasetStore): MetadataChain;
export function createMetadataChain(store: DatasetStore): MetadataChain | WritableMetadataChain {
  // The state at the head, kept while this process is the only writer it has seen.
  let cached: ChainState | undefined;

  const getBlock = async (hash: string): Promise<StoredBlock> => {
    const bytes = await store.readObject("blocks", hash);
    const actual = blockHash(bytes);
    if (actual !== hash) throw new BlockHashMismatchError({ expected: hash, actual, location: store.location });
    const { block, version } = decodeMetadataBlock(bytes);
    return { hash, bytes, block, version };
  };

  const head = () => store.readRef("head");

  async function* iterate(from?: string): AsyncGenerator<StoredBlock> {
    let next = from ?? (await head());
    if (next !== undefined && from === undefined) {
      if ((await store.statObject("blocks", next)) === undefined)
        throw new HeadNotFoundError({ head: next, location: store.location });
    }
    while (next !== undefined) {
      const stored = await getBlock(next);
      yield stored;
      next = stored.block.prevBlockHash;
    }
  }

  const state = async (at?: string): Promise<ChainState> => {
    const target = at ?? (await head());
    if (target === undefined) return EMPTY_CHAIN_STATE;
    if (at === undefined && cached?.head === target) return cached;
    if (at === undefined && (await store.statObject("blocks", target)) === undefined) {
      throw new HeadNotFoundError({ head: target, location: store.location });
    }
    const blocks: StoredBlock[] = [];
    for await (const b of iterate(target)) blocks.push(b);
    let s = EMPTY_CHAIN_STATE;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i] as StoredBlock;
      s = applyBlock(s, b.hash, b.block);
    }
    if (at === undefined) cached = s;
    return s;
  };

  const chain: MetadataChain = { store, head, getBlock, iterate, state };
  if (!store.writable) return chain;
  const writable = store as WritableDatasetStore;

  const appendMany: WritableMetadataChain["appendMany"] = async (events, options = {}) => {
    const before = await state();
    const now = options.systemTime ?? formatInstant(new Date());
    // Clocks can step back; the chain cannot.
    const systemTime =
      before.systemTime !== undefined && now < before.systemTime && !options.systemTime ? before.systemTime : now;
    let after = before;
    const written: { hash: string; block: MetadataBlock; bytes: Uint8Array }[] = [];
    for (const event of events) {
      const block: MetadataBlock = {
        systemTime,
        sequenceNumber: after.sequenceNumber + 1,
        event,
        ...(after.head !== undefined ? { prevBlockHash: after.head } : {}),
      };
      const bytes = encodeMetadataBlock(block, { version: options.version ?? 3 });
      const hash = blockHash(bytes);
      after = applyBlock(after, hash, block);
      for (const ref of referencedObjects(event)) {
        if ((await writable.statObject(ref.kind, ref.hash)) === undefined) {
          throw new ObjectNotFoundError({ kind: ref.kind, hash: ref.hash, location: writable.location });
        }
      }
      written.push({ hash, block, bytes });
    }
    if (written.length === 0) return { hashes: [], blocks: [], state: before };
    for (const w of written) await writable.writeObject("blocks", w.hash, w.bytes);
    // Compare-and-swap on the head: another writer may have appended meanwhile.
    if ((await head()) !== before.head) throw new StoreError(`Concurrent append to ${writable.location}; retry`);
    await writable.writeRef("head", after.head as string);
    cached = after;
    return { hashes: written.map((w) => w.hash), blocks: written.map((w) => w.block), state: after };
  };

  const append: WritableMetadataChain["append"] = async (event, options = {}) => {
    const { hashes, blocks, state: after } = await appendMany([event], options);
    return { hash: hashes[0] as string, block: blocks[0] as MetadataBlock, state: after };
  };
  return { ...chain, store: writable, append, appendMany };
}

/** Data and checkpoint files an event points at, which must exist before the block is written. */
export function referencedObjects(event: MetadataEvent): { kind: "data" | "checkpoints"; hash: string }[] {
  const refs: { kind: "data" | "checkpoints"; hash: string }[] = [];
  if (event.kind === "AddData" || event.kind === "ExecuteTransform") {
    if (event.newData) refs.push({ kind: "data", hash: event.newData.physicalHash });
    if (event.newCheckpoint) refs.push({ kind: "checkpoints", hash: event.newCheckpoint.physicalHash });
  }
  return refs;
}
