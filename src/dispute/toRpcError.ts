import { HttpRequestError, TimeoutError } from "viem";
import { DisputeRpcError } from "./errors";

/**
 * Wraps a failed JSON-RPC call (viem's `HttpRequestError` or `TimeoutError`, also when another
 * viem error wraps it) in a `DisputeRpcError` naming the URL and the cause (`connect ECONNREFUSED
 * 127.0.0.1:8545`, `HTTP 502`, `timed out`); any other error is returned as is.
 */
export function toRpcError(error: unknown): unknown {
  let failed: HttpRequestError | TimeoutError | undefined;
  for (let e = error; e instanceof Error && !failed; e = e.cause) {
    if (e instanceof HttpRequestError || e instanceof TimeoutError) failed = e;
  }
  if (!failed) return error;
  let why: string;
  if (failed instanceof TimeoutError) why = "timed out";
  else if (failed.status !== undefined) why = `HTTP ${failed.status}`;
  else {
    // The root cause of a fetch failure: `connect ECONNREFUSED ...`, `getaddrinfo ENOTFOUND ...`.
    let root: Error = failed;
    while (root.cause instanceof Error) root = root.cause;
    const code = (root as NodeJS.ErrnoException).code;
    why = root.message && root.message !== failed.message ? root.message : (code ?? "no response");
    if (code && !why.includes(code)) why = `${code}: ${why}`;
  }
  return new DisputeRpcError(`RPC request to ${failed.url} failed: ${why}`, { cause: error });
}
