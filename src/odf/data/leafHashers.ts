import { Worker } from "node:worker_threads";
import { createSha3 } from "./sha3";

/**
 * The per-leaf SHA3-256 hashers of a logical hash, either on this thread or on a worker thread
 * (so hashing overlaps DuckDB's scan and the caller's staging work on multi-core machines).
 */
export type LeafHashers = {
  /** Whether `update(..., owned = true)` takes the buffer away (the caller must not reuse it). */
  readonly takesBuffers: boolean;
  /** Feeds bytes to leaf `leaf`; `owned` bytes may be transferred instead of copied. */
  update(leaf: number, bytes: Uint8Array, owned: boolean): void;
  /** Resolves once the worker has caught up to a bounded backlog (immediately on this thread). */
  drain(): Promise<void>;
  /** The leaves' digests, in order; the hashers cannot be used afterwards. */
  digests(): Promise<Uint8Array[]>;
  /** Releases the worker (idempotent). */
  close(): void;
};

/** Hashers on the calling thread. */
export function createLocalLeafHashers(descriptors: readonly Uint8Array[]): LeafHashers {
  const hashers = descriptors.map((d) => createSha3().update(d));
  return {
    takesBuffers: false,
    update(leaf, bytes) {
      hashers[leaf]!.update(bytes);
    },
    drain: () => Promise.resolve(),
    digests: () => Promise.resolve(hashers.map((h) => new Uint8Array(h.digest()))),
    close() {},
  };
}

// Self-contained worker: one node:crypto SHA3-256 per leaf it is given, seeded with its descriptor
// on first use; acks each update; answers the digests of its leaves, by leaf index.
const WORKER_SOURCE = `
const { createHash } = require("node:crypto");
const { parentPort, workerData } = require("node:worker_threads");
const hashers = new Map();
parentPort.on("message", (m) => {
  if (m.t === 0) {
    let h = hashers.get(m.i);
    if (h === undefined) {
      h = createHash("sha3-256").update(workerData.descriptors[m.i]);
      hashers.set(m.i, h);
    }
    h.update(new Uint8Array(m.b, 0, m.n));
    parentPort.postMessage(m.n);
  } else {
    parentPort.postMessage([...hashers].map(([i, h]) => [i, h.digest()]));
  }
});
`;

/** Backlog (bytes sent, not yet hashed, over all workers) above which `drain()` waits. */
const MAX_BACKLOG = 32 << 20;

/**
 * Hashers on `workers` worker threads (default 2); bytes are transferred (owned) or copied to them.
 * A leaf is bound to a worker at its first update, to the one that has been sent the fewest bytes,
 * so that wide columns spread over the workers; each leaf's bytes stay in order on one worker.
 */
export function createWorkerLeafHashers(descriptors: readonly Uint8Array[], workers = 2): LeafHashers {
  if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`workers must be >= 1, got ${workers}`);
  const pool = Array.from({ length: Math.min(workers, Math.max(1, descriptors.length)) }, () => ({
    worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { descriptors } }),
    sent: 0,
  }));
  const owner = new Array<number>(descriptors.length).fill(-1);
  let backlog = 0;
  let failure: Error | undefined;
  let waiter: (() => void) | undefined;
  let pendingDigests = 0;
  const digests: (Uint8Array | undefined)[] = new Array(descriptors.length).fill(undefined);
  let resolveDigests: ((d: Uint8Array[]) => void) | undefined;
  let rejectDigests: ((e: Error) => void) | undefined;
  const fail = (error: Error) => {
    failure = error;
    rejectDigests?.(error);
    waiter?.();
  };
  for (const { worker } of pool) {
    worker.on("message", (m: number | [number, Uint8Array][]) => {
      if (typeof m === "number") {
        backlog -= m;
        if (waiter !== undefined && backlog <= MAX_BACKLOG / 2) {
          const w = waiter;
          waiter = undefined;
          w();
        }
        return;
      }
      for (const [i, d] of m) digests[i] = new Uint8Array(d);
      if (--pendingDigests === 0) resolveDigests?.(digests as Uint8Array[]);
    });
    worker.on("error", fail);
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const { worker } of pool) void worker.terminate();
  };
  const post = (target: number, leaf: number, bytes: Uint8Array) => {
    const entry = pool[target]!;
    entry.sent += bytes.byteLength;
    backlog += bytes.byteLength;
    entry.worker.postMessage({ t: 0, i: leaf, b: bytes.buffer, n: bytes.byteLength }, [bytes.buffer as ArrayBuffer]);
  };
  return {
    takesBuffers: true,
    update(leaf, bytes, owned) {
      if (failure !== undefined) throw failure;
      let target = owner[leaf]!;
      if (target < 0) {
        target = 0;
        for (let w = 1; w < pool.length; w++) if (pool[w]!.sent < pool[target]!.sent) target = w;
        owner[leaf] = target;
      }
      post(target, leaf, owned && bytes.byteOffset === 0 ? bytes : new Uint8Array(bytes));
    },
    drain() {
      if (failure !== undefined) return Promise.reject(failure);
      if (backlog <= MAX_BACKLOG) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiter = () => (failure === undefined ? resolve() : reject(failure));
      });
    },
    digests() {
      if (failure !== undefined) return Promise.reject(failure);
      // A leaf that never received a byte (no rows) still has its descriptor's digest.
      for (let leaf = 0; leaf < descriptors.length; leaf++) {
        if (owner[leaf]! < 0) {
          owner[leaf] = 0;
          digests[leaf] = new Uint8Array(createSha3().update(descriptors[leaf]!).digest());
        }
      }
      return new Promise<Uint8Array[]>((resolve, reject) => {
        resolveDigests = (d) => {
          close();
          resolve(d);
        };
        rejectDigests = reject;
        pendingDigests = pool.length;
        for (const { worker } of pool) worker.postMessage({ t: 1 });
      });
    },
    close,
  };
}
