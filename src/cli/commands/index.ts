import type { RegisterCommand } from "../program";
import { registerBlock } from "./block";

/** Every command module of the CLI, in help order. Add new command modules here. */
export const commands: readonly RegisterCommand[] = [registerBlock];
