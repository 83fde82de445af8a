import type { Workspace } from "../odf/workspace/workspace";
import type { CliContext } from "./program";

/** Opens the workspace the CLI was pointed at (lazy-loaded to keep start-up fast). */
export async function openCliWorkspace(ctx: CliContext): Promise<Workspace> {
  const { openWorkspace } = await import("../odf/workspace/workspace.js");
  return openWorkspace(ctx.workspaceDir());
}
