import {
  type EngineError,
  ForbiddenQueryError,
  InvalidQueryError,
  QueryExecutionError,
  QueryLimitError,
} from "../errors";

/** First line of an error's message (DuckDB adds the SQL and a caret on the next lines). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0] ?? message;
}

/**
 * Maps an error DuckDB raised while preparing or running a query to the engine's error tree:
 * parser/binder/catalog errors are `InvalidQueryError`, permission errors (the sandbox's file
 * access lock) are `ForbiddenQueryError`, out-of-memory is a `QueryLimitError` on memory, the rest
 * is a `QueryExecutionError`.
 */
export function mapDuckDbError(error: unknown, memoryLimit: string): EngineError {
  const line = firstLine(error);
  if (/^(Parser|Binder|Catalog|Syntax) Error/.test(line)) return new InvalidQueryError(line, { cause: error });
  if (/^Permission Error/.test(line)) return new ForbiddenQueryError(line, { cause: error });
  if (/^Out of Memory Error/.test(line)) {
    return new QueryLimitError({
      limit: "memory",
      bound: memoryLimit,
      message: `the query needs more than the ${memoryLimit} memory limit`,
      cause: error,
    });
  }
  return new QueryExecutionError(line, { cause: error });
}
