import { BaseError } from "../../errors/base";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/** Extra verification passes (e.g. `--replay` of transforms) contributed by other modules. */
export type VerifyExtension = {
  flags: string;
  description: string;
  /** Runs when its flag is set; returns problem lines (empty when all holds). */
  run(alias: string, opts: Record<string, unknown>, ctx: Parameters<RegisterCommand>[1]): Promise<string[]>;
  /** The commander attribute name of the flag (e.g. `replay`). */
  key: string;
};

export const verifyExtensions: VerifyExtension[] = [];

/** `odf verify <alias>|--all`: metadata and data integrity; exit 0 only when everything holds. */
export const registerVerify: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("verify")
    .description("verify a dataset's metadata chain and data files (exit 0 only when all holds)")
    .argument("[alias]", "dataset alias or id")
    .option("--all", "verify every dataset of the workspace")
    .option("--metadata-only", "check the metadata chain only, not the data files");
  for (const ext of verifyExtensions) cmd.option(ext.flags, ext.description);
  cmd.action(async (alias: string | undefined, opts: Record<string, unknown>) => {
    if (alias !== undefined && opts.all) throw new BaseError("odf verify takes a dataset alias or --all, not both");
    if (alias === undefined && !opts.all) throw new BaseError("odf verify needs a dataset alias, or --all");
    const ws = await openCliWorkspace(ctx);
    const aliases = alias === undefined ? (await ws.list()).map((d) => d.alias) : [alias];
    const { verifyDataset } = await import("../../odf/verify/verifyDataset.js");
    const { createFileHasher } = await import("../../odf/verify/fileHasher.js");
    const hasher = await createFileHasher();
    try {
      for (const name of aliases) {
        const dataset = await ws.open(name);
        const report = await verifyDataset(dataset.chain, { hasher, metadataOnly: Boolean(opts.metadataOnly) });
        const problems: string[] = report.problems.map(
          (p) =>
            `${p.sequenceNumber !== undefined ? `block ${p.sequenceNumber}` : "dataset"}${p.file ? ` (${p.file})` : ""}: ${p.message}`,
        );
        for (const ext of verifyExtensions) {
          if (report.ok && opts[ext.key]) problems.push(...(await ext.run(dataset.alias, opts, ctx)));
        }
        if (problems.length === 0) {
          ctx.out.line(`${dataset.alias}: OK (${report.blocks} blocks, ${report.dataFiles} data files verified)`);
          continue;
        }
        for (const line of problems) ctx.out.error(`${dataset.alias}: ${line}`);
        ctx.out.error(`${dataset.alias}: FAILED (${problems.length} problem${problems.length === 1 ? "" : "s"})`);
        process.exitCode = 1;
      }
    } finally {
      await hasher.close();
    }
  });
};
