import { escapeString } from "./canonicalJson";
import type { JsonValue } from "./jsonValue";
import { type JsonStyle, writeJson } from "./writeJson";

/**
 * Serializes a value as compact JSON in member order, keeping the int/float kind of numbers so
 * that `parseJson` reads back the same value: floats always carry a fraction or an exponent
 * (`1` as a float is written `1.0`), bigints print all their digits. Non-finite floats print as
 * `null`. Strings use the canonical escaping (ASCII output). With `indent` > 0, members and items
 * stand on their own lines indented by that many spaces per level, as `JSON.stringify` lays out.
 */
export function stringifyJson(value: JsonValue, indent = 0): string {
  const parts: string[] = [];
  writeJson(value, parts, indent > 0 ? { ...COMPACT, pad: " ".repeat(indent) } : COMPACT);
  return parts.join("");
}

const COMPACT: JsonStyle = {
  number: (value, float) =>
    !float && Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : floatText(value),
  quote: (text) => escapeString(text),
  keys: (object) => Object.keys(object),
  pad: "",
};

function floatText(value: number): string {
  if (!Number.isFinite(value)) return "null";
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
