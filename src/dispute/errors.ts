import { BaseError } from "../errors/base";

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
