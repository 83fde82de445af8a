import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson, compareUtf8, escapeString, formatFloat } from "./canonicalJson";
import { sha3Multihash } from "./commitment";
import { InvalidJsonError } from "./errors";
import { JsonFloat } from "./jsonValue";
import { parseJson } from "./parseJson";
import { stringifyJson } from "./stringifyJson";

type Vector = { input: string; canonical: string; sha3Multihash?: string };
const vectors = JSON.parse(readFileSync(path.join(__dirname, "../../test/vectors/canonical-json.json"), "utf8")) as {
  cases: Vector[];
};

describe("canonicalJson: known-answer vectors", () => {
  for (const vector of vectors.cases) {
    test(`canonicalJson: ${vector.input}`, () => {
      const value = parseJson(vector.input);
      expect(canonicalJson(value)).toBe(vector.canonical);
      if (vector.sha3Multihash) expect(sha3Multihash(value)).toBe(vector.sha3Multihash);
    });
  }
});

describe("canonicalJson: numbers", () => {
  test("canonicalJson: keeps the int/float kind of the source text", () => {
    expect(canonicalJson(parseJson("[1,1.0,-2,-2.5,1e2,0,0.0,-0,10000000000000000000]"))).toBe(
      "[1,1E0,-2,-2.5E0,1E2,0,0E0,-0E0,10000000000000000000]",
    );
  });

  test("canonicalJson: integers beyond uint64 become floats, as the reference parser does", () => {
    expect(canonicalJson(parseJson("123456789012345678901234"))).toBe("1.2345678901234569E23");
    expect(canonicalJson(parseJson("-9223372036854775808"))).toBe("-9223372036854775808");
  });

  test("canonicalJson: non-finite floats print as null", () => {
    expect(canonicalJson([new JsonFloat(Number.NaN), new JsonFloat(Number.POSITIVE_INFINITY)])).toBe("[null,null]");
  });

  test("formatFloat: shape d.dddE<exp> and round trip (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatFloat(x);
        expect(text).toMatch(/^-?[1-9](\.[0-9]*[1-9])?E-?(0|[1-9][0-9]*)$|^-?0E0$/);
        expect(Object.is(Number(text), x)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("stringifyJson: indent lays out as JSON.stringify does, floats still keep a fraction", () => {
    const value = { a: [], b: {}, c: [1, { d: "x", e: null }], f: true };
    expect(stringifyJson(value, 2)).toBe(JSON.stringify(value, null, 2));
    expect(stringifyJson({ x: [new JsonFloat(2)], n: 10n ** 20n }, 1)).toBe(
      '{\n "x": [\n  2.0\n ],\n "n": 100000000000000000000\n}',
    );
  });

  test("stringifyJson then parseJson keeps every value and its canonical form (property)", () => {
    const leaf = fc.oneof(
      fc.integer(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => new JsonFloat(x)),
      fc.string({ unit: "binary" }),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node")), fc.dictionary(fc.string(), tie("node"))),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        const reparsed = parseJson(stringifyJson(value as never));
        expect(canonicalJson(reparsed)).toBe(canonicalJson(value as never));
      }),
      { numRuns: 100 },
    );
  });
});

describe("canonicalJson: strings", () => {
  test("escapeString: short escapes, \\u for controls, DEL and non-ASCII; / and ' as they are", () => {
    expect(escapeString("\"\\\n\t\r\b\f\u0000\u001f\u007f/'é😀")).toBe(
      '"\\"\\\\\\n\\t\\r\\b\\f\\u0000\\u001f\\u007f/\'\\u00e9\\ud83d\\ude00"',
    );
  });

  test("escapeString: output is printable ASCII that JSON.parse reads back to the input (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const quoted = escapeString(s);
        expect(quoted).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(quoted)).toBe(s);
        expect(parseJson(quoted)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  test("compareUtf8: orders like the UTF-8 bytes (property)", () => {
    fc.assert(
      // "binary" units are whole code points (no lone surrogates, which UTF-8 cannot encode).
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
        expect(Math.sign(compareUtf8(a, b))).toBe(bytes);
      }),
      { numRuns: 300 },
    );
  });

  test("canonicalJson: sorts keys by UTF-8 bytes, not UTF-16 units", () => {
    expect(canonicalJson({ "\u{1f600}": 1, "\uffff": 2, b: 3, a: 4 })).toBe(
      '{"a":4,"b":3,"\\uffff":2,"\\ud83d\\ude00":1}',
    );
  });
});

describe("parseJson: errors", () => {
  test.each([["{"], ["[1,]"], ['{"a" 1}'], ["01"], ['"\\x"'], ["1 2"], ["nul"], ['"a\nb"']])(
    "parseJson: rejects %j",
    (text) => {
      expect(() => parseJson(text)).toThrow(InvalidJsonError);
    },
  );

  test("parseJson: names the offset", () => {
    expect(() => parseJson("[1,}")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidJsonError: Invalid JSON at offset 3: unexpected character]`,
    );
  });

  test("parseJson: __proto__ is an ordinary key", () => {
    const value = parseJson('{"__proto__":1}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(canonicalJson(value as never)).toBe('{"__proto__":1}');
  });
});
