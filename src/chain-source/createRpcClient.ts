import { type Client, createClient, fallback, http, type Transport } from "viem";
import { isRangeError } from "./wrapRpcError";

/** Options for the chain source's JSON-RPC client. */
export type CreateRpcClientParameters = {
  /** One or more JSON-RPC URLs; later ones are used when earlier ones fail (network, 5xx, timeouts). */
  urls: readonly string[];
  /** Per-request timeout in milliseconds (default 60 000: large `eth_getLogs` answers take a while). */
  timeoutMs?: number;
  /** Combine concurrent small requests (block headers) into JSON-RPC batches (default true). */
  batch?: boolean;
};

/**
 * A viem client over the source's RPC URLs with fallback. Retries are left to the caller
 * (`withRetries`) so that a refused `eth_getLogs` range is split at once instead of retried, and
 * response size is unbounded (a dense range can answer with tens of megabytes).
 */
export function createRpcClient(params: CreateRpcClientParameters): Client {
  const timeout = params.timeoutMs ?? 60_000;
  const batch = params.batch ?? true;
  const transports: Transport[] = params.urls.map((url) =>
    http(url, {
      timeout,
      retryCount: 0,
      maxResponseBodySize: false,
      ...(batch ? { batch: { batchSize: 200, wait: 0 } } : {}),
    }),
  );
  const transport =
    transports.length === 1
      ? (transports[0] as Transport)
      : fallback(transports, { retryCount: 0, shouldThrow: isRangeError });
  return createClient({ transport, cacheTime: 0 });
}
