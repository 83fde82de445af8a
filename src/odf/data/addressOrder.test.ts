import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { orderByAddress } from "./addressOrder";

const reference = (address: readonly number[]) =>
  address.map((_, i) => i).sort((a, b) => address[a]! - address[b]! || a - b);

const order = (address: readonly number[]) => {
  const out = new Uint32Array(address.length + 3);
  const keys = new Float64Array(address.length + 3);
  return [...orderByAddress(Float64Array.from([...address, 0, 0, 0]), address.length, out, keys)];
};

describe("orderByAddress", () => {
  test("orderByAddress: close addresses (exact float keys) sort ascending, ties by index", () => {
    const base = 0x7f00_1234_5000;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 << 20 }), { maxLength: 3000 }), (deltas) => {
        const address = deltas.map((d) => base + d);
        expect(order(address)).toEqual(reference(address));
      }),
      { numRuns: 50 },
    );
  });

  test("orderByAddress: addresses spread over the whole 48-bit space use the comparator fallback", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 47 }), { minLength: 2, maxLength: 3000 }), (raw) => {
        const address = [0, 2 ** 47, ...raw]; // spread forces the fallback
        expect(order(address)).toEqual(reference(address));
      }),
      { numRuns: 50 },
    );
  });

  test("orderByAddress: empty input and short scratch arrays", () => {
    expect([...orderByAddress(new Float64Array(0), 0, new Uint32Array(0), new Float64Array(0))]).toEqual([]);
    expect(() => orderByAddress(new Float64Array(4), 4, new Uint32Array(2), new Float64Array(4))).toThrow(RangeError);
  });
});
