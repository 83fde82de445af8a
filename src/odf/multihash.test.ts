import { describe, expect, test } from "vitest";
import vectors from "../../test/vectors/identity.json";
import { InvalidMultihashError, MultibaseDecodeError } from "./errors";
import { multibaseDecode, multibaseEncode, multibaseEncodeBase58, multibaseEncodeBase64Url } from "./multibase";
import {
  decodeMultihash,
  encodeMultihash,
  isMultihashString,
  LOGICAL_HASH_CODE,
  multihashToString,
  normalizeMultihashString,
  parseMultihash,
  SHA3_256_CODE,
  sha3Multihash,
  sha3MultihashString,
} from "./multihash";

const ascii = (text: string) => new TextEncoder().encode(text);

describe("multihash", () => {
  test("sha3Multihash: known answers", () => {
    expect(sha3MultihashString(ascii("prev"))).toBe(vectors.multihash["sha3-256 of ASCII 'prev'"]);
    expect(multihashToString(sha3Multihash(ascii("[]")))).toBe(vectors.multihash["sha3-256 of canonical JSON '[]'"]);
  });

  test("parseMultihash: accepts f, F, u, z forms of the same hash", () => {
    const text = vectors.multihash["sha3-256 of ASCII 'prev'"];
    const bytes = parseMultihash(text);
    expect(decodeMultihash(bytes).code).toBe(SHA3_256_CODE);
    expect(decodeMultihash(bytes).digest).toHaveLength(32);
    for (const form of [
      `F${text.slice(1).toUpperCase()}`,
      multibaseEncodeBase64Url(bytes),
      multibaseEncodeBase58(bytes),
    ]) {
      expect(normalizeMultihashString(form)).toBe(text);
    }
  });

  test("encodeMultihash: multi-byte varint codes (logical hash 0x300016)", () => {
    const mh = encodeMultihash(LOGICAL_HASH_CODE, new Uint8Array(32).fill(7));
    expect(multibaseEncode(mh.subarray(0, 5))).toBe("f9680c00120");
    expect(decodeMultihash(mh).code).toBe(LOGICAL_HASH_CODE);
  });

  test("parseMultihash: rejects bad input", () => {
    expect(() => parseMultihash("f1620abcd")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidMultihashError: Multihash digest length 2 does not match its declared length 32]`,
    );
    expect(() => parseMultihash("f16")).toThrow(InvalidMultihashError);
    expect(() => parseMultihash("f16201")).toThrowErrorMatchingInlineSnapshot(
      `[MultibaseDecodeError: Invalid base16 multibase string: "f16201"]`,
    );
    expect(() => multibaseDecode("m1234")).toThrow(MultibaseDecodeError);
    expect(() => multibaseDecode("z0OIl")).toThrow(MultibaseDecodeError);
    expect(isMultihashString("not a hash")).toBe(false);
    expect(isMultihashString(vectors.multihash["sha3-256 of ASCII 'prev'"])).toBe(true);
  });
});
