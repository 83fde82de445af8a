import type { TransformSql } from "../odf/metadata/types";
import { quoteIdent } from "../odf/schema/duckDbTypes";
import { type TransformErrorLocation, TransformQueryError } from "./errors";

/**
 * The SQL of a transform as one SELECT: `query`, or the `queries` steps joined as CTEs — every
 * step with an `alias` becomes `WITH alias AS (...)`, and the step without one (at most one, the
 * last) is the output; when every step has an alias, the last step is the output.
 */
export function transformQueryText(transform: TransformSql, location: TransformErrorLocation): string {
  if (transform.query !== undefined && transform.queries !== undefined && transform.queries.length > 0) {
    throw new TransformQueryError(location, "the transform has both query and queries; give one");
  }
  if (transform.query !== undefined) return transform.query.trim().replace(/;\s*$/, "");
  const steps = transform.queries ?? [];
  if (steps.length === 0) throw new TransformQueryError(location, "the transform has no query");
  const named = steps.slice(0, -1);
  const last = steps[steps.length - 1] as (typeof steps)[number];
  for (const step of named) {
    if (step.alias === undefined) {
      throw new TransformQueryError(location, "only the last of the transform's queries may have no alias");
    }
  }
  const all = last.alias === undefined ? named : steps;
  const body = (sql: string) => sql.trim().replace(/;\s*$/, "");
  const ctes = all.map((s) => `${quoteIdent(s.alias as string)} AS (${body(s.query)})`);
  const output = last.alias === undefined ? body(last.query) : `SELECT * FROM ${quoteIdent(last.alias)}`;
  return ctes.length === 0 ? output : `WITH ${ctes.join(", ")} ${output}`;
}
