import { Command } from "commander";
import type { Output } from "./output";

/** What every command registration receives. */
export type CliContext = {
  out: Output;
  /** Resolves `--workspace` (or the nearest `.odf` upward) for commands that need a workspace. */
  workspaceDir(): string;
};

/** A command module: adds its command(s) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Builds the root `odf` command with its global options. */
export function createRootCommand(): Command {
  return new Command("odf")
    .description("Open Data Fabric datasets, queries and the EVM oracle bridge")
    .option(
      "-w, --workspace <dir>",
      "the workspace: its .odf directory, or the project directory holding .odf (default: the nearest .odf upward; also $ODF_WORKSPACE)",
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
}
