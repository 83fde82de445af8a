import { createPublicClient, http } from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type HardhatNode, startHardhatNode } from "./hardhatNode";

describe("harness: hardhat node", () => {
  let node: HardhatNode;
  beforeAll(async () => {
    node = await startHardhatNode();
  });
  afterAll(async () => {
    await node?.stop();
  });
  test("answers JSON-RPC with chain id 31337", async () => {
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) });
    expect(await client.getChainId()).toBe(31337);
    expect(await client.getBlockNumber()).toBe(0n);
  });
});
