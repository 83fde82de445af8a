import { randomBytes } from "node:crypto";
import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";

/** `<prefix>-<pid>-<12 hex>[.ext]`, the names `processOwnedName` makes. */
const OWNED = /^(.+)-(\d+)-[0-9a-f]{12}(\.[A-Za-z0-9]+)?$/;

/**
 * A fresh name for a temporary file or directory of this process: `<prefix>-<pid>-<random><extension>`.
 * A process killed before removing it leaves it behind; `removeOrphans` finds it by the dead pid.
 */
export function processOwnedName(prefix: string, extension = ""): string {
  return `${prefix}-${process.pid}-${randomBytes(6).toString("hex")}${extension}`;
}

/**
 * Whether a process with this id runs on this host: one we may not signal counts as running, a
 * killed one its parent has not reaped yet (a zombie) does not.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return processStat(pid)?.state !== "Z";
}

/** State (field 3) and start time after boot (field 22) of `/proc/<pid>/stat`; undefined off Linux. */
export function processStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", started: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * Removes the entries of `dir` named by `processOwnedName(prefix, ...)` whose process no longer
 * exists (what a killed ingest, pull or slice write left behind). Entries of live processes and
 * names of another form are left alone; a missing `dir` is fine.
 */
export async function removeOrphans(dir: string, prefix: string): Promise<void> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (name) => {
      const owned = OWNED.exec(name);
      if (!owned || owned[1] !== prefix) return;
      const pid = Number(owned[2]);
      if (pid === process.pid || processExists(pid)) return;
      await fs.rm(path.join(dir, name), { recursive: true, force: true });
    }),
  );
}

/**
 * Creates a scratch directory `<parent>/<prefix>-<pid>-<random>`, after removing the `<prefix>-*`
 * directories left there by processes that no longer exist (a killed ingest or pull can hold
 * tens of megabytes of staged rows or downloads; the next run of the same kind reclaims them).
 */
export async function createScratchDir(parent: string, prefix: string): Promise<string> {
  await fs.mkdir(parent, { recursive: true });
  await removeOrphans(parent, prefix);
  const dir = path.join(parent, processOwnedName(prefix));
  await fs.mkdir(dir);
  return dir;
}
