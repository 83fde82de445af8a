import { promises as fs } from "node:fs";
import path from "node:path";
import { processOwnedName, removeOrphans } from "../odf/orphans";
import type { Workspace } from "../odf/workspace/workspace";

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
