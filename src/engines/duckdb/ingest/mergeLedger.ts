import type { MergeInput, MergeSql } from "./mergeInput";
import { columnList, keyMatch } from "./mergeInput";
import { quoteIdent } from "./sqlText";

/**
 * `Ledger`: only records whose primary key was never seen before (in the dataset or earlier in
 * the same input) are added, as `+A`, in arrival order.
 */
export function mergeLedger(input: MergeInput, primaryKey: readonly string[]): MergeSql {
  const partition = primaryKey.map(quoteIdent).join(", ");
  const cols = input.columns.length > 0 ? `, ${columnList(input.columns, "d.")}` : "";
  return [
    `WITH n AS (SELECT row_number() OVER () AS __seq, * FROM ${input.table}),`,
    `d AS (SELECT * FROM n QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY __seq) = 1),`,
    `p AS (SELECT DISTINCT ${partition} FROM (${input.previous}))`,
    `SELECT 0::INTEGER AS op, d.event_time${cols} FROM d ANTI JOIN p ON ${keyMatch(primaryKey, "d", "p")} ORDER BY d.__seq`,
  ].join("\n");
}
