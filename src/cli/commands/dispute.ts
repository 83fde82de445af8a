import type { CommanderError } from "commander";
import { errorLines } from "../errorLines";
import type { CliContext, RegisterCommand } from "../program";
import { waitForShutdown } from "../waitForShutdown";

/** Exit code of a dispute command that failed (bad input, RPC or key error, refused); `check` shares it. */
const FAILED = 3;

/** Usage errors commander reports (a missing option) exit 3 like any other failure, never 1 (MISMATCH). */
const usageExit = (error: CommanderError) => {
  if (error.exitCode !== 0) error.exitCode = FAILED;
  throw error;
};

const fields = (obj: object) =>
  Object.entries(obj)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");

/** Prints a failed command as `odf: <one line>` (an RPC failure names the URL and the cause) and its hints. */
async function fail(ctx: CliContext, error: unknown): Promise<void> {
  const { toRpcError } = await import("../../dispute/toRpcError.js");
  for (const line of errorLines(toRpcError(error))) ctx.out.error(line);
  process.exitCode = FAILED;
}

const json = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

async function clients(rpc: string) {
  const { createPublicClient, http } = await import("viem");
  return createPublicClient({ transport: http(rpc, { retryCount: 2 }) });
}

/**
 * `odf dispute check|watch|resolve`: checks oracle answers by replaying them on the local
 * workspace, opens disputes (bond paid by `ODF_DISPUTER_KEY` or `--key-file`), follows an oracle as
 * a watchtower, and resolves disputes as the arbiter (`ODF_ARBITER_KEY`).
 */
