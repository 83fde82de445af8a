import type { DuckDBConnection } from "@duckdb/node-api";
import { MergeError } from "../../../ingest/errors";
import type { MergeStrategy } from "../../../odf/metadata/types";
import type { IngestColumn } from "./mergeInput";
import { quoteIdent } from "./sqlText";

/** Throws `MergeError` unless every primary key / compare column is a column of the new records. */
export function checkMergeColumns(strategy: MergeStrategy, columns: readonly IngestColumn[], hasOp: boolean): void {
  const names = new Set(["event_time", ...columns.map((c) => c.name)]);
  if (strategy.kind === "Append" || strategy.kind === "Ledger" || strategy.kind === "Snapshot") {
    if (hasOp) throw new MergeError(`Column op is reserved for the system; ${strategy.kind} input must not carry it`);
  }
  if (strategy.kind === "ChangelogStream" && !hasOp) {
    throw new MergeError("ChangelogStream input must carry an op column (0 +A, 1 -R, 2 -C, 3 +C)");
  }
  if (strategy.kind === "Append") return;
  if (strategy.primaryKey.length === 0) throw new MergeError(`${strategy.kind} needs at least one primary key column`);
  for (const key of strategy.primaryKey) {
    if (!names.has(key)) throw new MergeError(`Primary key column ${key} is not in the input`);
  }
  if (strategy.kind === "Snapshot") {
    for (const c of strategy.compareColumns ?? []) {
      if (!names.has(c)) throw new MergeError(`Compare column ${c} is not in the input`);
    }
  }
}

/** Throws `MergeError` naming the first key that occurs twice in the new records (Snapshot input). */
export async function findDuplicateKey(
  connection: DuckDBConnection,
  table: string,
  primaryKey: readonly string[],
): Promise<void> {
  const keys = primaryKey.map(quoteIdent).join(", ");
  const reader = await connection.runAndReadAll(
    `SELECT ${primaryKey.map((k) => `CAST(${quoteIdent(k)} AS VARCHAR)`).join(", ")}, count(*)::BIGINT FROM ${table} GROUP BY ${keys} HAVING count(*) > 1 LIMIT 1`,
  );
  const row = reader.getRows()[0];
  if (!row) return;
  const shown = primaryKey.map((k, i) => `${k}=${row[i] === null ? "null" : String(row[i])}`).join(", ");
  throw new MergeError(
    `Duplicate primary key (${shown}) in the snapshot input: it occurs ${String(row[primaryKey.length])} times`,
  );
}

/**
 * Validates the new records' (already integer) `op` column: ChangelogStream allows 0..3,
 * UpsertStream 0 (`+A`), 1 (`-R`), 3 (`+C`) and null (an upsert).
 */
export async function checkOpColumn(
  connection: DuckDBConnection,
  table: string,
  strategy: "ChangelogStream" | "UpsertStream",
): Promise<void> {
  const allowed = strategy === "ChangelogStream" ? [0, 1, 2, 3] : [0, 1, 3];
  const where =
    strategy === "ChangelogStream"
      ? `op IS NULL OR op NOT IN (${allowed})`
      : `op IS NOT NULL AND op NOT IN (${allowed})`;
  const bad = await connection.runAndReadAll(
    `SELECT __row, op FROM (SELECT row_number() OVER () AS __row, op FROM ${table}) WHERE ${where} LIMIT 1`,
  );
  const row = bad.getRows()[0];
  if (row) {
    const names = ["+A", "-R", "-C", "+C"];
    throw new MergeError(
      `Record ${String(row[0])}: op ${row[1] === null ? "is missing or not one of +A, -R, -C, +C, 0..3" : String(row[1])} is not allowed in ${strategy} input (allowed: ${allowed.map((a) => names[a]).join(", ")})`,
    );
  }
}
