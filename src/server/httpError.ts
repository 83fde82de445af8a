import {
  DatasetBlockNotFoundError,
  DatasetNotFoundError,
  DuplicateAliasError,
  EmptyDatasetError,
  EngineClosedError,
  ForbiddenQueryError,
  InvalidBlockHashError,
  InvalidQueryError,
  QueryExecutionError,
  QueryLimitError,
} from "../engines/errors";
import { BaseError } from "../errors/base";
import { InvalidDatasetIdError } from "../odf/errors";
import { InvalidAliasError } from "../odf/workspace/errors";
import {
  InvalidJsonError,
  InvalidQueryRequestError,
  RequestSchemaError,
  SigningNotConfiguredError,
} from "../query/errors";

/** The body of every error reply: `{ ok: false, error: { kind, message, ...details } }`. */
export type ErrorBody = {
  ok: false;
  error: { kind: string; message: string } & Record<string, string | number>;
};

/** An error as an HTTP status and body. */
export type HttpError = { status: number; body: ErrorBody };

function reply(status: number, kind: string, message: string, extra: Record<string, string | number> = {}): HttpError {
  return { status, body: { ok: false, error: { kind, message, ...extra } } };
}

/**
 * Maps an error to its HTTP status and error kind. The table (also in the README):
 *
 * | error | status | kind |
 * |---|---|---|
 * | body is not JSON | 400 | `InvalidRequest::BadJson` |
 * | body/query string does not match the schema (unknown field, bad type) | 422 | `InvalidRequest::Schema` |
 * | unsupported dialect, unpinned replay input | 400 | `InvalidRequest::BadRequest` |
 * | SQL does not parse or bind | 400 | `Query::Invalid` |
 * | not a single SELECT, forbidden function | 403 | `Query::Forbidden` (+ `statement` / `function`) |
 * | two datasets with one alias | 400 | `Query::DuplicateAlias` (+ `alias`) |
 * | query fails while running | 400 | `Query::ExecutionFailed` |
 * | malformed block hash / dataset id / alias | 400 | `Dataset::InvalidBlockHash` / `InvalidId` / `InvalidAlias` |
 * | dataset with neither data nor schema yet | 409 | `Dataset::Empty` (+ `dataset_id`) |
 * | dataset not in the workspace | 404 | `Dataset::NotFound` (+ `dataset_id`) |
 * | block not in the dataset | 404 | `Dataset::BlockNotFound` (+ `dataset_id`, `block_hash`) |
 * | rows, bytes or memory limit | 413 | `Query::Limit::Rows` / `Bytes` / `Memory` (+ `bound`) |
 * | time limit | 408 | `Query::Limit::Time` (+ `bound`) |
 * | `Proof` asked, no node key | 501 | `Proof::NotConfigured` |
 * | engine closed | 503 | `Engine::Closed` |
 * | anything else | 500 | `Internal` (message withheld) |
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof InvalidJsonError) return reply(400, "InvalidRequest::BadJson", error.shortMessage);
  if (error instanceof RequestSchemaError) return reply(422, "InvalidRequest::Schema", error.shortMessage);
  if (error instanceof InvalidQueryRequestError) return reply(400, "InvalidRequest::BadRequest", error.shortMessage);
  if (error instanceof SigningNotConfiguredError) return reply(501, "Proof::NotConfigured", error.shortMessage);
  if (error instanceof InvalidQueryError) return reply(400, "Query::Invalid", error.shortMessage);
  if (error instanceof ForbiddenQueryError) {
    return reply(403, "Query::Forbidden", error.shortMessage, {
      ...(error.statement ? { statement: error.statement } : {}),
      ...(error.functionName ? { function: error.functionName } : {}),
    });
  }
  if (error instanceof DuplicateAliasError)
    return reply(400, "Query::DuplicateAlias", error.shortMessage, { alias: error.alias });
  if (error instanceof QueryExecutionError) return reply(400, "Query::ExecutionFailed", error.shortMessage);
  if (error instanceof InvalidBlockHashError) return reply(400, "Dataset::InvalidBlockHash", error.shortMessage);
  if (error instanceof InvalidDatasetIdError) return reply(400, "Dataset::InvalidId", error.shortMessage);
  if (error instanceof InvalidAliasError) return reply(400, "Dataset::InvalidAlias", error.shortMessage);
  if (error instanceof EmptyDatasetError) {
    return reply(409, "Dataset::Empty", error.shortMessage, { dataset_id: error.datasetId });
  }
  if (error instanceof DatasetBlockNotFoundError) {
    return reply(404, "Dataset::BlockNotFound", error.shortMessage, {
      dataset_id: error.datasetId,
      block_hash: error.blockHash,
    });
  }
  if (error instanceof DatasetNotFoundError) {
    return reply(404, "Dataset::NotFound", error.shortMessage, { dataset_id: error.datasetId });
  }
  if (error instanceof QueryLimitError) {
    const kind = `Query::Limit::${error.limit.charAt(0).toUpperCase()}${error.limit.slice(1)}`;
    return reply(error.limit === "time" ? 408 : 413, kind, error.shortMessage, { bound: error.bound });
  }
  if (error instanceof EngineClosedError) return reply(503, "Engine::Closed", error.shortMessage);
  if (error instanceof BaseError && error.retryable) return reply(503, "Unavailable", error.shortMessage);
  return reply(500, "Internal", "Internal server error");
}
