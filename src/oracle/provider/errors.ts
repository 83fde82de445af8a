import { BaseError, type BaseErrorParameters, RetryableError } from "../../errors/base";

/** Root of the provider node's errors (config, keys, journal, watching, submitting). */
export class ProviderError extends BaseError {
  override name = "ProviderError";
}

/** The provider configuration (file, environment overrides) is invalid. */
export class ProviderConfigError extends ProviderError {
  override name = "ProviderConfigError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Invalid provider config: ${message}`, params);
  }
}

/** The signing key cannot be loaded (missing, malformed, or a key file readable by others). */
export class ProviderKeyError extends ProviderError {
  override name = "ProviderKeyError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Provider key: ${message}`, params);
  }
}

/** The RPC endpoint serves another chain than the configured one; the provider refuses to start. */
export class ChainIdMismatchError extends ProviderError {
  override name = "ChainIdMismatchError";
  readonly expected: number;
  readonly actual: number;
  constructor(params: { expected: number; actual: number; url: string }) {
    super(`Chain id mismatch: config says ${params.expected} but ${params.url} serves chain ${params.actual}`, {
      hints: ["Fix chainId or rpcUrl in the provider config."],
    });
    this.expected = params.expected;
    this.actual = params.actual;
  }
}

/** An RPC call failed in a way that may succeed later (timeout, connection reset, 5xx, rate limit). */
export class RpcUnavailableError extends RetryableError {
  override name = "RpcUnavailableError";
  constructor(operation: string, params: BaseErrorParameters = {}) {
    super(`RPC call failed: ${operation}`, params);
  }
}

/** The provider's wallet cannot pay for a transaction; retried until it is funded. */
export class InsufficientFundsError extends RetryableError {
  override name = "InsufficientFundsError";
  readonly address: string;
  constructor(params: { address: string } & BaseErrorParameters) {
    super(`Provider wallet ${params.address} has insufficient funds to send the response`, {
      ...params,
      hints: ["Fund the provider address; pending answers are sent as soon as it is."],
    });
    this.address = params.address;
  }
}

/** The provider address is not allowed to answer on this oracle contract. */
export class UnauthorizedProviderError extends ProviderError {
  override name = "UnauthorizedProviderError";
  constructor(params: { address: string; oracle: string } & BaseErrorParameters) {
    super(`Address ${params.address} is not an authorized provider of oracle ${params.oracle}`, params);
  }
}

/** Submitting the answer to one request failed for good (not retried). */
export class FulfillmentError extends ProviderError {
  override name = "FulfillmentError";
  readonly requestId: bigint;
  constructor(params: { requestId: bigint; reason: string } & BaseErrorParameters) {
    super(`Request ${params.requestId}: ${params.reason}`, params);
    this.requestId = params.requestId;
  }
}

/** The journal database cannot be opened (e.g. another provider process holds it). */
export class JournalError extends ProviderError {
  override name = "JournalError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Provider journal: ${message}`, params);
  }
}

/**
 * The journal was written on a chain that no longer exists (a restarted or reset dev node): another
 * genesis block, or our transactions the journal saw mined are gone. Its cursor, requests and nonces
 * mean nothing on the new chain, so the provider refuses to start.
 */
export class ChainResetError extends JournalError {
  override name = "ChainResetError";
  constructor(
    params: { file: string } & (
      | { chainId: number; journaled: string; actual: string }
      | { address: string; chainNonce: number; lostNonce: number }
    ),
  ) {
    const what =
      "chainId" in params
        ? `was written on chain ${params.chainId} with genesis block ${params.journaled}, but the chain now has genesis block ${params.actual}`
        : `saw transaction nonce ${params.lostNonce} of ${params.address} mined, but the chain's nonce of ${params.address} is ${params.chainNonce}`;
    super(`${params.file} ${what} (the chain was reset)`, {
      hints: [
        `Remove ${params.file} to start a fresh journal on the new chain (the old chain's requests and transactions are gone with it), or use another workspace.`,
      ],
    });
  }
}

/** No contract is deployed at the configured oracle address; the provider refuses to start. */
export class OracleNotDeployedError extends ProviderError {
  override name = "OracleNotDeployedError";
  constructor(params: { oracle: string; chainId: number; url: string }) {
    super(`No contract at oracleAddress ${params.oracle} on chain ${params.chainId} (${params.url})`, {
      hints: ["Fix oracleAddress in the provider config, or deploy the oracle first."],
    });
  }
}

/** The remote ODF node's `/query` cannot be reached or failed on its side (5xx); retried. */
export class RemoteQueryUnavailableError extends RetryableError {
  override name = "RemoteQueryUnavailableError";
  constructor(what: string, params: BaseErrorParameters = {}) {
    super(`Remote query node unavailable: ${what}`, params);
  }
}
