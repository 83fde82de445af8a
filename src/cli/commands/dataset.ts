import { Option } from "commander";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/** Extra `odf dataset new` handlers (e.g. `--from-logs`) contributed by other modules. */
export type DatasetNewExtension = {
  /** Adds options to the `dataset new` command. */
  options: Option[];
  /** Handles the command when it applies (returns true), else returns false. */
  handle(alias: string, opts: Record<string, unknown>, ctx: Parameters<RegisterCommand>[1]): Promise<boolean>;
};

/** Registered extensions of `odf dataset new`. */
export const datasetNewExtensions: DatasetNewExtension[] = [];

/** `odf dataset new <alias> [--kind root|derivative]`. */
export const registerDataset: RegisterCommand = (program, ctx) => {
  const dataset = program.command("dataset").description("create and manage datasets");
  const cmd = dataset
    .command("new")
    .description("create an empty dataset (a fresh key and a Seed block)")
    .argument("<alias>", "dataset alias")
    .addOption(new Option("--kind <kind>", "dataset kind").choices(["root", "derivative"]).default("root"));
  for (const ext of datasetNewExtensions) for (const option of ext.options) cmd.addOption(option);
  cmd.action(async (alias: string, opts: Record<string, unknown>) => {
    for (const ext of datasetNewExtensions) if (await ext.handle(alias, opts, ctx)) return;
    const ws = await openCliWorkspace(ctx);
    const created = await ws.create({ alias, kind: opts.kind === "derivative" ? "Derivative" : "Root" });
    ctx.out.line(`Created ${created.kind.toLowerCase()} dataset ${created.alias} (${created.id})`);
  });
};
