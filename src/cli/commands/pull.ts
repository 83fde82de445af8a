import type { Option } from "commander";
import { BaseError } from "../../errors/base";
import type { CliContext, RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

const records = (n: number) => `${n} record${n === 1 ? "" : "s"}`;

/** Extra `odf pull` handlers (e.g. EthereumLogs sources: `--watch`, `--rpc`) contributed by other modules. */
export type PullExtension = {
  /** Adds options to the `pull` command. */
  options: Option[];
  /** Handles the command when it applies (returns true), else returns false. */
  handle(target: string, opts: Record<string, unknown>, ctx: CliContext): Promise<boolean>;
};

/** Registered extensions of `odf pull` (register them before `registerPull` runs). */
export const pullExtensions: PullExtension[] = [];

/**
 * `odf pull <alias|url> [--force]`: updates a dataset from its source (root datasets: the polling
 * source), or copies a remote dataset served over the ODF Simple Transfer Protocol.
 */
export const registerPull: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("pull")
    .description("update a dataset from its polling source, or copy a remote dataset from an http(s) URL")
    .argument("<target>", "dataset alias or id, or the URL of a remote dataset")
    .argument("[alias]", "local alias for a remote dataset (default: last URL segment)")
    .option("--force", "re-read the source even when it has not changed")
    .option("--as <alias>", "local alias for a remote dataset (default: last URL segment)")
    .option("--recursive", "bring every upstream dataset up to date first, in dependency order")
    .option("--timeout <ms>", "HTTP fetch timeout in milliseconds", (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--timeout must be a positive integer, got ${v}`);
      return n;
    });
  for (const ext of pullExtensions) for (const option of ext.options) cmd.addOption(option);
  cmd.action(
    async (
      target: string,
      aliasArg: string | undefined,
      opts: { force?: boolean; as?: string; timeout?: number; recursive?: boolean },
    ) => {
      const ws = await openCliWorkspace(ctx);
      if (/^https?:\/\//i.test(target)) {
        const { pullRemote } = await import("../../odf/workspace/pullRemote.js");
        const alias = aliasArg ?? opts.as;
        const result = await pullRemote(ws, { url: target, ...(alias ? { alias } : {}) });
        ctx.out.line(
          result.upToDate
            ? `${result.alias}: up to date`
            : `${result.alias}: ${result.newBlocks} blocks, ${result.newObjects} files (head ${result.head})`,
        );
        return;
      }
      if (aliasArg !== undefined) {
        throw new BaseError(`The [alias] argument applies to a remote URL, not to ${target}`);
      }
      if (opts.recursive) {
        const { pullRecursive } = await import("../../transform/pullRecursive.js");
        await pullRecursive(ws, target, { force: opts.force, timeoutMs: opts.timeout }, (step) => {
          if (step.outcome === "skipped") ctx.out.line(`${step.alias}: skipped (${step.reason})`);
          else if (step.outcome.status === "unchanged") ctx.out.line(`${step.alias}: up to date`);
          else ctx.out.line(`${step.alias}: ${step.outcome.rowCount} records added (block ${step.outcome.blockHash})`);
        });
        return;
      }
      for (const ext of pullExtensions) if (await ext.handle(target, opts, ctx)) return;
      const { pullDataset } = await import("../../ingest/pullers.js");
      const outcome = await pullDataset(ws, target, { force: opts.force, timeoutMs: opts.timeout });
      if (outcome.status === "unchanged") ctx.out.line(`${target}: up to date`);
      else if (outcome.rowCount === 0)
        ctx.out.line(`${target}: no new records (source state recorded, block ${outcome.blockHash})`);
      else ctx.out.line(`${target}: ${records(outcome.rowCount)} added (block ${outcome.blockHash})`);
    },
  );
};
