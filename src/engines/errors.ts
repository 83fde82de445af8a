import { BaseError, type BaseErrorParameters } from "../errors/base";

/** Root of the query engine's errors (and of the dataset resolution errors it reports). */
export class EngineError extends BaseError {
  override name = "EngineError";
}

/** The dataset id (or alias) is not in the workspace. */
export class DatasetNotFoundError extends EngineError {
  override name = "DatasetNotFoundError";
  readonly datasetId: string;
  constructor(params: { datasetId: string } & BaseErrorParameters) {
    super(`Dataset not found: ${params.datasetId}`, params);
    this.datasetId = params.datasetId;
  }
}

/** The block hash is well formed but is not a block of the dataset's metadata chain. */
export class DatasetBlockNotFoundError extends EngineError {
  override name = "DatasetBlockNotFoundError";
  readonly datasetId: string;
  readonly blockHash: string;
  constructor(params: { datasetId: string; blockHash: string } & BaseErrorParameters) {
    super(`Block ${params.blockHash} not found in dataset ${params.datasetId}`, params);
    this.datasetId = params.datasetId;
    this.blockHash = params.blockHash;
  }
}

/** The block hash is not a valid multibase SHA3-256 multihash. */
export class InvalidBlockHashError extends EngineError {
  override name = "InvalidBlockHashError";
  readonly blockHash: string;
  constructor(params: { blockHash: string; reason?: string } & BaseErrorParameters) {
    super(
      `Malformed block hash ${JSON.stringify(params.blockHash)}${params.reason ? `: ${params.reason}` : ""}`,
      params,
    );
    this.blockHash = params.blockHash;
  }
}

/** The dataset has no data files yet and the resolver gave no schema, so it has no columns to expose. */
export class EmptyDatasetError extends EngineError {
  override name = "EmptyDatasetError";
  readonly datasetId: string;
  constructor(params: { datasetId: string } & BaseErrorParameters) {
    super(`Dataset ${params.datasetId} has no data and no schema yet`, params);
    this.datasetId = params.datasetId;
  }
}

/** Two datasets of one query use the same alias. */
export class DuplicateAliasError extends EngineError {
  override name = "DuplicateAliasError";
  readonly alias: string;
  constructor(params: { alias: string } & BaseErrorParameters) {
    super(`Alias ${JSON.stringify(params.alias)} is used by more than one dataset`, params);
    this.alias = params.alias;
  }
}

/** The SQL does not parse or does not bind (syntax error, unknown table or column, type error). */
export class InvalidQueryError extends EngineError {
  override name = "InvalidQueryError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Invalid query: ${message}`, params);
  }
}

/**
 * The query is valid SQL but the sandbox refuses it: not a single SELECT, or it calls a volatile,
 * file-reading or otherwise non-reproducible function. `statement` or `functionName` names what.
 */
export class ForbiddenQueryError extends EngineError {
  override name = "ForbiddenQueryError";
  /** The refused statement type (e.g. `INSERT`, `PRAGMA`, `MULTIPLE`), when a statement was refused. */
  readonly statement: string | undefined;
  /** The refused function (e.g. `random`, `read_csv`), when a function was refused. */
  readonly functionName: string | undefined;
  constructor(
    message: string,
    params: { statement?: string | undefined; functionName?: string | undefined } & BaseErrorParameters = {},
  ) {
    super(`Forbidden query: ${message}`, params);
    this.statement = params.statement;
    this.functionName = params.functionName;
  }
}

/** Which bound a query passed. */
export type QueryLimitKind = "rows" | "bytes" | "time" | "memory";

/** The query passed one of its limits (rows, result bytes, time, memory); no partial result is given. */
export class QueryLimitError extends EngineError {
  override name = "QueryLimitError";
  readonly limit: QueryLimitKind;
  /** The configured bound (rows, bytes, milliseconds; the memory limit's text for memory). */
  readonly bound: number | string;
  constructor(params: { limit: QueryLimitKind; bound: number | string; message: string } & BaseErrorParameters) {
    super(`Query limit exceeded: ${params.message}`, params);
    this.limit = params.limit;
    this.bound = params.bound;
  }
}

/** The query failed while running (e.g. a conversion or division error inside the engine). */
export class QueryExecutionError extends EngineError {
  override name = "QueryExecutionError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Query failed: ${message}`, params);
  }
}

/** The engine was closed; no further queries run on it. */
export class EngineClosedError extends EngineError {
  override name = "EngineClosedError";
  constructor() {
    super("The query engine is closed");
  }
}
