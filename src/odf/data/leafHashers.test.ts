import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js";
import { describe, expect, test } from "vitest";
import { createLocalLeafHashers, createWorkerLeafHashers } from "./leafHashers";

const descriptors = [Uint8Array.of(1, 0, 1), Uint8Array.of(4, 0), Uint8Array.of(5, 0), Uint8Array.of(3, 0)];
/** Per leaf, the pieces fed to it (leaf 3 gets nothing: its digest is the descriptor's). */
const pieces = descriptors.map((_, leaf) =>
  leaf === 3
    ? []
    : Array.from({ length: 40 }, (_, i) =>
        Uint8Array.from({ length: 1 + ((i * 37 + leaf * 11) % 5000) }, (_, b) => b ^ i),
      ),
);
const expected = descriptors.map((d, leaf) => bytesToHex(sha3_256(concatBytes(d, ...pieces[leaf]!))));

describe("leafHashers", () => {
  test("leafHashers: local and worker hashers (1 to 3 workers) give each leaf SHA3-256(descriptor || bytes)", async () => {
    const make = [
      () => createLocalLeafHashers(descriptors),
      () => createWorkerLeafHashers(descriptors, 1),
      () => createWorkerLeafHashers(descriptors, 2),
      () => createWorkerLeafHashers(descriptors, 3),
    ];
    for (const create of make) {
      const hashers = create();
      try {
        // Interleave the leaves, half of the pieces handed over (owned), half copied.
        for (let i = 0; i < 40; i++) {
          for (let leaf = 0; leaf < descriptors.length; leaf++) {
            const piece = pieces[leaf]![i];
            if (piece === undefined) continue;
            const owned = i % 2 === 0;
            hashers.update(leaf, owned ? piece.slice() : piece, owned);
          }
          await hashers.drain();
        }
        expect((await hashers.digests()).map(bytesToHex)).toEqual(expected);
      } finally {
        hashers.close();
      }
    }
  });

  test("leafHashers: a copied update leaves the caller's buffer usable", async () => {
    const hashers = createWorkerLeafHashers(descriptors, 2);
    const reused = new Uint8Array(16).fill(7);
    hashers.update(0, reused, false);
    expect(reused.byteLength).toBe(16);
    reused.fill(9);
    hashers.update(0, reused, false);
    const digests = await hashers.digests();
    expect(bytesToHex(digests[0]!)).toBe(
      bytesToHex(sha3_256(concatBytes(descriptors[0]!, new Uint8Array(16).fill(7), new Uint8Array(16).fill(9)))),
    );
  });

  test("leafHashers: the worker count must be positive", () => {
    expect(() => createWorkerLeafHashers(descriptors, 0)).toThrow(RangeError);
  });
});
