import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Workspace } from "../odf/workspace/workspace";

const OWNED = /^(.+)-(\d+)-[0-9a-f]{12}$/;

/** Whether a process with this id exists (one we may not signal counts as existing). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Creates a scratch directory `<parent>/<prefix>-<pid>-<random>`, after removing the `<prefix>-*`
 * directories left there by processes that no longer exist (a killed ingest or pull can hold
 * tens of megabytes of staged rows or downloads; the next run of the same kind reclaims them).
 * Directories of live processes, and names of another form, are left alone.
 */
export async function createScratchDir(parent: string, prefix: string): Promise<string> {
  await fs.mkdir(parent, { recursive: true });
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (name) => {
      const owned = OWNED.exec(name);
      if (!owned || owned[1] !== prefix) return;
      const pid = Number(owned[2]);
      if (pid === process.pid || processExists(pid)) return;
      await fs.rm(path.join(parent, name), { recursive: true, force: true });
    }),
  );
  const dir = path.join(parent, `${prefix}-${process.pid}-${randomBytes(6).toString("hex")}`);
  await fs.mkdir(dir);
  return dir;
}

/**
 * Runs `fn` with a fresh scratch directory under the workspace (`.tmp/ingest-<pid>-<random>`, the
 * same filesystem as the datasets) and removes it afterwards, whatever happens. A killed process
 * leaves the directory behind; nothing references it, and the next ingest removes it.
 */
export async function withTempDir<T>(workspace: Workspace, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await createScratchDir(workspace.path(".tmp"), "ingest");
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
