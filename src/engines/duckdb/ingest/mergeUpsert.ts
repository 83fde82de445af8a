import type { MergeInput, MergeSql } from "./mergeInput";
import { currentStateSql, keyMatch } from "./mergeInput";
import { quoteIdent } from "./sqlText";

/**
 * `UpsertStream`: each input record is an upsert (`op` absent, 0 `+A` or 3 `+C`) or a delete
 * (`op` 1 `-R`) of its primary key, applied in arrival order. Against the key's previous version
 * (earlier in the same input, else the dataset's current state) an upsert of a new key becomes
 * `+A`, an upsert that changes any data column a `-C`/`+C` pair, an identical upsert nothing; a
 * delete of a present key becomes `-R` carrying the previous values, of an absent key nothing.
 * `op` must be validated beforehand (`checkOpColumn` with the upsert set).
 */
export function mergeUpsert(input: MergeInput, primaryKey: readonly string[]): MergeSql {
  const keys = new Set(primaryKey);
  const partition = primaryKey.map(quoteIdent).join(", ");
  const tracked = ["event_time", ...input.columns.map((c) => c.name)];
  const q = (name: string) => quoteIdent(name);
  const prev = (name: string) => quoteIdent(`__p_${name}`);
  const opExpr = input.hasOp ? "CASE WHEN op = 1 THEN 1 ELSE 0 END" : "0";
  const lags = tracked.map((n) => `lag(${q(n)}) OVER k AS ${quoteIdent(`__l_${n}`)}`).join(", ");
  const prevCols = tracked
    .map((n) => `CASE WHEN w.__k_rn = 1 THEN c.${q(n)} ELSE w.${quoteIdent(`__l_${n}`)} END AS ${prev(n)}`)
    .join(", ");
  const nonKey = input.columns.map((c) => c.name).filter((n) => !keys.has(n));
  const changed = nonKey.length > 0 ? nonKey.map((n) => `${q(n)} IS DISTINCT FROM ${prev(n)}`).join(" OR ") : "false";
  const newList = tracked.map((n) => `${q(n)} AS ${q(n)}`).join(", ");
  const prevList = tracked.map((n) => `${prev(n)} AS ${q(n)}`).join(", ");
  const outCols = tracked.map(q).join(", ");
  const dataOnly = input.columns.map((c) => q(c.name));
  const nSelect = ["event_time", ...dataOnly].join(", ");
  return [
    `WITH n AS (SELECT row_number() OVER () AS __seq, ${opExpr} AS __op, ${nSelect} FROM ${input.table}),`,
    `w AS (SELECT *, lag(__op) OVER k AS __l_op, row_number() OVER k AS __k_rn, ${lags} FROM n WINDOW k AS (PARTITION BY ${partition} ORDER BY __seq)),`,
    `c AS (${currentStateSql(input.previous, primaryKey)}),`,
    `j AS (SELECT w.*, CASE WHEN w.__k_rn = 1 THEN c."offset" IS NOT NULL ELSE w.__l_op = 0 END AS __exists, ${prevCols}`,
    `  FROM w LEFT JOIN c ON ${keyMatch(primaryKey, "w", "c")})`,
    `SELECT op, ${outCols} FROM (`,
    `  SELECT 0::INTEGER AS op, ${newList}, __seq, 0 AS __o2 FROM j WHERE __op = 0 AND NOT __exists`,
    "  UNION ALL",
    `  SELECT 2::INTEGER AS op, ${prevList}, __seq, 0 AS __o2 FROM j WHERE __op = 0 AND __exists AND (${changed})`,
    "  UNION ALL",
    `  SELECT 3::INTEGER AS op, ${newList}, __seq, 1 AS __o2 FROM j WHERE __op = 0 AND __exists AND (${changed})`,
    "  UNION ALL",
    `  SELECT 1::INTEGER AS op, ${prevList}, __seq, 0 AS __o2 FROM j WHERE __op = 1 AND __exists`,
    ") ORDER BY __seq, __o2",
  ].join("\n");
}
