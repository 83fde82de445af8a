import { BaseError, type BaseErrorParameters } from "../../errors/base";

/** Root of the data slice errors: writing slices, reading them back, hashing them. */
export class DataSliceError extends BaseError {
  override name = "DataSliceError";
}

/** The source relation of a slice has a column of the wrong type, a reserved name, or bad values. */
export class SliceSourceError extends DataSliceError {
  override name = "SliceSourceError";
}

/** A `systemTime`/`eventTime` parameter is not an RFC 3339 timestamp. */
export class SliceTimestampError extends DataSliceError {
  override name = "SliceTimestampError";
  readonly value: string;
  constructor(params: { name: string; value: string } & BaseErrorParameters) {
    super(`${params.name} is not an RFC 3339 timestamp: ${JSON.stringify(params.value)}`, params);
    this.value = params.value;
  }
}

/** DuckDB failed while writing a slice (bad SQL in the source, disk full, ...). */
export class SliceWriteError extends DataSliceError {
  override name = "SliceWriteError";
}

/** A file that is not readable as a Parquet data slice (missing, truncated, corrupt, not Parquet). */
export class SliceReadError extends DataSliceError {
  override name = "SliceReadError";
  readonly path: string;
  constructor(params: { path: string; problem: string } & BaseErrorParameters) {
    super(`Cannot read data slice ${params.path}: ${params.problem}`, params);
    this.path = params.path;
  }
}

/** A column type that the logical hash does not define (see docs/logical-hash.md). */
export class UnsupportedColumnTypeError extends DataSliceError {
  override name = "UnsupportedColumnTypeError";
  readonly column: string;
  readonly type: string;
  constructor(params: { column: string; type: string } & BaseErrorParameters) {
    super(`Column ${JSON.stringify(params.column)} has type ${params.type}, which the logical hash does not support`, {
      hints: [
        "Supported: integers, FLOAT, DOUBLE, DECIMAL, BOOLEAN, VARCHAR, BLOB, DATE, TIME, TIMESTAMP, STRUCT, LIST, MAP",
      ],
      ...params,
    });
    this.column = params.column;
    this.type = params.type;
  }
}
