import type { MergeInput, MergeSql } from "./mergeInput";
import { columnList } from "./mergeInput";

/** `Append`: every new record as `+A`, in arrival order. */
export function mergeAppend(input: MergeInput): MergeSql {
  const cols = input.columns.length > 0 ? `, ${columnList(input.columns)}` : "";
  return `SELECT 0::INTEGER AS op, event_time${cols} FROM ${input.table}`;
}
