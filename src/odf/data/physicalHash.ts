import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { encodeMultihash, multihashToString, SHA3_256_CODE } from "../multihash";
import { SliceReadError } from "./errors";
import { createSha3 } from "./sha3";

/** Files at least this large are hashed on a worker thread, in parallel with the caller's work. */
const WORKER_THRESHOLD = 8 << 20;
const READ_SIZE = 1 << 20;

/**
 * Physical hash of a data slice: the SHA3-256 multihash of the file bytes as `f1620...` text.
 * Streams the file in 1 MiB reads, so it is fine for slices of any size; files of 8 MiB and more
 * are hashed on a worker thread so that the main thread can meanwhile compute the logical hash.
 * Throws `SliceReadError` when the file cannot be read.
 */
export async function physicalHash(path: string): Promise<string> {
  let digest: Uint8Array;
  try {
    const { size } = await stat(path);
    digest = size >= WORKER_THRESHOLD ? await digestOnWorker(path) : await digestHere(path);
  } catch (cause) {
    const problem = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : firstLine(cause);
    throw new SliceReadError({ path, problem, cause });
  }
  return multihashToString(encodeMultihash(SHA3_256_CODE, digest));
}

async function digestHere(path: string): Promise<Uint8Array> {
  const hasher = createSha3();
  for await (const chunk of createReadStream(path, { highWaterMark: READ_SIZE })) hasher.update(chunk as Buffer);
  return new Uint8Array(hasher.digest());
}

// Self-contained worker: the same streamed SHA3-256 (OpenSSL through node:crypto) as `digestHere`.
const WORKER_SOURCE = `
const { createHash } = require("node:crypto");
const { createReadStream } = require("node:fs");
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const hasher = createHash("sha3-256");
  for await (const chunk of createReadStream(workerData.path, { highWaterMark: workerData.readSize })) hasher.update(chunk);
  parentPort.postMessage(hasher.digest());
})().catch((error) => parentPort.postMessage({ error: String(error && error.message), code: error && error.code }));
`;

function digestOnWorker(path: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, readSize: READ_SIZE } });
    worker.once("message", (message: Uint8Array | { error: string; code?: string }) => {
      void worker.terminate();
      if (message instanceof Uint8Array) resolve(new Uint8Array(message));
      else reject(Object.assign(new Error(message.error), { code: message.code }));
    });
    worker.once("error", reject);
  });
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split("\n")[0] ?? "";
}
