import { BaseError, type BaseErrorParameters } from "../errors/base";

/** Where a transform problem sits: the derivative dataset and, when known, the block concerned. */
export type TransformErrorLocation = {
  /** Alias (or id) of the derivative dataset. */
  dataset: string;
  /** Hash of the block concerned (the SetTransform in force, or an ExecuteTransform). */
  blockHash?: string | undefined;
};

function where(location: TransformErrorLocation): string {
  return location.blockHash === undefined
    ? `Dataset ${location.dataset}`
    : `Dataset ${location.dataset} (block ${location.blockHash})`;
}

/** Root of the derivative-dataset errors: defining, executing and replaying SQL transforms. */
export class TransformError extends BaseError {
  override name = "TransformError";
  readonly dataset: string;
  readonly blockHash: string | undefined;
  constructor(location: TransformErrorLocation, message: string, params: BaseErrorParameters = {}) {
    super(`${where(location)}: ${message}`, params);
    this.dataset = location.dataset;
    this.blockHash = location.blockHash;
  }
}

/** The dataset has no SetTransform (or is not a derivative dataset). */
export class TransformNotSetError extends TransformError {
  override name = "TransformNotSetError";
}

/** A transform input names a dataset that is not in the workspace. */
export class TransformInputNotFoundError extends TransformError {
  override name = "TransformInputNotFoundError";
  readonly input: string;
  constructor(location: TransformErrorLocation, input: string, params: BaseErrorParameters = {}) {
    super(location, `input ${JSON.stringify(input)} is not a dataset of the workspace`, {
      hints: ["Add or pull the input dataset first, or fix the transform's datasetRef."],
      ...params,
    });
    this.input = input;
  }
}

/** Datasets read each other in a loop. */
export class DependencyCycleError extends TransformError {
  override name = "DependencyCycleError";
  /** The aliases on the cycle, the first repeated at the end. */
  readonly cycle: readonly string[];
  constructor(location: TransformErrorLocation, cycle: readonly string[]) {
    super(location, `dependency cycle: ${cycle.join(" -> ")}`);
    this.cycle = cycle;
  }
}

/** The transform's SQL does not parse or bind against its inputs, or its output lacks a required column. */
export class TransformQueryError extends TransformError {
  override name = "TransformQueryError";
}

/**
 * The SQL is valid but cannot be executed incrementally (aggregates, window functions, joins
 * between inputs, DISTINCT, ORDER BY/LIMIT, ...). `construct` names what was refused.
 */
export class NonIncrementalQueryError extends TransformError {
  override name = "NonIncrementalQueryError";
  readonly construct: string;
  constructor(location: TransformErrorLocation, construct: string, params: BaseErrorParameters = {}) {
    super(location, `the query cannot run incrementally: ${construct}`, {
      hints: [
        "Only per-record map/filter/projection queries (and UNION ALL of them) are supported; see docs/transforms.md.",
      ],
      ...params,
    });
    this.construct = construct;
  }
}

/** The transform's engine is not one this build runs. */
export class UnsupportedEngineError extends TransformError {
  override name = "UnsupportedEngineError";
}

/** The SetTransform in force pins an engine version other than the running one. */
export class EngineVersionMismatchError extends TransformError {
  override name = "EngineVersionMismatchError";
  readonly recorded: string | undefined;
  readonly running: string;
  constructor(location: TransformErrorLocation, recorded: string | undefined, running: string, hint: string) {
    super(
      location,
      `the transform pins engine version ${recorded ?? "(none)"}, but this build runs duckdb ${running}`,
      { hints: [hint] },
    );
    this.recorded = recorded;
    this.running = running;
  }
}

/** An input dataset's history no longer contains a block the derivative recorded (rewritten behind our back). */
export class InputRewrittenError extends TransformError {
  override name = "InputRewrittenError";
  readonly input: string;
  readonly missingBlock: string;
  constructor(location: TransformErrorLocation, input: string, missingBlock: string) {
    super(
      location,
      `input ${input} no longer contains block ${missingBlock} that this dataset consumed; its history was rewritten`,
      { hints: ["Restore the input's history, or recreate the derivative dataset from scratch."] },
    );
    this.input = input;
    this.missingBlock = missingBlock;
  }
}

/** A transform input's ref now names another dataset than the one this transform has been reading. */
export class InputReplacedError extends TransformError {
  override name = "InputReplacedError";
  readonly input: string;
  constructor(location: TransformErrorLocation, input: string, nowId: string, consumedId: string) {
    super(
      location,
      `input ${input} now resolves to dataset ${nowId}, but this transform has been reading ${consumedId}`,
      {
        hints: [
          "Write a new SetTransform naming the input by its id (`odf transform set --input`) to switch deliberately.",
        ],
      },
    );
    this.input = input;
  }
}
