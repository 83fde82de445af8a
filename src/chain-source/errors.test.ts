import { expect, test } from "vitest";
import { ChainIdMismatchError } from "./errors";

test("ChainIdMismatchError: one URL is named; with fallbacks, the message does not blame the first one", () => {
  expect(new ChainIdMismatchError({ expected: 1, actual: 31337, urls: ["http://a:8545"] }).message).toBe(
    "RPC http://a:8545 serves chain 31337, but the source expects chain 1",
  );
  expect(
    new ChainIdMismatchError({ expected: 1, actual: 31337, urls: ["http://a:9999", "http://b:8545"] }).message,
  ).toBe(
    "The RPC (first to answer of http://a:9999, http://b:8545) serves chain 31337, but the source expects chain 1",
  );
});
