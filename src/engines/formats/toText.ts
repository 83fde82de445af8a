import type { QueryResult, ResultValue } from "../types";
import { jsonText } from "./jsonText";

/** Text of one value in tables and CSV: null as `nullText`, binary as hex, nested values as JSON. */
export function cellText(value: ResultValue, nullText = ""): string {
  if (value === null) return nullText;
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return jsonText(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The result as CSV (RFC 4180: header line, CRLF-free `\n` line ends, quoted when needed, null empty). */
export function toCsv(result: Pick<QueryResult, "columns" | "rows">): string {
  const lines = [result.columns.map((c) => csvField(c.name)).join(",")];
  for (const row of result.rows) lines.push(row.map((v) => csvField(cellText(v))).join(","));
  return `${lines.join("\n")}\n`;
}

/**
 * The result as a text table for a terminal: a header, a rule, one line per row, numbers right
 * aligned, null shown as `null`, cells longer than `maxCellWidth` cut with `…`.
 */
export function toTextTable(result: Pick<QueryResult, "columns" | "rows">, maxCellWidth = 60): string {
  const clip = (text: string) => {
    const flat = text.replace(/[\r\n\t]/g, " ");
    return flat.length > maxCellWidth ? `${flat.slice(0, maxCellWidth - 1)}…` : flat;
  };
  const header = result.columns.map((c) => clip(c.name));
  const body = result.rows.map((row) => row.map((v) => clip(cellText(v, "null"))));
  const right = result.columns.map((c) => c.tag === "integer" || c.tag === "float" || c.tag === "decimal");
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join(" | ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  const count = `(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`;
  return [line(header), rule, ...body.map(line), count].join("\n");
}
