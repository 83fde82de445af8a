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

// Self-contained worker: one node:crypto SHA3-256 per leaf, seeded with its descriptor; acks each update.
const WORKER_SOURCE = `
const { createHash } = require("node:crypto");
const { parentPort, workerData } = require("node:worker_threads");
const hashers = workerData.descriptors.map((d) => createHash("sha3-256").update(d));
parentPort.on("message", (m) => {
  if (m.t === 0) {
    hashers[m.i].update(new Uint8Array(m.b, 0, m.n));
    parentPort.postMessage(m.n);
  } else {
    parentPort.postMessage(hashers.map((h) => h.digest()));
  }
});
`;

/** Backlog (bytes sent, not yet hashed) above which `drain()` waits. */
const MAX_BACKLOG = 32 << 20;

/** Hashers on a worker thread; bytes are transferred (owned) or copied to it. */
export function createWorkerLeafHashers(descriptors: readonly Uint8Array[]): LeafHashers {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { descriptors } });
  let backlog = 0;
  let failure: Error | undefined;
  let waiter: (() => void) | undefined;
  let resolveDigests: ((d: Uint8Array[]) => void) | undefined;
  let rejectDigests: ((e: Error) => void) | undefined;
  const fail = (error: Error) => {
    failure = error;
    rejectDigests?.(error);
    waiter?.();
  };
  worker.on("message", (m: number | Uint8Array[]) => {
    if (typeof m === "number") {
      backlog -= m;
      if (waiter !== undefined && backlog <= MAX_BACKLOG / 2) {
        const w = waiter;
        waiter = undefined;
        w();
      }
    } else resolveDigests?.(m.map((d) => new Uint8Array(d)));
  });
  worker.on("error", fail);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    void worker.terminate();
  };
  return {
    takesBuffers: true,
    update(leaf, bytes, owned) {
      if (failure !== undefined) throw failure;
      const own = owned && bytes.byteOffset === 0 ? bytes : new Uint8Array(bytes);
      backlog += own.byteLength;
      worker.postMessage({ t: 0, i: leaf, b: own.buffer, n: own.byteLength }, [own.buffer as ArrayBuffer]);
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
      return new Promise<Uint8Array[]>((resolve, reject) => {
        resolveDigests = (d) => {
          close();
          resolve(d);
        };
        rejectDigests = reject;
        worker.postMessage({ t: 1 });
      });
    },
    close,
  };
}
