import { describe, expect, test } from "vitest";
import { FilterPushDownError } from "./errors";
import { parseLogFilter } from "./parseLogFilter";

const A = "5fbdb2315678afecb367f032d93f642f64180aa3";
const B = "e7f1725e7734ce288f8367e1bb143e90bb3f0512";
const T = "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const U = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

function refused(filter: string): FilterPushDownError {
  try {
    parseLogFilter(filter);
  } catch (error) {
    if (error instanceof FilterPushDownError) return error;
    throw error;
  }
  throw new Error(`filter was accepted: ${filter}`);
}

describe("parseLogFilter", () => {
  test("empty filter selects everything", () => {
    expect(parseLogFilter(undefined)).toEqual({ topics: [] });
    expect(parseLogFilter("  ")).toEqual({ topics: [] });
  });

  test("address equality", () => {
    expect(parseLogFilter(`address = X'${A}'`)).toEqual({ topics: [], addresses: [`0x${A}`] });
  });

  test("topic equality, case-insensitive keywords and hex", () => {
    expect(parseLogFilter(`TOPIC1 = x'${T.toUpperCase()}'`)).toEqual({ topics: [undefined, [`0x${T}`]] });
  });

  test("OR-chain and IN list on one column", () => {
    expect(parseLogFilter(`(address = X'${A}' OR address = X'${B}')`).addresses).toEqual([`0x${A}`, `0x${B}`]);
    expect(parseLogFilter(`address IN (X'${A}', X'${B}')`).addresses).toEqual([`0x${A}`, `0x${B}`]);
    expect(parseLogFilter(`topic0 = X'${U}' or topic0 = X'${T}'`).topics[0]).toEqual([`0x${U}`, `0x${T}`]);
  });

  test("block_number comparisons", () => {
    expect(parseLogFilter("block_number > 123")).toEqual({ topics: [], fromBlock: 124 });
    expect(parseLogFilter("block_number >= 5 and block_number < 10")).toEqual({ topics: [], fromBlock: 5, toBlock: 9 });
    expect(parseLogFilter("block_number <= 7")).toEqual({ topics: [], toBlock: 7 });
    expect(parseLogFilter("block_number = 7")).toEqual({ topics: [], fromBlock: 7, toBlock: 7 });
    expect(parseLogFilter("block_number BETWEEN 3 AND 8")).toEqual({ topics: [], fromBlock: 3, toBlock: 8 });
  });

  test("the spec's example: AND of everything", () => {
    expect(parseLogFilter(`block_number > 123 and address = X'${A}' and topic1 = X'${T}'`)).toEqual({
      topics: [undefined, [`0x${T}`]],
      addresses: [`0x${A}`],
      fromBlock: 124,
    });
  });

  test("refuses an OR across columns, naming the part", () => {
    const error = refused(`block_number > 1 AND (address = X'${A}' OR topic1 = X'${T}')`);
    expect(error.part).toBe(`(address = X'${A}' OR topic1 = X'${T}')`);
    expect(error.shortMessage).toMatch(/cannot be pushed down to eth_getLogs: an OR-chain must compare one column/);
  });

  test("refuses other columns, functions, negations, inequalities and bad widths", () => {
    expect(refused("data = X'00'").shortMessage).toContain(
      "column data is not one of address, topic0..topic3, block_number",
    );
    expect(refused("length(data) > 3").part).toBe("length(data) > 3");
    expect(refused(`NOT address = X'${A}'`).shortMessage).toContain("negations");
    expect(refused("block_number <> 3").shortMessage).toContain("!= is not one");
    expect(refused(`address > X'${A}'`).shortMessage).toContain("address supports equality (=) only");
    expect(refused("address = X'00'").shortMessage).toContain("20 bytes");
    expect(refused("block_number > 10 and block_number < 5").shortMessage).toContain("empty range");
    expect(refused(`address = X'${A}' and address = X'${B}'`).shortMessage).toContain("contradicts");
  });
});
