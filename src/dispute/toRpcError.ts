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
    // The CLI loads viem with `import()` (its ESM build) and src/ with `require` (its CJS build):
    // two copies of each class, so the class is recognised by its name as well.
    if (e instanceof HttpRequestError || e.name === "HttpRequestError") failed = e as HttpRequestError;
    else if (e instanceof TimeoutError || e.name === "TimeoutError") failed = e as TimeoutError;
  }
  if (!failed) return error;
  let why: string;
  if (failed.name === "TimeoutError") why = "timed out";
  else if ((failed as HttpRequestError).status !== undefined) why = `HTTP ${(failed as HttpRequestError).status}`;
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
