import { decodeErrorResult, type Hex, BaseError as ViemBaseError } from "viem";
import { providerOracleAbi } from "./abi";

/** What an RPC failure means to the submitter. */
export type RpcErrorClass =
  | { kind: "revert"; errorName: string; args: readonly unknown[] }
  | { kind: "insufficient_funds" }
  | { kind: "nonce_used" }
  | { kind: "nonce_gap" }
  | { kind: "underpriced" }
  | { kind: "unavailable" };

function messages(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 8; depth += 1) {
    if (e instanceof Error) parts.push(e.message, (e as { details?: string }).details ?? "");
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

function revertData(error: unknown): Hex | undefined {
  let found: Hex | undefined;
  const visit = (e: unknown) => {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) found ??= data as Hex;
    else if (typeof data === "object" && data !== null && typeof (data as { data?: unknown }).data === "string") {
      const inner = (data as { data: string }).data;
      if (/^0x[0-9a-fA-F]{8}/.test(inner)) found ??= inner as Hex;
    }
  };
  if (error instanceof ViemBaseError) {
    error.walk((e) => {
      visit(e);
      return false;
    });
  }
  let e: unknown = error;
  for (let depth = 0; e && depth < 8 && !found; depth += 1) {
    visit(e);
    e = (e as { cause?: unknown }).cause;
  }
  return found;
}

/**
 * Classifies an error of `eth_call`/`eth_sendRawTransaction`: a contract revert (decoded
 * with the oracle's errors), insufficient funds, a nonce already used or too high, an underpriced
 * replacement, or anything else (the RPC is unavailable: retry).
 */
export function classifyRpcError(error: unknown): RpcErrorClass {
  const data = revertData(error);
  if (data) {
    try {
      const decoded = decodeErrorResult({ abi: providerOracleAbi, data });
      return { kind: "revert", errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
    } catch {
      return { kind: "revert", errorName: `unknown(${data.slice(0, 10)})`, args: [] };
    }
  }
  const text = messages(error);
  if (/insufficient funds|enough funds|exceeds (the )?balance/i.test(text)) return { kind: "insufficient_funds" };
  if (/nonce too low|already known|known transaction|already imported|nonce has already been used/i.test(text)) {
    return { kind: "nonce_used" };
  }
  if (/nonce too high|can't be queued|nonce gap/i.test(text)) return { kind: "nonce_gap" };
  if (/underpriced|fee too low|replacement fee/i.test(text)) return { kind: "underpriced" };
  if (/execution reverted|reverted with|revert/i.test(text)) {
    const name = /reverted with custom error '([A-Za-z0-9_]+)/.exec(text)?.[1];
    return { kind: "revert", errorName: name ?? "unknown", args: [] };
  }
  return { kind: "unavailable" };
}
