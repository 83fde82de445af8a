import { InvalidJsonError } from "./errors";
import { JsonFloat, type JsonValue } from "./jsonValue";

const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/**
 * Parses JSON text (RFC 8259) keeping the int/float kind of every number, as the reference node's
 * parser does: a number written with a fraction or an exponent becomes a `JsonFloat`; an integer
 * becomes a `number` when it is a safe integer, a `bigint` within the int64/uint64 range, and a
 * `JsonFloat` beyond it. Throws `InvalidJsonError` naming the offset of the first bad character.
 */
export function parseJson(text: string): JsonValue {
  const parser = { text, pos: 0 };
  skipWhitespace(parser);
  const value = parseValue(parser, 0);
  skipWhitespace(parser);
  if (parser.pos !== text.length) fail(parser, "unexpected text after the value");
  return value;
}

type Parser = { text: string; pos: number };

const MAX_DEPTH = 512;

function fail(parser: Parser, reason: string): never {
  throw new InvalidJsonError({ offset: parser.pos, reason });
}

function skipWhitespace(parser: Parser): void {
  const { text } = parser;
  let pos = parser.pos;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else break;
  }
  parser.pos = pos;
}

function parseValue(parser: Parser, depth: number): JsonValue {
  if (depth > MAX_DEPTH) fail(parser, `nesting deeper than ${MAX_DEPTH}`);
  const c = parser.text.charCodeAt(parser.pos);
  switch (c) {
    case 0x7b:
      return parseObject(parser, depth);
    case 0x5b:
      return parseArray(parser, depth);
    case 0x22:
      return parseString(parser);
    case 0x74:
      return parseLiteral(parser, "true", true);
    case 0x66:
      return parseLiteral(parser, "false", false);
    case 0x6e:
      return parseLiteral(parser, "null", null);
    default:
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber(parser);
      return fail(parser, Number.isNaN(c) ? "unexpected end of input" : "unexpected character");
  }
}

function parseLiteral<T extends JsonValue>(parser: Parser, word: string, value: T): T {
  if (!parser.text.startsWith(word, parser.pos)) fail(parser, `expected ${word}`);
  parser.pos += word.length;
  return value;
}

function parseObject(parser: Parser, depth: number): JsonValue {
  parser.pos++;
  const result: Record<string, JsonValue> = {};
  skipWhitespace(parser);
  if (parser.text.charCodeAt(parser.pos) === 0x7d) {
    parser.pos++;
    return result;
  }
  for (;;) {
    skipWhitespace(parser);
    if (parser.text.charCodeAt(parser.pos) !== 0x22) fail(parser, "expected a string key");
    const key = parseString(parser);
    skipWhitespace(parser);
    if (parser.text.charCodeAt(parser.pos) !== 0x3a) fail(parser, "expected ':'");
    parser.pos++;
    skipWhitespace(parser);
    const value = parseValue(parser, depth + 1);
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
    skipWhitespace(parser);
    const next = parser.text.charCodeAt(parser.pos);
    parser.pos++;
    if (next === 0x2c) continue;
    if (next === 0x7d) return result;
    parser.pos--;
    fail(parser, "expected ',' or '}'");
  }
}

function parseArray(parser: Parser, depth: number): JsonValue {
  parser.pos++;
  const result: JsonValue[] = [];
  skipWhitespace(parser);
  if (parser.text.charCodeAt(parser.pos) === 0x5d) {
    parser.pos++;
    return result;
  }
  for (;;) {
    skipWhitespace(parser);
    result.push(parseValue(parser, depth + 1));
    skipWhitespace(parser);
    const next = parser.text.charCodeAt(parser.pos);
    parser.pos++;
    if (next === 0x2c) continue;
    if (next === 0x5d) return result;
    parser.pos--;
    fail(parser, "expected ',' or ']'");
  }
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function parseString(parser: Parser): string {
  const { text } = parser;
  let pos = parser.pos + 1;
  let out = "";
  let start = pos;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (Number.isNaN(c)) {
      parser.pos = pos;
      fail(parser, "unterminated string");
    }
    if (c === 0x22) {
      out += text.slice(start, pos);
      parser.pos = pos + 1;
      return out;
    }
    if (c < 0x20) {
      parser.pos = pos;
      fail(parser, "unescaped control character in string");
    }
    if (c !== 0x5c) {
      pos++;
      continue;
    }
    out += text.slice(start, pos);
    const e = text.charAt(pos + 1);
    if (e === "u") {
      const hex = text.slice(pos + 2, pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        parser.pos = pos;
        fail(parser, "bad \\u escape");
      }
      out += String.fromCharCode(Number.parseInt(hex, 16));
      pos += 6;
    } else {
      const decoded = ESCAPES[e];
      if (decoded === undefined) {
        parser.pos = pos;
        fail(parser, "bad escape");
      }
      out += decoded;
      pos += 2;
    }
    start = pos;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

function parseNumber(parser: Parser): JsonValue {
  NUMBER.lastIndex = parser.pos;
  const match = NUMBER.exec(parser.text);
  if (!match) fail(parser, "bad number");
  const literal = match[0];
  parser.pos += literal.length;
  if (match[1] !== undefined || match[2] !== undefined) return new JsonFloat(Number(literal));
  const asNumber = Number(literal);
  // "-0" is a float (negative zero) to the reference parser, as are integers beyond 64 bits.
  if (Object.is(asNumber, -0)) return new JsonFloat(-0);
  if (Number.isSafeInteger(asNumber)) return asNumber;
  const asBigInt = BigInt(literal);
  if (asBigInt >= I64_MIN && asBigInt <= U64_MAX) return asBigInt;
  return new JsonFloat(asNumber);
}
