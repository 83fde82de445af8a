import { InvalidArgumentError } from "commander";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
};

/** `odf log <alias>`: the metadata chain as YAML blocks, newest first. */
export const registerLog: RegisterCommand = (program, ctx) => {
  program
    .command("log")
    .description("print a dataset's metadata blocks as YAML, newest first")
    .argument("<alias>", "dataset alias or id")
    .option("-n, --limit <n>", "print at most n blocks", positiveInt)
    .action(async (alias: string, opts: { limit?: number }) => {
      const ws = await openCliWorkspace(ctx);
      const dataset = await ws.open(alias);
      const { blockToYaml } = await import("../../odf/metadata/yaml.js");
      let count = 0;
      for await (const stored of dataset.chain.iterate()) {
        if (opts.limit !== undefined && count >= opts.limit) break;
        ctx.out.line(`# block ${stored.hash}`);
        ctx.out.line(blockToYaml(stored.block, stored.version).trimEnd());
        ctx.out.line("---");
        count++;
      }
    });
};
