import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { processExists, processStat } from "../orphans";
import { DatasetLockedError } from "./errors";

/** The lock file, in the dataset's directory (not part of the ODF layout, never served). */
const LOCK_FILE = ".lock";

/** Who holds a dataset's write lock (the lock file's JSON content). */
export type DatasetLockOwner = {
  pid: number;
  host: string;
  operation: string;
  since: string;
  /** The process's start time in clock ticks after boot (Linux), telling a reused pid apart. */
  started?: string | undefined;
};

/** A held write lock; `release` removes it (idempotent). */
export type DatasetLock = { release(): Promise<void> };

/** Datasets locked by this process (by directory): a second writer here is refused like any other. */
const heldHere = new Set<string>();

/**
 * Takes the write lock of a dataset for one operation (an ingest, a pull, a transform run): a
 * `.lock` file created exclusively in the dataset directory, holding the owner's pid, host and
 * operation. A lock left by a process of this host that no longer exists (a killed writer) is taken
 * over. Throws `DatasetLockedError` (retryable) while another writer holds it, so that two writers
 * never read the same head and race to extend it.
 */
export async function lockDataset(dataset: { alias: string; dir: string }, operation: string): Promise<DatasetLock> {
  const file = path.join(dataset.dir, LOCK_FILE);
  if (heldHere.has(file)) {
    throw new DatasetLockedError({
      alias: dataset.alias,
      owner: { pid: process.pid, host: hostname(), operation: "another operation of this process", since: "" },
    });
  }
  const owner: DatasetLockOwner = {
    pid: process.pid,
    host: hostname(),
    operation,
    since: new Date().toISOString(),
    started: processStat(process.pid)?.started,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, `${JSON.stringify(owner)}\n`, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const current = await readOwner(file);
    // A lock of a killed process of this host is stale; one being written (unreadable yet) or of
    // another host is respected. Take over at most once, so two takers cannot loop on each other.
    const stale = current !== undefined && current.host === owner.host && !isAlive(current);
    if (!stale || attempt > 0) {
      throw new DatasetLockedError({ alias: dataset.alias, owner: current });
    }
    await fs.rm(file, { force: true });
  }
  heldHere.add(file);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      await fs.rm(file, { force: true });
    },
  };
}

/** Runs `fn` holding the dataset's write lock (see `lockDataset`), releasing it however `fn` ends. */
export async function withDatasetLock<T>(
  dataset: { alias: string; dir: string },
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await lockDataset(dataset, operation);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** Whether the lock's owner still runs: its pid runs and, where known, started when the owner did. */
function isAlive(owner: DatasetLockOwner): boolean {
  if (owner.pid === process.pid) return false; // not held here (checked first), so left by an earlier run
  if (!processExists(owner.pid)) return false;
  return owner.started === undefined || processStat(owner.pid)?.started === owner.started;
}

async function readOwner(file: string): Promise<DatasetLockOwner | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as Partial<DatasetLockOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      operation: String(parsed.operation ?? "unknown"),
      since: String(parsed.since ?? ""),
      started: typeof parsed.started === "string" ? parsed.started : undefined,
    };
  } catch {
    return undefined;
  }
}
