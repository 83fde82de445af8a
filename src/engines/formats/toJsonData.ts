import type { QueryResult, ResultValue } from "../types";

/** The ODF node's JSON data layouts. */
export type JsonDataFormat = "JsonAoS" | "JsonSoA" | "JsonAoA";

/** A JSON-safe value (what `JSON.stringify` writes as it is). */
export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

/**
 * A result value as plain JSON, as the ODF node writes query output: integers as JSON numbers
 * (as decimal text when beyond ±2^53, where a JSON number would lose digits), floats as numbers
 * (NaN and ±Infinity as `null`), binary as lowercase hex text, text values as they are, lists as
 * arrays, structs and maps as objects.
 */
export function toPlainJson(value: ResultValue): PlainJson {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (Array.isArray(value)) return (value as readonly ResultValue[]).map(toPlainJson);
  const out: { [key: string]: PlainJson } = {};
  for (const [key, member] of Object.entries(value as { readonly [key: string]: ResultValue })) {
    Object.defineProperty(out, key, {
      value: toPlainJson(member),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** JSON text of one value (`toPlainJson`), used where a nested value must become text. */
export function jsonText(value: ResultValue): string {
  return JSON.stringify(toPlainJson(value));
}

/**
 * Lays a result out as `JsonAoS` (array of row objects), `JsonSoA` (object of column arrays) or
 * `JsonAoA` (array of row arrays), values per `toPlainJson`. In the object layouts a duplicated
 * column name keeps its last column.
 */
export function toJsonData(result: Pick<QueryResult, "columns" | "rows">, format: JsonDataFormat): PlainJson {
  const names = result.columns.map((c) => c.name);
  const define = (target: { [key: string]: PlainJson }, key: string, value: PlainJson) =>
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  switch (format) {
    case "JsonAoA":
      return result.rows.map((row) => row.map(toPlainJson));
    case "JsonSoA": {
      const out: { [key: string]: PlainJson } = {};
      names.forEach((name, i) => {
        define(
          out,
          name,
          result.rows.map((row) => toPlainJson(row[i] ?? null)),
        );
      });
      return out;
    }
    case "JsonAoS":
      return result.rows.map((row) => {
        const out: { [key: string]: PlainJson } = {};
        names.forEach((name, i) => {
          define(out, name, toPlainJson(row[i] ?? null));
        });
        return out;
      });
  }
}
