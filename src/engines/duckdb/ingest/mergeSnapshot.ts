import type { MergeInput, MergeSql } from "./mergeInput";
import { currentStateSql, keyMatch } from "./mergeInput";
import { quoteIdent } from "./sqlText";

/**
 * `Snapshot`: diffs the new snapshot against the dataset's current state by primary key. New keys
 * become `+A`; changed rows (any of `compareColumns`, default every data column but the key and
 * `event_time`, differs) a `-C` carrying the previous record followed by `+C` carrying the new one;
 * keys that disappeared `-R` carrying the previous record. Unchanged rows write nothing. Order:
 * the new snapshot's order, then retractions in offset order. Duplicate keys must be refused
 * beforehand (`findDuplicateKey`).
 */
export function mergeSnapshot(
  input: MergeInput,
  primaryKey: readonly string[],
  compareColumns?: readonly string[],
): MergeSql {
  const keys = new Set(primaryKey);
  const compare = compareColumns ?? input.columns.map((c) => c.name).filter((n) => !keys.has(n));
  const changed =
    compare.length > 0
      ? compare.map((c) => `n.${quoteIdent(c)} IS DISTINCT FROM c.${quoteIdent(c)}`).join(" OR ")
      : "false";
  const newCols = input.columns.map((c) => `n.${quoteIdent(c.name)}`);
  const oldCols = input.columns.map((c) => `c.${quoteIdent(c.name)}`);
  const select = (op: number, time: string, cols: string[], order1: string, order2: number) =>
    `SELECT ${op}::INTEGER AS op, ${time} AS event_time${cols.map((c, i) => `, ${c} AS ${quoteIdent(input.columns[i]?.name ?? "")}`).join("")}, ${order1} AS __o1, ${order2} AS __o2`;
  const cols = input.columns.map((c) => `, ${quoteIdent(c.name)}`).join("");
  return [
    `WITH n AS (SELECT row_number() OVER () AS __seq, * FROM ${input.table}),`,
    `c AS (${currentStateSql(input.previous, primaryKey)})`,
    `SELECT op, event_time${cols} FROM (`,
    `${select(0, "n.event_time", newCols, "n.__seq", 0)} FROM n ANTI JOIN c ON ${keyMatch(primaryKey, "n", "c")}`,
    "UNION ALL",
    `${select(2, "c.event_time", oldCols, "n.__seq", 0)} FROM n JOIN c ON ${keyMatch(primaryKey, "n", "c")} WHERE ${changed}`,
    "UNION ALL",
    `${select(3, "n.event_time", newCols, "n.__seq", 1)} FROM n JOIN c ON ${keyMatch(primaryKey, "n", "c")} WHERE ${changed}`,
    "UNION ALL",
    `${select(1, "c.event_time", oldCols, `4611686018427387904 + c."offset"`, 0)} FROM c ANTI JOIN n ON ${keyMatch(primaryKey, "c", "n")}`,
    ") ORDER BY __o1, __o2",
  ].join("\n");
}
