import { BaseError } from "../errors/base";

/** The request or its response cannot be found on chain. */
export class DisputeLookupError extends BaseError {
  override name = "DisputeLookupError";
}
