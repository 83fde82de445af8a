import type { TransformSession } from "../engines/duckdb/transform/openTransformSession";
import type { TransformSql } from "../odf/metadata/types";
import { NonIncrementalQueryError, type TransformErrorLocation, TransformQueryError } from "./errors";
import { transformQueryText } from "./transformQuery";

/**
 * Compiles a transform in a session: the SQL must pass the sandbox, be incremental (stateless per
 * record), bind against the input views and output `op` and `event_time`. Returns the SELECT to
 * write; throws `TransformQueryError` or `NonIncrementalQueryError` naming the dataset and block.
 */
export async function compileTransform(
  session: TransformSession,
  transform: TransformSql,
  location: TransformErrorLocation,
  options: { bind?: boolean } = {},
): Promise<string> {
  const query = transformQueryText(transform, location);
  const compiled = await session.compile(query, options);
  if (compiled.ok) return compiled.source;
  if (compiled.kind === "nonIncremental") throw new NonIncrementalQueryError(location, compiled.message);
  throw new TransformQueryError(location, `the query does not compile: ${compiled.message}`);
}
