import { BaseError, type BaseErrorParameters, RetryableError } from "../errors/base";

/** Root of the ingest errors: fetching, reading, preprocessing and merging outside data. */
export class IngestError extends BaseError {
  override name = "IngestError";
}

/** The dataset cannot be ingested into the way it was asked (no such source, wrong kind). */
export class SourceNotFoundError extends IngestError {
  override name = "SourceNotFoundError";
}

/** The input held no records: nothing was written. */
export class EmptyInputError extends IngestError {
  override name = "EmptyInputError";
  constructor(what: string, params: BaseErrorParameters = {}) {
    super(`${what} is empty; nothing was ingested`, params);
  }
}

/** The input had records, but the `preprocess` query kept none of them: nothing was written. */
export class NoRecordsAfterPreprocessError extends IngestError {
  override name = "NoRecordsAfterPreprocessError";
  constructor(what: string, params: BaseErrorParameters = {}) {
    super(`${what} has no records after preprocess; nothing was ingested`, params);
  }
}

/** An ingest option is malformed (an `--event-time` that is not RFC 3339). */
export class IngestOptionError extends IngestError {
  override name = "IngestOptionError";
}

/** The input does not parse as the read step's declared format (wrong width, bad value, other format). */
export class ReadInputError extends IngestError {
  override name = "ReadInputError";
  /** 1-based line of the input the error is on, when the reader says. */
  readonly line: number | undefined;
  constructor(message: string, params: { line?: number | undefined } & BaseErrorParameters = {}) {
    super(message, params);
    this.line = params.line;
  }
}

/** The `preprocess` query failed (syntax, unknown column, runtime error). */
export class PreprocessError extends IngestError {
  override name = "PreprocessError";
  constructor(message: string, params: BaseErrorParameters = {}) {
    super(`Preprocess query failed: ${message}`, params);
  }
}

/** The merge strategy cannot apply to the input (duplicate keys in a snapshot, missing key columns, bad `op`). */
export class MergeError extends IngestError {
  override name = "MergeError";
}

/** A fetch failed for good (404, bad URL, nothing matched the glob). */
export class FetchError extends IngestError {
  override name = "FetchError";
  readonly url: string;
  constructor(params: { url: string; problem: string } & BaseErrorParameters) {
    super(`Fetching ${params.url} failed: ${params.problem}`, params);
    this.url = params.url;
  }
}

/** A fetch that may succeed later (timeout, 5xx, connection refused). */
export class FetchRetryableError extends RetryableError {
  override name = "FetchRetryableError";
  readonly url: string;
  constructor(params: { url: string; problem: string } & BaseErrorParameters) {
    super(`Fetching ${params.url} failed: ${params.problem}`, params);
    this.url = params.url;
  }
}

/** A file glob matched no file. */
export class NoFilesMatchedError extends IngestError {
  override name = "NoFilesMatchedError";
  constructor(pattern: string) {
    super(`No files match ${pattern}`);
  }
}

/** A prepare step failed (corrupt gzip, zip entry missing). */
export class PrepareError extends IngestError {
  override name = "PrepareError";
}

/** A snapshot manifest cannot be applied (bad dependency, unknown input dataset, cycle). */
export class ManifestApplyError extends IngestError {
  override name = "ManifestApplyError";
}

/** A source step kind this implementation does not run (e.g. `Container`, `Mqtt`, `Pipe`). */
export class UnsupportedStepError extends IngestError {
  override name = "UnsupportedStepError";
  constructor(what: string) {
    super(`${what} is not supported by this implementation`);
  }
}
