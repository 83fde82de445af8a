import { createHash, type Hash } from "node:crypto";

/**
 * An incremental SHA3-256 hasher (FIPS 202). Backed by Node's OpenSSL implementation: it is the same
 * function as `@noble/hashes/sha3.js` `sha3_256` (checked in `sha3.test.ts`) but ~14x faster, which
 * matters for 100 MB slices and million-row logical hashes.
 */
export function createSha3(): Hash {
  return createHash("sha3-256");
}
