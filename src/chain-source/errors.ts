import { BaseError, type BaseErrorParameters, RetryableError } from "../errors/base";

/** Root of the chain-source errors (EVM logs into root datasets). */
export class ChainSourceError extends BaseError {
  override name = "ChainSourceError";
}

/** The source's configuration (fetch step, CLI flags) is invalid. */
export class ChainSourceConfigError extends ChainSourceError {
  override name = "ChainSourceConfigError";
}

/** A part of the `filter` cannot be compiled into an `eth_getLogs` filter. */
export class FilterPushDownError extends ChainSourceError {
  override name = "FilterPushDownError";
  /** The part of the filter text that cannot be pushed down. */
  readonly part: string;
  constructor(params: { part: string; reason: string } & BaseErrorParameters) {
    super(`Filter part ${JSON.stringify(params.part)} cannot be pushed down to eth_getLogs: ${params.reason}`, {
      hints: [
        "Supported: address = X'..', topicN = X'..', OR-chains or IN lists on one of those columns, block_number comparisons (=, <, <=, >, >=, BETWEEN), combined with AND.",
      ],
      ...params,
    });
    this.part = params.part;
  }
}

/** The `signature` is not a valid Solidity event signature. */
export class EventSignatureError extends ChainSourceError {
  override name = "EventSignatureError";
  constructor(signature: string, params: BaseErrorParameters = {}) {
    super(`Invalid event signature ${JSON.stringify(signature)}`, {
      hints: ['Example: "Transfer(address indexed from, address indexed to, uint256 value)"'],
      ...params,
    });
  }
}

/** A log does not decode as the configured event (another event at the same address, or bad data). */
export class LogDecodeError extends ChainSourceError {
  override name = "LogDecodeError";
  readonly blockNumber: number;
  readonly logIndex: number;
  constructor(params: { blockNumber: number; logIndex: number; problem: string } & BaseErrorParameters) {
    super(`Log ${params.logIndex} of block ${params.blockNumber} does not match the event: ${params.problem}`, {
      hints: ["Set onMismatch to skip (--on-mismatch skip) to skip and count such logs."],
      ...params,
    });
    this.blockNumber = params.blockNumber;
    this.logIndex = params.logIndex;
  }
}

/** The RPC endpoint serves another chain than the source's `chainId`. */
export class ChainIdMismatchError extends ChainSourceError {
  override name = "ChainIdMismatchError";
  constructor(params: { expected: number; actual: number; urls: readonly string[] }) {
    // With several URLs the answer comes from the first that responds, which may not be the first.
    const which =
      params.urls.length === 1 ? `RPC ${params.urls[0]}` : `The RPC (first to answer of ${params.urls.join(", ")})`;
    super(`${which} serves chain ${params.actual}, but the source expects chain ${params.expected}`);
  }
}

/**
 * The node refused an `eth_getLogs` range (too many results, range too wide, response too large).
 * Not retryable as is: the fetcher splits the range instead.
 */
export class LogRangeTooLargeError extends ChainSourceError {
  override name = "LogRangeTooLargeError";
  readonly fromBlock: number;
  readonly toBlock: number;
  constructor(params: { fromBlock: number; toBlock: number } & BaseErrorParameters) {
    super(`eth_getLogs refused blocks ${params.fromBlock}..${params.toBlock} as too large`, params);
    this.fromBlock = params.fromBlock;
    this.toBlock = params.toBlock;
  }
}

/** A JSON-RPC call failed in a way that may succeed later (timeout, 5xx, connection refused). */
export class RpcRetryableError extends RetryableError {
  override name = "RpcRetryableError";
  constructor(params: { method: string; problem: string } & BaseErrorParameters) {
    super(`RPC ${params.method} failed: ${params.problem}`, params);
  }
}

/** A JSON-RPC call failed for good (after retries, or a non-retryable error). */
export class RpcError extends ChainSourceError {
  override name = "RpcError";
  constructor(params: { method: string; problem: string } & BaseErrorParameters) {
    super(`RPC ${params.method} failed: ${params.problem}`, params);
  }
}

/** The chain reorganized while a range was being fetched; the range is fetched again. */
export class ReorgDuringFetchError extends RetryableError {
  override name = "ReorgDuringFetchError";
  constructor(params: { blockNumber: number }) {
    super(`Block ${params.blockNumber} changed while its logs were being fetched (reorg)`);
  }
}

/** No block the dataset knows is canonical any more within the reorg search depth. */
export class ReorgTooDeepError extends ChainSourceError {
  override name = "ReorgTooDeepError";
  constructor(params: { lastBlock: number; searchedDownTo: number }) {
    super(
      `Reorg deeper than the search window: none of the known blocks from ${params.lastBlock} down to ${params.searchedDownTo} is canonical`,
      { hints: ["Raise maxReorgDepth, or check that the RPC serves the same chain the dataset was ingested from."] },
    );
  }
}

/** A chain-source CLI flag value is invalid. */
export class LogsFlagError extends BaseError {
  override name = "LogsFlagError";
}
