import { Option } from "commander";
import type { RegisterCommand } from "../program";
import { waitForShutdown } from "../waitForShutdown";

/**
 * `odf provider run --config provider.yaml`: runs the oracle provider node until SIGTERM/SIGINT.
 * `odf provider status --config provider.yaml`: cursor, backlog and last answers (from the running
 * node's `/status`, or from the journal when no node runs).
 */
export const registerProvider: RegisterCommand = (program, ctx) => {
  const provider = program.command("provider").description("run and inspect an oracle provider node");

  provider
    .command("run")
    .description("watch an oracle contract and answer its requests (stops on SIGTERM/SIGINT)")
    .requiredOption("-c, --config <file>", "provider config (YAML)")
    .action(async (opts: { config: string }) => {
      const { loadProviderConfig } = await import("../../oracle/provider/config.js");
      const { startProviderNode } = await import("../../oracle/provider/startProviderNode.js");
      const config = loadProviderConfig(opts.config);
      const node = await startProviderNode(config);
      ctx.out.error(
        `odf provider: answering requests of ${config.oracleAddress} as ${node.provider.address}; http ${node.url}`,
      );
      await waitForShutdown();
      await node.stop();
      ctx.out.error("odf provider: stopped");
    });

  provider
    .command("status")
    .description("show the provider's cursor, backlog and last answers")
    .requiredOption("-c, --config <file>", "provider config (YAML)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (opts: { config: string; format: "text" | "json" }) => {
      const { loadProviderConfig } = await import("../../oracle/provider/config.js");
      const { readProviderStatus } = await import("../../oracle/provider/readProviderStatus.js");
      const { journalPath } = await import("../../oracle/provider/startProviderNode.js");
      const config = loadProviderConfig(opts.config);
      const status = await readProviderStatus({
        journalPath: journalPath(config.workspace),
        url: `http://${config.http.host}:${config.http.port}`,
      });
      if (opts.format === "json") {
        ctx.out.line(JSON.stringify(status, null, 2));
        return;
      }
      const lines = [
        `source:        ${status.source}`,
        `cursor:        ${status.cursor ? `block ${status.cursor.blockNumber} (${status.cursor.blockHash})` : "none yet"}`,
        ...(status.head !== undefined
          ? [`head:          ${status.head ?? "?"} (${status.blocksBehind ?? "?"} behind)`]
          : []),
        `backlog:       ${status.backlog}`,
        `requests:      ${
          Object.entries(status.requests)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ") || "none"
        }`,
        ...(status.transactionsInFlight !== undefined ? [`in flight:     ${status.transactionsInFlight}`] : []),
        ...(status.insufficientFunds ? ["wallet:        INSUFFICIENT FUNDS"] : []),
        "last answers:",
        ...status.lastAnswers.map(
          (a) =>
            `  #${a.requestId} ${a.status}${a.requestError ? " (error response)" : ""} at ${
              a.answeredAt === null ? "?" : new Date(a.answeredAt).toISOString()
            }`,
        ),
      ];
      ctx.out.line(lines.join("\n"));
    });
};
