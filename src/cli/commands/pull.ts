import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/**
 * `odf pull <alias|url> [--force]`: updates a dataset from its source (root datasets: the polling
 * source), or copies a remote dataset served over the ODF Simple Transfer Protocol.
 */
export const registerPull: RegisterCommand = (program, ctx) => {
  program
    .command("pull")
    .description("update a dataset from its polling source, or copy a remote dataset from an http(s) URL")
    .argument("<target>", "dataset alias or id, or the URL of a remote dataset")
    .option("--force", "re-read the source even when it has not changed")
    .option("--as <alias>", "local alias for a remote dataset (default: last URL segment)")
    .option("--timeout <ms>", "HTTP fetch timeout in milliseconds", (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--timeout must be a positive integer, got ${v}`);
      return n;
    })
    .action(async (target: string, opts: { force?: boolean; as?: string; timeout?: number }) => {
      const ws = await openCliWorkspace(ctx);
      if (/^https?:\/\//i.test(target)) {
        const { pullRemote } = await import("../../odf/workspace/pullRemote.js");
        const result = await pullRemote(ws, { url: target, ...(opts.as ? { alias: opts.as } : {}) });
        ctx.out.line(
          result.upToDate
            ? `${result.alias}: up to date`
            : `${result.alias}: ${result.newBlocks} blocks, ${result.newObjects} files (head ${result.head})`,
        );
        return;
      }
      const { pullDataset } = await import("../../ingest/pullers.js");
      const outcome = await pullDataset(ws, target, { force: opts.force, timeoutMs: opts.timeout });
      if (outcome.status === "unchanged") ctx.out.line(`${target}: up to date`);
      else if (outcome.rowCount === 0)
        ctx.out.line(`${target}: no new records (source state recorded, block ${outcome.blockHash})`);
      else ctx.out.line(`${target}: ${outcome.rowCount} records added (block ${outcome.blockHash})`);
    });
};
