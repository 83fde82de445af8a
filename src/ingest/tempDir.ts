import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import type { Workspace } from "../odf/workspace/workspace";

/**
 * Runs `fn` with a fresh scratch directory under the workspace (`.tmp/<random>`, the same
 * filesystem as the datasets) and removes it afterwards, whatever happens. A killed process
 * leaves the directory behind; nothing references it.
 */
export async function withTempDir<T>(workspace: Workspace, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = workspace.path(".tmp", `ingest-${randomBytes(6).toString("hex")}`);
  await fs.mkdir(dir, { recursive: true });
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
