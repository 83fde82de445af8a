import type { AbiEvent } from "viem";
import { z } from "zod";
import type { ChainState } from "../odf/chain/chainState";
import type { FetchStepEthereumLogs } from "../odf/metadata/types";
import { ChainSourceConfigError } from "./errors";
import { parseEventSignature } from "./parseEventSignature";
import { type LogFilter, parseLogFilter } from "./parseLogFilter";

const fetchStepSchema = z
  .object({
    kind: z.literal("EthereumLogs"),
    chainId: z.number().int().nonnegative().optional(),
    nodeUrl: z.string().url().optional(),
    filter: z.string().optional(),
    signature: z.string().optional(),
  })
  .strict();

/** Everything a pull needs from the dataset's `SetPollingSource` and the caller's RPC URLs. */
export type SourceConfig = {
  fetch: FetchStepEthereumLogs;
  urls: string[];
  chainId: number | undefined;
  filter: LogFilter;
  event: AbiEvent | undefined;
};

/**
 * Reads and validates the dataset's `EthereumLogs` fetch step: one of `chainId`/`nodeUrl` is
 * required; the filter is compiled (refusing what cannot be pushed down) and the signature parsed
 * before any RPC call. `rpcUrls` (CLI `--rpc`, `ODF_ETH_RPC_URLS`) come first, then `nodeUrl`.
 */
export function resolveSourceConfig(state: ChainState, rpcUrls: readonly string[] = []): SourceConfig {
  const fetchStep = state.pollingSource?.fetch;
  if (state.datasetKind !== "Root" || fetchStep?.kind !== "EthereumLogs") {
    throw new ChainSourceConfigError("The dataset has no EthereumLogs polling source");
  }
  const parsed = fetchStepSchema.safeParse(fetchStep);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ChainSourceConfigError(
      `Invalid EthereumLogs fetch step: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`,
    );
  }
  if (fetchStep.chainId === undefined && fetchStep.nodeUrl === undefined) {
    throw new ChainSourceConfigError("The EthereumLogs fetch step needs chainId or nodeUrl");
  }
  const urls = [...rpcUrls, ...(fetchStep.nodeUrl ? [fetchStep.nodeUrl] : [])].filter(
    (u, i, all) => all.indexOf(u) === i,
  );
  if (urls.length === 0) {
    throw new ChainSourceConfigError(`No RPC URL for chain ${fetchStep.chainId}`, {
      hints: ["Pass --rpc URL (repeatable), or set ODF_ETH_RPC_URLS to a comma-separated list."],
    });
  }
  return {
    fetch: fetchStep,
    urls,
    chainId: fetchStep.chainId,
    filter: parseLogFilter(fetchStep.filter),
    event: fetchStep.signature ? parseEventSignature(fetchStep.signature) : undefined,
  };
}
