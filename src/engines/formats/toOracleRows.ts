import type { QueryResult, ResultValue } from "../types";
import { jsonText } from "./jsonText";

/** A cell of an oracle response row (DESIGN 4.3), before CBOR encoding. */
export type OracleCell = null | boolean | bigint | number | string;

/**
 * Maps a result value to the oracle response's value mapping (DESIGN 4.3): null → null; booleans;
 * integers → `bigint` (CBOR major type 0/1); floats → `number` (the encoder writes the shortest
 * exact float), NaN → null; text as is (timestamps and dates are already RFC 3339 text, decimals
 * exact text); binary → lowercase hex text without `0x`; lists and structs → their JSON text.
 */
export function toOracleCell(value: ResultValue): OracleCell {
  if (value === null || typeof value === "boolean" || typeof value === "bigint" || typeof value === "string") {
    return value;
  }
  if (typeof value === "number") return Number.isNaN(value) ? null : value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return jsonText(value);
}

/** The result's rows as oracle response rows (columns in query order). */
export function toOracleRows(result: Pick<QueryResult, "rows">): OracleCell[][] {
  return result.rows.map((row) => row.map(toOracleCell));
}
