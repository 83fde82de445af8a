import { CommanderError } from "commander";
import { commands } from "./commands";
import { errorLines } from "./errorLines";
import { createProcessOutput, type Output } from "./output";
import { type CliContext, createRootCommand } from "./program";
import { resolveWorkspaceDir } from "./workspaceDir";

/** Runs the `odf` CLI with the given argv; resolves to the process exit code. */
export async function main(argv: readonly string[], out: Output = createProcessOutput()): Promise<number> {
  const program = createRootCommand();
  program.exitOverride();
  const ctx: CliContext = {
    out,
    workspaceDir: () => resolveWorkspaceDir(program.opts<{ workspace?: string }>().workspace, process.cwd()),
  };
  for (const register of commands) register(program, ctx);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    for (const line of errorLines(error)) out.error(line);
    if (process.env.ODF_DEBUG) out.error(String((error as Error).stack));
    return 1;
  }
}
