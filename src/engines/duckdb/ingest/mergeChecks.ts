import type { DuckDBConnection } from "@duckdb/node-api";
import { MergeError } from "../../../ingest/errors";
import type { MergeStrategy } from "../../../odf/metadata/types";
import { type IngestColumn, OP_TEXT_COLUMN } from "./mergeInput";
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

const OP_NAMES = ["+A", "-R", "-C", "+C"];

/**
 * Validates the new records' `op` column (the code, next to the input's own text in
 * `OP_TEXT_COLUMN`): ChangelogStream allows 0..3 and needs a value on every record; UpsertStream
 * allows 0 (`+A`), 1 (`-R`), 3 (`+C`) or no value (an upsert). A value that is not an op at all
 * (`"delete"`) is refused too, so a typo never turns a delete into an upsert.
 * Throws `MergeError` naming the record, the value and the allowed ops.
 */
export async function checkOpColumn(
  connection: DuckDBConnection,
  table: string,
  strategy: "ChangelogStream" | "UpsertStream",
): Promise<void> {
  const allowed = strategy === "ChangelogStream" ? [0, 1, 2, 3] : [0, 1, 3];
  const text = quoteIdent(OP_TEXT_COLUMN);
  const missing = strategy === "ChangelogStream" ? `${text} IS NULL OR ` : "";
  const bad = await connection.runAndReadAll(
    `SELECT __row, ${text} FROM (SELECT row_number() OVER () AS __row, op, ${text} FROM ${table}) WHERE ${missing}(${text} IS NOT NULL AND (op IS NULL OR op NOT IN (${allowed}))) LIMIT 1`,
  );
  const row = bad.getRows()[0];
  if (!row) return;
  const names = allowed.map((a) => OP_NAMES[a]).join(", ");
  if (row[1] === null)
    throw new MergeError(`Record ${String(row[0])}: op is missing in ${strategy} input (allowed: ${names})`);
  const value = String(row[1]);
  const shown = /^-?\d+$/.test(value) ? value : JSON.stringify(value);
  throw new MergeError(`Record ${String(row[0])}: op ${shown} is not allowed in ${strategy} input (allowed: ${names})`);
}
