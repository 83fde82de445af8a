import { describe, expect, test } from "vitest";
import { EventSignatureError } from "./errors";
import { parseEventSignature } from "./parseEventSignature";

const details = (signature: string) => {
  try {
    parseEventSignature(signature);
  } catch (error) {
    expect(error).toBeInstanceOf(EventSignatureError);
    return (error as EventSignatureError).details;
  }
  throw new Error("accepted");
};

describe("parseEventSignature", () => {
  test("reads a signature with or without `event`, tuples inline", () => {
    const event = parseEventSignature("event Swap(address indexed who, (uint256 a, bytes b) leg)");
    expect(event.name).toBe("Swap");
    expect(event.inputs.map((p) => p.name)).toEqual(["who", "leg"]);
    expect(
      parseEventSignature("Transfer(address indexed from, address indexed to, uint256 value)").inputs,
    ).toHaveLength(3);
  });

  test("refuses what could never match or decode a log: 4 indexed parameters, a repeated name", () => {
    expect(details("Foo(uint256 indexed a, uint256 indexed b, uint256 indexed c, uint256 indexed d)")).toBe(
      "an event has at most 3 indexed parameters",
    );
    expect(details("Transfer(address indexed from, address indexed from, uint256 value)")).toBe(
      'two parameters are named "from"',
    );
    expect(details("Foo(uint256 Amount, uint256 amount)")).toBe('two parameters are named "amount"');
    expect(details("Foo((uint256 x, uint256 x) pair)")).toBe('two parameters are named "x"');
  });
});
