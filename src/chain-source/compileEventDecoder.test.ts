import fc from "fast-check";
import { encodeAbiParameters, encodeEventTopics, type Hex, pad, toHex } from "viem";
import { describe, expect, test } from "vitest";
import { AbiMismatch, compileEventDecoder } from "./compileEventDecoder";
import { parseEventSignature } from "./parseEventSignature";

const TRANSFER = parseEventSignature("Transfer(address indexed from, address indexed to, uint256 value)");
const FROM = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const TO = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

function transferLog(value: bigint): { topics: string[]; data: Hex } {
  const topics = encodeEventTopics({ abi: [TRANSFER], args: { from: FROM, to: TO } } as never) as string[];
  return { topics, data: encodeAbiParameters([{ type: "uint256" }], [value]) };
}

describe("compileEventDecoder", () => {
  test("decodes an ERC-20 Transfer into the staging JSON, indexed parameters first", () => {
    const { topics, data } = transferLog(1234n);
    expect(JSON.parse(compileEventDecoder(TRANSFER).decode(topics, data))).toEqual({
      from: FROM.slice(2),
      to: TO.slice(2),
      value: "1234",
    });
  });

  test("an ERC-721 Transfer (same topic0, token id indexed) is a mismatch", () => {
    const { topics } = transferLog(1n);
    const erc721 = [...topics, pad(toHex(7n))];
    expect(() => compileEventDecoder(TRANSFER).decode(erc721, "0x")).toThrow(AbiMismatch);
  });

  test("values that do not fit their type are a mismatch, not a wrong number", () => {
    const small = parseEventSignature("E(uint8 a, bool b, address c)");
    const decoder = compileEventDecoder(small);
    const topics = [decoder.selector];
    const good = encodeAbiParameters(small.inputs, [255, true, FROM]);
    expect(JSON.parse(decoder.decode(topics, good))).toEqual({ a: 255, b: true, c: FROM.slice(2) });
    const word = (n: bigint) => pad(toHex(n)).slice(2);
    expect(() => decoder.decode(topics, `0x${word(256n)}${word(1n)}${word(1n)}`)).toThrow(/does not fit uint8/);
    expect(() => decoder.decode(topics, `0x${word(1n)}${word(2n)}${word(1n)}`)).toThrow(/bool/);
    expect(() => decoder.decode(topics, `0x${word(1n)}${word(1n)}${word(2n ** 200n)}`)).toThrow(/padding/);
    expect(() => decoder.decode(topics, `0x${word(1n)}`)).toThrow(/shorter/);
  });

  test("property: agrees with viem's encoder for random integers, strings and nested arrays", () => {
    const event = parseEventSignature(
      "P(int24 indexed a, uint96 b, int256 c, string s, uint16[][] m, (int8 x, bytes y)[2] t)",
    );
    const decoder = compileEventDecoder(event);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 23n), max: 2n ** 23n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 96n - 1n }),
        fc.bigInt({ min: -(2n ** 255n), max: 2n ** 255n - 1n }),
        fc.string({ unit: "grapheme" }),
        fc.array(fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 3 }), { maxLength: 3 }),
        fc.tuple(fc.integer({ min: -128, max: 127 }), fc.uint8Array({ maxLength: 40 })),
        (a, b, c, s, m, [x, y]) => {
          const bytes = toHex(y);
          const topics = encodeEventTopics({ abi: [event], args: { a: Number(a) } } as never) as string[];
          const data = encodeAbiParameters(
            event.inputs.filter((i) => !i.indexed),
            [
              b,
              c,
              s,
              m,
              [
                { x, y: bytes },
                { x: -x - 1, y: "0x" },
              ],
            ] as never,
          );
          expect(JSON.parse(decoder.decode(topics, data))).toEqual({
            a: Number(a),
            b: String(b),
            c: String(c),
            s,
            m,
            t: [
              { x, y: bytes.slice(2) },
              { x: -x - 1, y: "" },
            ],
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
