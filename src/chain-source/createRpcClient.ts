import {
  type Client,
  createClient,
  custom,
  fallback,
  HttpRequestError,
  http,
  RpcRequestError,
  TimeoutError,
  type Transport,
} from "viem";
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

let nextId = 1;

/** One JSON-RPC call over HTTP with `fetch` and `response.json()`, errors shaped like viem's. */
async function post(url: string, method: string, params: unknown, timeoutMs: number): Promise<unknown> {
  const body = { jsonrpc: "2.0", id: nextId++, method, params };
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw new TimeoutError({ body, url });
    throw new HttpRequestError({ url, body, details: (error as Error).message, cause: error as Error });
  }
  if (!response.ok) {
    throw new HttpRequestError({ url, body, status: response.status, details: response.statusText });
  }
  const json = (await response.json()) as {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
  if (json.error) throw new RpcRequestError({ body, error: json.error, url });
  return json.result;
}

/**
 * A viem client over the source's RPC URLs with fallback. Retries are left to the caller
 * (`withRetries`) so that a refused `eth_getLogs` range is split at once instead of retried.
 * `eth_getLogs` answers (tens of megabytes for a dense range) take a lean path: one `fetch` and
 * `response.json()` per URL in order, which is markedly faster than the generic transport; every
 * other method goes through viem's `http` transport (batched) with `fallback`.
 */
export function createRpcClient(params: CreateRpcClientParameters): Client {
  const timeout = params.timeoutMs ?? 60_000;
  const batch = params.batch ?? true;
  const urls = [...params.urls];
  const transports: Transport[] = urls.map((url) =>
    http(url, { timeout, retryCount: 0, ...(batch ? { batch: { batchSize: 200, wait: 0 } } : {}) }),
  );
  const base = createClient({
    transport:
      transports.length === 1
        ? (transports[0] as Transport)
        : fallback(transports, { retryCount: 0, shouldThrow: isRangeError }),
    cacheTime: 0,
  });
  const getLogs = async (args: unknown): Promise<unknown> => {
    let lastError: unknown;
    for (const url of urls) {
      try {
        return await post(url, "eth_getLogs", args, timeout);
      } catch (error) {
        if (isRangeError(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  };
  const transport = custom(
    {
      request: ({ method, params: args }: { method: string; params?: unknown }) =>
        method === "eth_getLogs" ? getLogs(args) : base.request({ method, params: args } as never),
    },
    { retryCount: 0 },
  );
  return createClient({ transport, cacheTime: 0 });
}
