import { JsonFloat, type JsonValue } from "./jsonValue";

/** How `writeJson` prints the parts where the JSON writers differ. */
export interface JsonStyle {
  /** Text of a number; `float` is true for a `JsonFloat` (a plain `number` may still hold a fraction). */
  number(value: number, float: boolean): string;
  /** A quoted, escaped string (also used for object keys). */
  quote(text: string): string;
  /** The keys of an object in the order to write them (members holding `undefined` are skipped). */
  keys(object: { readonly [key: string]: JsonValue }): string[];
  /** Spaces per nesting level; empty for compact output. */
  pad: string;
}

/**
 * Appends the JSON text of `value` to `parts`: the walk that canonical JSON and `stringifyJson`
 * share (null, booleans, bigints in full, arrays, objects without `undefined` members), with
 * numbers, strings, key order and layout per `style`. `newline` is the line break plus the current
 * indentation (used only when `style.pad` is not empty).
 */
export function writeJson(value: JsonValue, parts: string[], style: JsonStyle, newline = "\n"): void {
  if (value === null) {
    parts.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      parts.push(value ? "true" : "false");
      return;
    case "string":
      parts.push(style.quote(value));
      return;
    case "bigint":
      parts.push(value.toString());
      return;
    case "number":
      parts.push(style.number(value, false));
      return;
  }
  if (value instanceof JsonFloat) {
    parts.push(style.number(value.value, true));
    return;
  }
  const { pad } = style;
  const inner = `${newline}${pad}`;
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    parts.push("[");
    for (let i = 0; i < items.length; i++) {
      if (i > 0) parts.push(",");
      if (pad) parts.push(inner);
      writeJson(items[i] as JsonValue, parts, style, inner);
    }
    parts.push(pad && items.length > 0 ? `${newline}]` : "]");
    return;
  }
  const object = value as { readonly [key: string]: JsonValue };
  parts.push("{");
  let first = true;
  for (const key of style.keys(object)) {
    const member = object[key];
    if (member === undefined) continue;
    if (!first) parts.push(",");
    first = false;
    if (pad) parts.push(inner);
    parts.push(style.quote(key), pad ? ": " : ":");
    writeJson(member, parts, style, inner);
  }
  parts.push(pad && !first ? `${newline}}` : "}");
}
