import { BaseError, type BaseErrorParameters } from "../errors/base";

/** Root of the reproducible query API's errors (requests, commitments, proofs, node keys). */
export class QueryApiError extends BaseError {
  override name = "QueryApiError";
}

/** JSON text that does not parse. */
export class InvalidJsonError extends QueryApiError {
  override name = "InvalidJsonError";
  readonly offset: number;
  constructor(params: { offset: number; reason: string } & BaseErrorParameters) {
    super(`Invalid JSON at offset ${params.offset}: ${params.reason}`, params);
    this.offset = params.offset;
  }
}

/** A query request (or verify request, or saved response) that does not match its schema. */
export class InvalidQueryRequestError extends QueryApiError {
  override name = "InvalidQueryRequestError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Invalid request: ${message}`, params);
  }
}

/** A request body or query string that does not match its schema (unknown field, wrong type). */
export class RequestSchemaError extends InvalidQueryRequestError {
  override name = "RequestSchemaError";
}

/** `include: [Proof]` was asked of a node that has no signing key. */
export class SigningNotConfiguredError extends QueryApiError {
  override name = "SigningNotConfiguredError";
  constructor() {
    super("Response signing is not enabled on this node (no node key)");
  }
}

/** The node key file exists but cannot be used. */
export class NodeKeyError extends QueryApiError {
  override name = "NodeKeyError";
  readonly path: string;
  constructor(params: { path: string; reason: string } & BaseErrorParameters) {
    super(`Node key ${params.path} is unusable: ${params.reason}`, params);
    this.path = params.path;
  }
}
