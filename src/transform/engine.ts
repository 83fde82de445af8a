import { version as duckDbVersion } from "@duckdb/node-api";
import type { SetTransform } from "../odf/metadata/types";
import { EngineVersionMismatchError, type TransformErrorLocation, UnsupportedEngineError } from "./errors";

/** Engine name transforms record in `TransformSql.engine`. */
export const TRANSFORM_ENGINE = "duckdb";

/** Version of the running engine as transforms record it (`1.5.6`, DuckDB's version without the `v`). */
export function runningEngineVersion(): string {
  return duckDbVersion().replace(/^v/, "");
}

/**
 * Checks that the SetTransform in force names this engine and pins the running version. The
 * SetTransform is what records the engine each ExecuteTransform ran with (ExecuteTransform has no
 * field for it in ODF v0.38), so a different version needs a new SetTransform (a migration) first.
 * Throws `UnsupportedEngineError` or, unless `allowMismatch`, `EngineVersionMismatchError`.
 */
export function checkTransformEngine(
  event: SetTransform,
  location: TransformErrorLocation,
  options: { allowMismatch?: boolean | undefined; hint: string },
): void {
  const transform = event.transform;
  if (transform.engine.toLowerCase() !== TRANSFORM_ENGINE) {
    throw new UnsupportedEngineError(
      location,
      `transform engine ${JSON.stringify(transform.engine)} is not supported (this build runs ${TRANSFORM_ENGINE})`,
    );
  }
  if (transform.temporalTables !== undefined && transform.temporalTables.length > 0) {
    throw new UnsupportedEngineError(location, "temporalTables are not supported by the duckdb transform engine");
  }
  const running = runningEngineVersion();
  if (transform.version !== running && !options.allowMismatch) {
    throw new EngineVersionMismatchError(location, transform.version, running, options.hint);
  }
}
