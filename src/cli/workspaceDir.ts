import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { BaseError } from "../errors/base";

/** Name of the workspace directory that `odf init` creates and commands search for upward. */
export const WORKSPACE_DIR_NAME = ".odf";

/** No workspace was given and none was found upward from the current directory. */
export class WorkspaceNotFoundError extends BaseError {
  override name = "WorkspaceNotFoundError";
  constructor(from: string) {
    super(`No ODF workspace found in ${from} or any parent directory`, {
      hints: ["Run `odf init` to create one, or pass --workspace DIR."],
    });
  }
}

const isDirectory = (dir: string) => existsSync(dir) && statSync(dir).isDirectory();

/**
 * Resolves the workspace directory: the explicit `--workspace` value, else `$ODF_WORKSPACE`,
 * else the nearest `.odf` directory from `cwd` upward (like git). A given directory may be the
 * workspace itself or the project directory holding it as `.odf`.
 */
export function resolveWorkspaceDir(explicit: string | undefined, cwd: string): string {
  const given = explicit ?? process.env.ODF_WORKSPACE;
  if (given) {
    const dir = path.resolve(cwd, given);
    const inner = path.join(dir, WORKSPACE_DIR_NAME);
    return isDirectory(inner) ? inner : dir;
  }
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, WORKSPACE_DIR_NAME);
    if (isDirectory(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new WorkspaceNotFoundError(cwd);
    dir = parent;
  }
}
