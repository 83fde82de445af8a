import type { Puller } from "../ingest/pullers";
import { createChainSource } from "./createChainSource";

/** RPC URLs from `ODF_ETH_RPC_URLS` (comma-separated), tried before the fetch step's `nodeUrl`. */
export function rpcUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.ODF_ETH_RPC_URLS ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
}

/**
 * The `odf pull` puller of `EthereumLogs` polling sources (registered in `src/ingest/pullers.ts`):
 * one pull to the head with default options and `ODF_ETH_RPC_URLS`.
 */
export const pullLogs: Puller = async (_workspace, dataset, options) => {
  const result = await createChainSource().pull(dataset, {
    rpcUrls: rpcUrlsFromEnv(),
    ...(options.systemTime ? { systemTime: options.systemTime } : {}),
  });
  return {
    status: result.updated ? "updated" : "unchanged",
    rowCount: result.logs + result.retracted,
    inputRows: result.logs + result.mismatched,
    blockHash: (await dataset.chain.head()) as string,
  };
};
