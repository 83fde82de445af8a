import { encodeAbiParameters, encodeEventTopics, type Hex, type Log, toFunctionSelector } from "viem";
import { expect, test } from "vitest";
import { resultSkippedEvent } from "./abi";
import { decodeAnswerBatch, encodeAnswerBatch, encodeAnswerCall, skippedRequests } from "./answerCalldata";

const sig = (b: string) => `0x${b.repeat(65)}` as Hex;

test("answerCalldata: single answers pick their function; a batch decodes back to its answers", () => {
  const signed = encodeAnswerCall({ requestId: 7n, response: "0x850102", signature: sig("ab") });
  const plain = encodeAnswerCall({ requestId: 7n, response: "0x850102", signature: undefined });
  expect(signed.slice(0, 10)).toBe(toFunctionSelector("provideSignedResult(uint64,bytes,bytes)"));
  expect(plain.slice(0, 10)).toBe(toFunctionSelector("provideResult(uint64,bytes)"));
  const items = [
    { requestId: 1n, response: "0x8501f5" as Hex, signature: sig("01") },
    { requestId: 2n ** 64n - 1n, response: "0x" as Hex, signature: sig("02") },
  ];
  const batch = encodeAnswerBatch(items);
  expect(batch.slice(0, 10)).toBe(toFunctionSelector("provideSignedResults((uint64,bytes,bytes)[])"));
  expect(decodeAnswerBatch(batch)).toEqual(items);
  expect(decodeAnswerBatch(signed)).toBeUndefined();
  expect(decodeAnswerBatch("0x")).toBeUndefined();
});

test("answerCalldata: skippedRequests reads the oracle's ResultSkipped logs only", () => {
  const oracle = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const log = (address: string, requestId: bigint, expired: boolean) =>
    ({
      address,
      topics: encodeEventTopics({ abi: [resultSkippedEvent], eventName: "ResultSkipped", args: { requestId } }),
      data: encodeAbiParameters([{ type: "bool" }], [expired]),
    }) as unknown as Log;
  const logs = [
    log(oracle.toLowerCase(), 3n, false),
    log("0x0000000000000000000000000000000000000001", 4n, false),
    log(oracle, 9n, true),
  ];
  expect(skippedRequests(logs, oracle)).toEqual([3n, 9n]);
});
