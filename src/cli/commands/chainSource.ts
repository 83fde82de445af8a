import { Option } from "commander";
import { LogsFlagError } from "../../chain-source/errors";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";
import { datasetNewExtensions } from "./dataset";
import { pullExtensions } from "./pull";

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const count = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new LogsFlagError(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
};

/**
 * Adds the chain source to the CLI (register before `dataset` and `pull`):
 * `odf dataset new <alias> --from-logs --rpc URL [--chain-id N] [--address 0x..]... [--event SIG]
 * [--from-block N] [--filter SQL]`, and `odf pull <alias> [--watch] [--rpc URL]... [--confirmations N |
 * --finalized] [--on-mismatch skip|fail]` for datasets whose polling source is `EthereumLogs`.
 */
export const registerChainSourceCli: RegisterCommand = () => {
  if (datasetNewExtensions.some((e) => e.options.some((o) => o.long === "--from-logs"))) return;
  datasetNewExtensions.push({
    options: [
      new Option("--from-logs", "create a root dataset of EVM logs (EthereumLogs polling source)"),
      new Option("--rpc <url>", "JSON-RPC URL of the chain (with --from-logs)").argParser(collect),
      new Option("--chain-id <n>", "chain id the RPC must serve (with --from-logs)").argParser(count("--chain-id")),
      new Option("--address <0x..>", "contract address, repeatable (with --from-logs)").argParser(collect),
      new Option(
        "--event <signature>",
        'event to decode, e.g. "Transfer(address indexed from, address indexed to, uint256 value)"',
      ),
      new Option("--from-block <n>", "first block to ingest (with --from-logs)").argParser(count("--from-block")),
      new Option("--filter <sql>", "extra ODF log filter (address/topicN equalities, block_number ranges)"),
      new Option("--all-events", "with --event: fetch every log of the addresses; skip and count other events"),
    ],
    async handle(alias, opts, ctx) {
      if (!opts.fromLogs) return false;
      const { parseNewFlags } = await import("../../chain-source/cliFlags.js");
      const flags = parseNewFlags(opts);
      const { createLogsDataset } = await import("../../chain-source/createLogsDataset.js");
      const ws = await openCliWorkspace(ctx);
      const dataset = await createLogsDataset(ws, {
        alias,
        ...(flags.rpc?.[0] ? { nodeUrl: flags.rpc[0] } : {}),
        ...(flags.chainId !== undefined ? { chainId: flags.chainId } : {}),
        ...(flags.address ? { addresses: flags.address } : {}),
        ...(flags.event ? { signature: flags.event } : {}),
        ...(flags.fromBlock !== undefined ? { fromBlock: flags.fromBlock } : {}),
        ...(flags.filter ? { filter: flags.filter } : {}),
        ...(flags.allEvents ? { matchTopic0: false } : {}),
      });
      const state = await dataset.chain.state();
      const fetch = state.pollingSource?.fetch;
      ctx.out.line(`Created root dataset ${dataset.alias} (${dataset.id})`);
      if (fetch?.kind === "EthereumLogs" && fetch.filter) ctx.out.line(`  filter: ${fetch.filter}`);
      ctx.out.line(`Run \`odf pull ${dataset.alias}\` to ingest its logs.`);
      return true;
    },
  });

  pullExtensions.push({
    options: [
      new Option("--watch", "EthereumLogs: keep following the chain head"),
      new Option("--interval <ms>", "EthereumLogs --watch: poll interval").argParser(count("--interval")).default(2000),
      new Option("--rpc <url>", "EthereumLogs: RPC URL tried before the source's nodeUrl, repeatable").argParser(
        collect,
      ),
      new Option("--confirmations <n>", "EthereumLogs: ingest up to latest - n (default 0)").argParser(
        count("--confirmations"),
      ),
      new Option("--finalized", "EthereumLogs: ingest up to the finalized block"),
      new Option("--on-mismatch <mode>", "EthereumLogs: logs of other events: skip (count) or fail").choices([
        "skip",
        "fail",
      ]),
      new Option("--commit-rows <n>", "EthereumLogs: commit a slice every n rows").argParser(count("--commit-rows")),
      new Option("--to-block <n>", "EthereumLogs: stop at this block").argParser(count("--to-block")),
      new Option("--max-range <blocks>", "EthereumLogs: largest eth_getLogs block range (provider limits)").argParser(
        count("--max-range"),
      ),
      new Option("--concurrency <n>", "EthereumLogs: eth_getLogs requests in flight (default 4)").argParser(
        count("--concurrency"),
      ),
    ],
    async handle(target, opts, ctx) {
      const ws = await openCliWorkspace(ctx);
      const dataset = await ws.open(target);
      const state = await dataset.chain.state();
      if (state.pollingSource?.fetch.kind !== "EthereumLogs") return false;
      const [{ createChainSource }, { rpcUrlsFromEnv }, { createLogsProgress }] = await Promise.all([
        import("../../chain-source/createChainSource.js"),
        import("../../chain-source/pullLogs.js"),
        import("../logsProgress.js"),
      ]);
      const rpcUrls = [...((opts.rpc as string[] | undefined) ?? []), ...rpcUrlsFromEnv()];
      const source = createChainSource({
        logger: {
          info: () => undefined,
          warn: (obj, msg) => ctx.out.error(`${dataset.alias}: ${msg ?? ""} ${JSON.stringify(obj)}`),
        },
      });
      const base: import("../../chain-source/createChainSource").ChainSourcePullOptions = {
        rpcUrls,
        ...(opts.finalized ? { confirmations: "finalized" as const } : {}),
        ...(typeof opts.confirmations === "number" && !opts.finalized ? { confirmations: opts.confirmations } : {}),
        ...(opts.onMismatch === "fail" || opts.onMismatch === "skip"
          ? { onMismatch: opts.onMismatch as "fail" | "skip" }
          : {}),
        ...(typeof opts.commitRows === "number" && opts.commitRows > 0 ? { commitRows: opts.commitRows } : {}),
        ...(typeof opts.toBlock === "number" ? { toBlock: opts.toBlock } : {}),
        ...(typeof opts.maxRange === "number" && opts.maxRange > 0 ? { maxRange: opts.maxRange } : {}),
        ...(typeof opts.concurrency === "number" && opts.concurrency > 0 ? { concurrency: opts.concurrency } : {}),
      };
      if (!opts.watch) {
        const progress = createLogsProgress(ctx.out);
        const result = await source.pull(dataset, { ...base, onProgress: (p) => progress.update(p) });
        progress.finish(dataset.alias, result);
        return true;
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        ctx.out.line(`${dataset.alias}: following the chain head (Ctrl-C to stop)`);
        let progress = createLogsProgress(ctx.out);
        await source.watch(dataset, {
          ...base,
          signal: controller.signal,
          intervalMs: typeof opts.interval === "number" ? opts.interval : 2000,
          onProgress: (p) => progress.update(p),
          onPull: (result) => {
            if (result.updated) progress.finish(dataset.alias, result);
            progress = createLogsProgress(ctx.out);
          },
        });
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
      return true;
    },
  });
};
