import path from "node:path";
import type { RegisterCommand } from "../program";
import { resolveWorkspaceDir, WORKSPACE_DIR_NAME } from "../workspaceDir";

/** `odf init`: creates a workspace (`.odf` in the current directory, or `--workspace DIR`). */
export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command("init")
    .description("create an ODF workspace (.odf in the current directory, or --workspace DIR)")
    .action(async () => {
      const { initWorkspace } = await import("../../odf/workspace/workspace.js");
      const explicit = program.opts<{ workspace?: string }>().workspace ?? process.env.ODF_WORKSPACE;
      const dir = explicit ? resolveWorkspaceDir(explicit, process.cwd()) : path.resolve(WORKSPACE_DIR_NAME);
      const ws = await initWorkspace(dir);
      ctx.out.line(`Initialized workspace in ${ws.dir}`);
    });
};
