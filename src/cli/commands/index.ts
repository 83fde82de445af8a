import type { RegisterCommand } from "../program";
import { registerAdd } from "./add";
import { registerBlock } from "./block";
import { registerDataset } from "./dataset";
import { registerIngest } from "./ingest";
import { registerInit } from "./init";
import { registerList } from "./list";
import { registerLog } from "./log";
import { registerProvider } from "./provider";
import { registerPull } from "./pull";
import { registerTail } from "./tail";
import { registerVerify } from "./verify";

/** Every command module of the CLI, in help order. Add new command modules here. */
export const commands: readonly RegisterCommand[] = [
  registerInit,
  registerDataset,
  registerList,
  registerLog,
  registerVerify,
  registerBlock,
  registerAdd,
  registerPull,
  registerIngest,
  registerTail,
  registerProvider,
];
