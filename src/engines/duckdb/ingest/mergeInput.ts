import { quoteIdent } from "./sqlText";

/** A data column of the new records (not `op`, not `event_time`). */
export type IngestColumn = { name: string; type: string };

/**
 * What a merge strategy works on: a table of new records (`[op,] event_time, <data columns>` in
 * arrival order) and a relation of the dataset's existing records (`offset, op, event_time,
 * <data columns>`, cast to the new records' types; empty for a dataset without data).
 */
export type MergeInput = {
  /** Name of the table holding the new records. */
  table: string;
  /** Data columns of the new records, in order. */
  columns: readonly IngestColumn[];
  /**
   * Whether the new records carry their own `op` column (INTEGER 0..3, null when absent or not
   * recognized), next to the input's own value as text in `OP_TEXT_COLUMN` (for messages).
   */
  hasOp: boolean;
  /** A FROM-able SQL relation of the existing records (see `previousRecordsSql`). */
  previous: string;
};

/** The column of the new records holding the input's own `op` value as text (null when absent). */
export const OP_TEXT_COLUMN = "__op_text";

/** A merge strategy's output: SQL whose columns are `op, event_time, <data columns>`, in write order. */
export type MergeSql = string;

/** `"a", "b"` of the data columns, optionally qualified with a prefix (`n."a"`) or renamed. */
export function columnList(columns: readonly IngestColumn[], qualify = ""): string {
  return columns.map((c) => `${qualify}${quoteIdent(c.name)}`).join(", ");
}

/** `a.k1 IS NOT DISTINCT FROM b.k1 AND ...` over the primary key. */
export function keyMatch(primaryKey: readonly string[], left: string, right: string): string {
  return primaryKey.map((k) => `${left}.${quoteIdent(k)} IS NOT DISTINCT FROM ${right}.${quoteIdent(k)}`).join(" AND ");
}

/** The latest present version of every key: rows whose last record is `+A` or `+C`. */
export function currentStateSql(previous: string, primaryKey: readonly string[]): string {
  const partition = primaryKey.map(quoteIdent).join(", ");
  return `SELECT * EXCLUDE (__rn) FROM (SELECT *, row_number() OVER (PARTITION BY ${partition} ORDER BY "offset" DESC) AS __rn FROM (${previous})) WHERE __rn = 1 AND op IN (0, 3)`;
}
