import { BaseError, RetryableError } from "../errors/base";

/** The request or its response cannot be found on chain. */
export class DisputeLookupError extends BaseError {
  override name = "DisputeLookupError";
}

/** A dispute could not be opened or resolved on chain (wrong state, not the arbiter, reverted). */
export class DisputeSubmitError extends BaseError {
  override name = "DisputeSubmitError";
}

/** The disputer or arbiter key is missing or malformed. */
export class DisputeKeyError extends BaseError {
  override name = "DisputeKeyError";
}

/** A JSON-RPC call failed (endpoint down, refused, timed out, HTTP error); may succeed later. */
export class DisputeRpcError extends RetryableError {
  override name = "DisputeRpcError";
}
