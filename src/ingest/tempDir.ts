import { promises as fs } from "node:fs";
import { createScratchDir } from "../odf/orphans";
import type { Workspace } from "../odf/workspace/workspace";

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
