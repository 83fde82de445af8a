import { HttpRequestError, RpcRequestError, TimeoutError, BaseError as ViemBaseError } from "viem";
import { LogRangeTooLargeError, RpcError, RpcRetryableError } from "./errors";

/** JSON-RPC error codes and message fragments nodes use to refuse an `eth_getLogs` range. */
const RANGE_CODES = new Set([-32005, -32614, -32701]);
const RANGE_TEXT =
  /range|too many|more than|exceed|too large|response size|max(imum)? results|limit|returned more|block count|query timeout/i;

function rpcCode(error: unknown): number | undefined {
  if (error instanceof ViemBaseError) {
    const found = error.walk((e) => typeof (e as { code?: unknown }).code === "number");
    const code = (found as { code?: unknown } | null)?.code;
    return typeof code === "number" ? code : undefined;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof ViemBaseError) return `${error.shortMessage} ${error.details ?? ""}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a failed `eth_getLogs` call was refused because the range (or its answer) is too large.
 * Node software words this differently (geth, erigon, Alchemy, Infura, QuickNode); this is the
 * one place that reads the foreign error text.
 */
export function isRangeError(error: unknown): boolean {
  if (error instanceof HttpRequestError && (error.status === 413 || /body exceeded/i.test(messageOf(error))))
    return true;
  const code = rpcCode(error);
  if (code !== undefined && RANGE_CODES.has(code)) return true;
  return code !== undefined && RANGE_TEXT.test(messageOf(error));
}

/**
 * Wraps a JSON-RPC failure into the chain source's error tree: a refused log range
 * (`LogRangeTooLargeError`), a transient failure (`RpcRetryableError`: network, timeouts, HTTP 5xx
 * and 429, internal errors), or a permanent one (`RpcError`).
 */
export function wrapRpcError(error: unknown, method: string, range?: { fromBlock: number; toBlock: number }): Error {
  if (range && isRangeError(error)) return new LogRangeTooLargeError({ ...range, cause: error });
  const problem = messageOf(error).trim().split("\n")[0] ?? "unknown error";
  if (error instanceof TimeoutError) return new RpcRetryableError({ method, problem, cause: error });
  if (error instanceof HttpRequestError) {
    const status = error.status;
    if (status === undefined || status >= 500 || status === 429 || status === 408) {
      return new RpcRetryableError({ method, problem, cause: error });
    }
    return new RpcError({ method, problem, cause: error });
  }
  const code = rpcCode(error);
  if (error instanceof RpcRequestError || code !== undefined) {
    // -32603 internal error, -32000 "header not found" on load-balanced nodes, -32002 resource unavailable.
    if (code === -32603 || code === -32000 || code === -32002 || code === 429) {
      return new RpcRetryableError({ method, problem, cause: error });
    }
    return new RpcError({ method, problem, cause: error });
  }
  if (error instanceof Error && /fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(problem)) {
    return new RpcRetryableError({ method, problem, cause: error });
  }
  return new RpcError({ method, problem, cause: error });
}
