import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, test } from "vitest";
import { createSha3 } from "./sha3";

describe("createSha3", () => {
  test("createSha3: FIPS 202 SHA3-256 known answers", () => {
    expect(createSha3().digest("hex")).toBe("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    expect(createSha3().update("abc").digest("hex")).toBe(
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    );
  });
  test("createSha3: same digest as @noble/hashes for incremental input", () => {
    const data = new Uint8Array(300_001).map((_, i) => (i * 31) & 0xff);
    const h = createSha3();
    for (let i = 0; i < data.length; i += 4097) h.update(data.subarray(i, i + 4097));
    expect(h.digest("hex")).toBe(bytesToHex(sha3_256(data)));
  });
});