export const registerDispute: RegisterCommand = (program, ctx) => {
  const dispute = program
    .command("dispute")
    .description("check oracle answers by replay and dispute wrong ones")
    .exitOverride(usageExit);

  dispute
    .command("check")
    .description(
      "replay an answer on the local workspace; exit 0 MATCH, 1 MISMATCH, 2 CANNOT-REPLAY, 3 the check failed",
    )
    .argument("<requestId>", "the oracle request id")
    .requiredOption("--oracle <address>", "oracle contract address")
    .requiredOption("--rpc <url>", "JSON-RPC endpoint")
    .option("--from-block <n>", "first block to search for the request's events")
    .option("--submit", "on MISMATCH, open an on-chain dispute paying the bond (key: ODF_DISPUTER_KEY or --key-file)")
    .option("--key-file <file>", "disputer key file (hex, mode 0600)")
    .option("--format <format>", "text or json", "text")
    .exitOverride(usageExit)
    .action(async (rawId: string, raw: unknown) => {
      const { VERDICT_EXIT_CODES, formatVerdict } = await import("../../dispute/formatVerdict.js");
      let replayer: { close(): Promise<void> } | undefined;
      try {
        const { parse, requestId, checkOptions } = await import("../../dispute/cliOptions.js");
        const id = parse(requestId, rawId, "<requestId>");
        const opts = parse(checkOptions, raw, "options");
        const { openReplayer } = await import("../../dispute/openReplayer.js");
        const { checkResponse } = await import("../../dispute/checkResponse.js");
        const client = await clients(opts.rpc);
        const deps = await openReplayer(ctx.workspaceDir());
        replayer = deps;
        const result = await checkResponse(deps, {
          client,
          oracle: opts.oracle as `0x${string}`,
          requestId: id,
          ...(opts.fromBlock === undefined ? {} : { fromBlock: opts.fromBlock }),
        });
        const { answer, ...verdict } = result;
        let disputeTx: string | undefined;
        if (opts.submit && verdict.verdict === "MISMATCH") {
          const { loadAccount } = await import("../../dispute/loadAccount.js");
          const { submitDispute } = await import("../../dispute/submitDispute.js");
          const { createWalletClient, http } = await import("viem");
          const account = loadAccount({ keyFile: opts.keyFile, envName: "ODF_DISPUTER_KEY" });
          const wallet = createWalletClient({ account, transport: http(opts.rpc) });
          disputeTx = (await submitDispute(wallet, client, { oracle: opts.oracle as `0x${string}`, requestId: id }))
            .hash;
        }
        if (opts.format === "json") {
          ctx.out.line(
            json({ requestId: id, provider: answer.provider, ...verdict, ...(disputeTx ? { disputeTx } : {}) }),
          );
        } else {
          ctx.out.line(formatVerdict(id, verdict));
          if (verdict.verdict === "CANNOT_REPLAY" && verdict.datasetId) {
            ctx.out.line(
              `  dataset: ${verdict.datasetId}${verdict.blockHash ? `\n  block:   ${verdict.blockHash}` : ""}`,
            );
          }
          ctx.out.line(`  provider: ${answer.provider} (answered in block ${answer.blockNumber})`);
          if (disputeTx) ctx.out.line(`  dispute opened: ${disputeTx}`);
        }
        process.exitCode = VERDICT_EXIT_CODES[verdict.verdict];
      } catch (error) {
        await fail(ctx, error);
      } finally {
        await replayer?.close();
      }
    });

  dispute
    .command("watch")
    .description(
      "watchtower: check every new answer by replay and dispute mismatches (stops on SIGTERM/SIGINT); exit 0, or 3 on failure",
    )
    .requiredOption("--oracle <address>", "oracle contract address")
    .requiredOption("--rpc <url>", "JSON-RPC endpoint")
    .option("--from-block <n>", "first block to check when no cursor is saved (default: the current head)")
    .option("--confirmations <n>", "blocks an answer must be buried under before it is checked", "0")
    .option("--poll-interval <ms>", "polling interval", "2000")
    .option("--metrics-port <port>", "serve Prometheus metrics at http://127.0.0.1:<port>/metrics")
    .option("--no-dispute", "only report mismatches, never open disputes")
    .option("--once", "check every answer up to the head once, then exit (for cron jobs)")
    .option("--key-file <file>", "disputer key file (hex, mode 0600; default: ODF_DISPUTER_KEY)")
    .exitOverride(usageExit)
    .action(async (raw: unknown) => {
      try {
        const { parse, watchOptions } = await import("../../dispute/cliOptions.js");
        const opts = parse(watchOptions, raw, "options");
        const { mkdirSync } = await import("node:fs");
        const path = await import("node:path");
        const { createServer } = await import("node:http");
        const { createWalletClient, http } = await import("viem");
        const { openReplayer } = await import("../../dispute/openReplayer.js");
        const { createWatchtower } = await import("../../dispute/watchtower.js");
        const { formatVerdict } = await import("../../dispute/formatVerdict.js");
        const { loadAccount } = await import("../../dispute/loadAccount.js");
        const oracle = opts.oracle as `0x${string}`;
        const wallet = opts.dispute
          ? createWalletClient({
              account: loadAccount({ keyFile: opts.keyFile, envName: "ODF_DISPUTER_KEY" }),
              transport: http(opts.rpc),
            })
          : undefined;
        const client = await clients(opts.rpc);
        const workspaceDir = ctx.workspaceDir();
        const cursorDir = path.join(workspaceDir, "watchtower");
        mkdirSync(cursorDir, { recursive: true });
        const replayer = await openReplayer(workspaceDir);
        const tower = createWatchtower({
          client,
          oracle,
          replay: replayer,
          ...(wallet ? { wallet } : {}),
          cursorFile: path.join(cursorDir, `${oracle.toLowerCase()}.json`),
          ...(opts.fromBlock === undefined ? {} : { startBlock: opts.fromBlock }),
          confirmations: opts.confirmations,
          pollIntervalMs: opts.pollInterval,
          // Warnings (a failed poll, at most one per 30 s; a dispute opened) go to stderr.
          logger: {
            info: () => undefined,
            warn: (obj, msg) => ctx.out.error(`odf dispute watch: ${msg} (${fields(obj)})`),
            error: (obj, msg) => ctx.out.error(`odf dispute watch: ${msg} (${fields(obj)})`),
          },
          onCheck: (c) => {
            ctx.out.line(formatVerdict(c.requestId, c.verdict));
            if (c.disputeTx) ctx.out.line(`  dispute opened: ${c.disputeTx}`);
            if (c.notDisputed) ctx.out.line(`  not disputed: ${c.notDisputed}`);
          },
        });
        if (opts.once) {
          try {
            await tower.poll();
          } finally {
            await replayer.close();
          }
          return;
        }
        const server =
          opts.metricsPort === undefined
            ? undefined
            : createServer((req, res) => {
                if (req.url !== "/metrics") {
                  res.writeHead(404).end();
                  return;
                }
                tower.metrics.registry.metrics().then(
                  (text) => res.writeHead(200, { "content-type": tower.metrics.registry.contentType }).end(text),
                  () => res.writeHead(500).end(),
                );
              });
        if (server) await new Promise<void>((resolve) => server.listen(opts.metricsPort, "127.0.0.1", resolve));
        ctx.out.error(
          `odf dispute watch: checking answers of ${oracle}${wallet ? ` as ${wallet.account.address}` : ""}`,
        );
        tower.start();
        await waitForShutdown();
        await tower.stop();
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        await replayer.close();
        ctx.out.error("odf dispute watch: stopped");
      } catch (error) {
        await fail(ctx, error);
      }
    });

  dispute
    .command("resolve")
    .description(
      "resolve a dispute as the arbiter (key: ODF_ARBITER_KEY or --key-file); replays first; exit 0 resolved, 3 refused or failed",
    )
    .argument("<requestId>", "the disputed request id")
    .requiredOption("--oracle <address>", "oracle contract address")
    .requiredOption("--rpc <url>", "JSON-RPC endpoint")
    .option("--upheld", "the answer was wrong: slash the provider")
    .option("--rejected", "the answer stands: the bond goes to the provider")
    .option("--force", "resolve even against the replay verdict (or without one)")
    .option("--from-block <n>", "first block to search for the request's events")
    .option("--key-file <file>", "arbiter key file (hex, mode 0600)")
    .exitOverride(usageExit)
    .action(async (rawId: string, raw: unknown) => {
      try {
        const { parse, requestId, resolveOptions } = await import("../../dispute/cliOptions.js");
        const id = parse(requestId, rawId, "<requestId>");
        const opts = parse(resolveOptions, raw, "options");
        const { DisputeSubmitError } = await import("../../dispute/errors.js");
        const { formatVerdict } = await import("../../dispute/formatVerdict.js");
        const { openReplayer } = await import("../../dispute/openReplayer.js");
        const { checkResponse } = await import("../../dispute/checkResponse.js");
        const { resolveDispute } = await import("../../dispute/resolveDispute.js");
        const { loadAccount } = await import("../../dispute/loadAccount.js");
        const { createWalletClient, http } = await import("viem");
        const oracle = opts.oracle as `0x${string}`;
        const account = loadAccount({ keyFile: opts.keyFile, envName: "ODF_ARBITER_KEY" });
        const client = await clients(opts.rpc);
        const upheld = Boolean(opts.upheld);
        const replayer = await openReplayer(ctx.workspaceDir());
        let verdict: Awaited<ReturnType<typeof checkResponse>>;
        try {
          verdict = await checkResponse(replayer, {
            client,
            oracle,
            requestId: id,
            ...(opts.fromBlock === undefined ? {} : { fromBlock: opts.fromBlock }),
          });
        } finally {
          await replayer.close();
        }
        ctx.out.line(formatVerdict(id, verdict));
        const against =
          verdict.verdict === "CANNOT_REPLAY"
            ? "the answer cannot be replayed here"
            : (verdict.verdict === "MATCH") === upheld
              ? `the replay ${verdict.verdict === "MATCH" ? "matches" : "does not match"} the answer`
              : undefined;
        if (against !== undefined && !opts.force) {
          throw new DisputeSubmitError(
            `refusing to resolve request ${id} as ${upheld ? "upheld" : "rejected"}: ${against} (pass --force to override)`,
          );
        }
        const wallet = createWalletClient({ account, transport: http(opts.rpc) });
        const resolved = await resolveDispute(wallet, client, { oracle, requestId: id, upheld });
        ctx.out.line(
          upheld
            ? `dispute upheld: request ${id} overturned, provider ${verdict.answer.provider} slashed ${resolved.slashed} wei (${resolved.hash})`
            : `dispute rejected: request ${id} final, bond credited to ${verdict.answer.provider} (${resolved.hash})`,
        );
      } catch (error) {
        await fail(ctx, error);
      }
    });
};
