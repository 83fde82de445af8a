/** Parameters of `fulfilmentGasLimit`. */
export type FulfilmentGasLimitParameters = {
  /** The request's `callbackGasLimit` (from `getRequest`). */
  callbackGasLimit: number | bigint;
  /** Length of the response bytes. */
  responseLength: number;
};

/**
 * A transaction gas limit that always lets `provideResult` / `provideSignedResult` run the
 * callback with its full limit (the oracle reverts `OdfOracleInsufficientGas` otherwise): the
 * callback limit plus its 1/63 EIP-150 margin, the oracle's fixed work (bounded well below
 * 150,000 gas, see `npm run bench -- gas`) and 64 gas per response byte (calldata, copies, event).
 * Use it instead of `eth_estimateGas`: Hardhat's estimator overshoots its own transaction gas
 * cap when a callback reverts, and the callback's gas use is the consumer's to choose.
 */
export function fulfilmentGasLimit(params: FulfilmentGasLimitParameters): bigint {
  if (!Number.isSafeInteger(params.responseLength) || params.responseLength < 0) {
    throw new RangeError(`responseLength must be a non-negative integer, got ${params.responseLength}`);
  }
  const callback = BigInt(params.callbackGasLimit);
  return callback + callback / 63n + 150_000n + 64n * BigInt(params.responseLength);
}
