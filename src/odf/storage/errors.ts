import { BaseError, RetryableError } from "../../errors/base";

/** A block, data or checkpoint object is missing from a dataset's storage. */
export class ObjectNotFoundError extends BaseError {
  override name = "ObjectNotFoundError";
  readonly kind: string;
  readonly hash: string;
  constructor(params: { kind: string; hash: string; location: string }) {
    super(`Missing ${params.kind.replace(/s$/, "")} ${params.hash} in ${params.location}`);
    this.kind = params.kind;
    this.hash = params.hash;
  }
}

/** A remote dataset could not be read (network failure or a 5xx answer): may succeed later. */
export class RemoteStoreError extends RetryableError {
  override name = "RemoteStoreError";
}

/** The storage refused an operation (read-only store, bad ref name, I/O failure). */
export class StoreError extends BaseError {
  override name = "StoreError";
}
