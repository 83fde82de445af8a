import { bytesToHex } from "@noble/hashes/utils.js";
import type { QueryResult, ResultValue } from "../engines/types";
import { JsonFloat, type JsonValue } from "./jsonValue";
import type { DataFormat } from "./queryRequest";

/**
 * Converts one engine value to the JSON value the response carries and the output hash covers:
 * integers (bigint) stay integers, floats become `JsonFloat` (so canonical JSON prints `1E0` for
 * a DOUBLE 1.0, as the reference node does), binary becomes lowercase hex text, nested values
 * recurse. Non-finite floats become `null` in the JSON text (canonical JSON and JSON agree).
 */
export function toJsonValue(value: ResultValue): JsonValue {
  if (value === null) return null;
  switch (typeof value) {
    case "boolean":
    case "string":
    case "bigint":
      return value;
    case "number":
      return new JsonFloat(value);
  }
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (Array.isArray(value)) return (value as readonly ResultValue[]).map(toJsonValue);
  const out: Record<string, JsonValue> = {};
  for (const [key, member] of Object.entries(value as { readonly [key: string]: ResultValue })) {
    Object.defineProperty(out, key, {
      value: toJsonValue(member),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Lays out a result as the ODF node's JSON data formats: `JsonAoS` an array of row objects,
 * `JsonSoA` an object of column arrays, `JsonAoA` an array of row arrays (columns in result order).
 * Duplicate column names: the last one wins in the object layouts, as in the reference writers.
 */
export function layoutJsonData(result: Pick<QueryResult, "columns" | "rows">, format: DataFormat): JsonValue {
  const names = result.columns.map((c) => c.name);
  switch (format) {
    case "JsonAoA":
      return result.rows.map((row) => row.map(toJsonValue));
    case "JsonSoA": {
      const out: Record<string, JsonValue[]> = {};
      names.forEach((name, i) => {
        Object.defineProperty(out, name, {
          value: result.rows.map((row) => toJsonValue(row[i] ?? null)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return out;
    }
    case "JsonAoS":
      return result.rows.map((row) => {
        const out: Record<string, JsonValue> = {};
        names.forEach((name, i) => {
          Object.defineProperty(out, name, {
            value: toJsonValue(row[i] ?? null),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        });
        return out;
      });
  }
}
