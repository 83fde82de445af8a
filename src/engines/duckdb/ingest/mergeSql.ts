import type { MergeStrategy } from "../../../odf/metadata/types";
import { mergeAppend } from "./mergeAppend";
import { mergeChangelog } from "./mergeChangelog";
import type { MergeInput, MergeSql } from "./mergeInput";
import { mergeLedger } from "./mergeLedger";
import { mergeSnapshot } from "./mergeSnapshot";
import { mergeUpsert } from "./mergeUpsert";

/** The SQL that merges the new records into the dataset with the given ODF merge strategy. */
export function mergeSql(strategy: MergeStrategy, input: MergeInput): MergeSql {
  switch (strategy.kind) {
    case "Append":
      return mergeAppend(input);
    case "Ledger":
      return mergeLedger(input, strategy.primaryKey);
    case "Snapshot":
      return mergeSnapshot(input, strategy.primaryKey, strategy.compareColumns);
    case "ChangelogStream":
      return mergeChangelog(input);
    case "UpsertStream":
      return mergeUpsert(input, strategy.primaryKey);
  }
}
