import type { RegisterCommand } from "../program";
import { registerAdd } from "./add";
import { registerBlock } from "./block";
import { registerChainSourceCli } from "./chainSource";
import { registerDataset } from "./dataset";
import { registerDispute } from "./dispute";
import { registerIngest } from "./ingest";
import { registerInit } from "./init";
import { registerList } from "./list";
import { registerLog } from "./log";
import { registerProofCommands } from "./proofCommands";
import { registerProvider } from "./provider";
import { registerPull } from "./pull";
import { registerServe } from "./serve";
import { registerSql } from "./sql";
import { registerTail } from "./tail";
import { registerTransformCli } from "./transform";
import { registerVerify } from "./verify";

/** Every command module of the CLI, in help order. Add new command modules here. */
export const commands: readonly RegisterCommand[] = [
  registerInit,
  // Adds no command of its own: extends `dataset new` (--from-logs) and `pull` (--watch), so it runs before them.
  registerChainSourceCli,
  // Adds `lineage` and `transform set`, and extends `dataset new` (--input/--query) and `verify` (--replay).
  registerTransformCli,
  registerDataset,
  registerList,
  registerLog,
  registerVerify,
  registerBlock,
  registerAdd,
  registerPull,
  registerIngest,
  registerTail,
  registerSql,
  registerServe,
  registerProofCommands,
  registerProvider,
  registerDispute,
];
