import type { MergeInput, MergeSql } from "./mergeInput";
import { columnList } from "./mergeInput";

/**
 * `ChangelogStream`: the input carries its own `op` (validated to be 0..3 beforehand by
 * `checkOpColumn`); records are written as they come.
 */
export function mergeChangelog(input: MergeInput): MergeSql {
  const cols = input.columns.length > 0 ? `, ${columnList(input.columns)}` : "";
  return `SELECT op::INTEGER AS op, event_time${cols} FROM ${input.table}`;
}
