import { escapeString } from "./canonicalJson";
import { JsonFloat, type JsonValue } from "./jsonValue";

/**
 * Serializes a value as compact JSON in member order, keeping the int/float kind of numbers so
 * that `parseJson` reads back the same value: floats always carry a fraction or an exponent
 * (`1` as a float is written `1.0`), bigints print all their digits. Non-finite floats print as
 * `null`. Strings use the canonical escaping (ASCII output). With `indent` > 0, members and items
 * stand on their own lines indented by that many spaces per level, as `JSON.stringify` lays out.
 */
export function stringifyJson(value: JsonValue, indent = 0): string {
  const parts: string[] = [];
  write(value, parts, indent > 0 ? " ".repeat(indent) : "", "\n");
  return parts.join("");
}

function floatText(value: number): string {
  if (!Number.isFinite(value)) return "null";
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function write(value: JsonValue, parts: string[], pad: string, newline: string): void {
  const inner = `${newline}${pad}`;
  if (value === null) {
    parts.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      parts.push(value ? "true" : "false");
      return;
    case "string":
      parts.push(escapeString(value));
      return;
    case "bigint":
      parts.push(value.toString());
      return;
    case "number":
      parts.push(Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : floatText(value));
      return;
  }
  if (value instanceof JsonFloat) {
    parts.push(floatText(value.value));
    return;
  }
  if (Array.isArray(value)) {
    parts.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(",");
      if (pad) parts.push(inner);
      write((value as readonly JsonValue[])[i] as JsonValue, parts, pad, inner);
    }
    parts.push(pad && value.length > 0 ? `${newline}]` : "]");
    return;
  }
  const object = value as { readonly [key: string]: JsonValue };
  parts.push("{");
  let first = true;
  for (const key of Object.keys(object)) {
    const member = object[key];
    if (member === undefined) continue;
    if (!first) parts.push(",");
    first = false;
    if (pad) parts.push(inner);
    parts.push(escapeString(key), pad ? ": " : ":");
    write(member, parts, pad, inner);
  }
  parts.push(pad && !first ? `${newline}}` : "}");
}
