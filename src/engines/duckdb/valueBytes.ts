import type { ResultValue } from "../types";

/**
 * Size of a result value as the limits count it: 1 for null/boolean, 8 for numbers, 16 for integers
 * (they may be 128-bit), UTF-16 length × 2 for text, byte length for binary, the sum for lists
 * and structs (plus key text). An estimate of memory held, not of any one encoding.
 */
export function valueBytes(value: ResultValue): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "number") return 8;
  if (typeof value === "bigint") return 16;
  if (typeof value === "string") return value.length * 2;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    let total = 8;
    for (const item of value as readonly ResultValue[]) total += valueBytes(item);
    return total;
  }
  let total = 8;
  for (const [key, item] of Object.entries(value as { readonly [key: string]: ResultValue })) {
    total += key.length * 2 + valueBytes(item);
  }
  return total;
}
