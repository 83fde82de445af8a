import { type Address, decodeFunctionData, encodeFunctionData, type Hex, type Log, parseEventLogs } from "viem";
import { providerOracleAbi, resultSkippedEvent } from "./abi";

/** One signed answer of a `provideSignedResults` batch. */
export type SignedAnswer = { requestId: bigint; response: Hex; signature: Hex };

/**
 * Calldata answering one request: `provideSignedResult` with the provider's EIP-712 signature, or
 * the v1 `provideResult` (sent by the provider itself) without one.
 */
export function encodeAnswerCall(answer: { requestId: bigint; response: Hex; signature: Hex | undefined }): Hex {
  return answer.signature !== undefined
    ? encodeFunctionData({
        abi: providerOracleAbi,
        functionName: "provideSignedResult",
        args: [answer.requestId, answer.response, answer.signature],
      })
    : encodeFunctionData({
        abi: providerOracleAbi,
        functionName: "provideResult",
        args: [answer.requestId, answer.response],
      });
}

/** Calldata answering several requests in one `provideSignedResults` transaction. */
export function encodeAnswerBatch(items: readonly SignedAnswer[]): Hex {
  return encodeFunctionData({ abi: providerOracleAbi, functionName: "provideSignedResults", args: [items] });
}

/** The answers of `provideSignedResults` calldata; `undefined` for any other call. */
export function decodeAnswerBatch(data: Hex): readonly SignedAnswer[] | undefined {
  try {
    const decoded = decodeFunctionData({ abi: providerOracleAbi, data });
    return decoded.functionName === "provideSignedResults" ? decoded.args[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Requests a mined batch passed over: the `ResultSkipped` logs of the oracle in its receipt. */
export function skippedRequests(logs: readonly Log[], oracle: Address): bigint[] {
  return parseEventLogs({ abi: [resultSkippedEvent], logs: logs as Log[], strict: true })
    .filter((l) => l.address.toLowerCase() === oracle.toLowerCase())
    .map((l) => l.args.requestId);
}
