import type { JsonValue } from "./jsonValue";
import { type JsonStyle, writeJson } from "./writeJson";

/**
 * Serializes a value as the reference ODF node's canonical JSON (DESIGN 6; not RFC 8785):
 * object keys sorted bytewise (by UTF-8 bytes), no whitespace; integers in plain decimal; floats
 * as `d.dddE<exp>` (shortest round-trip digits, capital `E`, no `+`, no leading exponent zeros:
 * `23.1` → `2.31E1`, `1.0` → `1E0`, `0.00099` → `9.9E-4`); strings with `"` `\` `\n \t \r \b \f`
 * escaped, other control characters, DEL and every non-ASCII UTF-16 unit as `\uXXXX` (lowercase).
 *
 * A `number` holding an integer is an integer; a `JsonFloat` (or a `number` with a fraction) is a
 * float. Non-finite floats print as `null`, as the reference serializer does. Object members whose
 * value is `undefined` are left out (absent optional fields).
 */
export function canonicalJson(value: JsonValue): string {
  const parts: string[] = [];
  writeJson(value, parts, CANONICAL);
  return parts.join("");
}

/** `canonicalJson` as UTF-8 bytes (always ASCII): what commitments hash and proofs sign. */
export function canonicalJsonBytes(value: JsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

const CANONICAL: JsonStyle = {
  number: (value, float) =>
    !float && Number.isInteger(value) && !Object.is(value, -0) ? integerText(value) : formatFloat(value),
  quote: (text) => escapeString(text),
  keys: (object) => Object.keys(object).sort(compareUtf8),
  pad: "",
};

function integerText(value: number): string {
  // Integers beyond 2^53 still print exactly (BigInt gives all digits, no exponent).
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/** Formats a float as `d.dddE<exp>`: the shortest digits that round-trip, like Rust's `{:E}`. */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) return "null";
  if (value === 0) return Object.is(value, -0) ? "-0E0" : "0E0";
  const exp = value.toExponential();
  const e = exp.indexOf("e");
  const mantissa = exp.slice(0, e);
  const exponent = exp.charAt(e + 1) === "+" ? exp.slice(e + 2) : exp.slice(e + 1);
  return `${mantissa}E${exponent}`;
}

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: "\\\\",
  10: "\\n",
  9: "\\t",
  13: "\\r",
  8: "\\b",
  12: "\\f",
};

/** Quotes a string with canonical escaping (see `canonicalJson`). */
export function escapeString(text: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += text.slice(start, i);
    out += SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, "0")}`;
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}

/** Orders strings by their UTF-8 bytes (= by code points), as a Rust `BTreeMap<String, _>` does. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order equals code point order except that surrogates (D800-DFFF, i.e. code points
    // above FFFF) must sort after E000-FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
