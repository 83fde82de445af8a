import { CommanderError } from "commander";
import { BaseError, formatErrorLine } from "../errors/base";
import { commands } from "./commands";
import { createProcessOutput, type Output } from "./output";
import { type CliContext, createRootCommand } from "./program";
import { resolveWorkspaceDir } from "./workspaceDir";

/** The hint lines of an error and of the errors it wraps (`cause`), each once. */
function hintsOf(error: unknown): string[] {
  const hints = new Set<string>();
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof BaseError) for (const hint of e.hints) hints.add(hint);
  }
  return [...hints];
}

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
    out.error(`odf: ${formatErrorLine(error)}`);
    for (const hint of hintsOf(error)) out.error(`hint: ${hint}`);
    if (process.env.ODF_DEBUG) out.error(String((error as Error).stack));
    return 1;
  }
}
