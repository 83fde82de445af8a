import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainSource } from "../../src/chain-source/createChainSource";
import { createLogsDataset } from "../../src/chain-source/createLogsDataset";
import { type HardhatNode, startHardhatNode } from "../harness/hardhatNode";
import { type Chain, chainClients, DEPLOYER, deploy, queryDataset, send, tempWorkspace } from "./fixtures";

describe("chain source: ERC-20 Transfer events", () => {
  let node: HardhatNode;
  let chain: Chain;
  let token: `0x${string}`;
  beforeAll(async () => {
    node = await startHardhatNode();
    chain = chainClients(node.url);
    token = await deploy(chain, "ChainSourceToken");
    await send(chain, token, "ChainSourceToken", "mintMany", [DEPLOYER.address, 1000n, 5n]);
    await send(chain, token, "ChainSourceToken", "mint", [DEPLOYER.address, 7n]);
  });
  afterAll(async () => {
    await node?.stop();
  });

  test("pull ingests every Transfer with decoded fields and block timestamps", async () => {
    const { ws, cleanup } = await tempWorkspace();
    try {
      const dataset = await createLogsDataset(ws, {
        alias: "transfers",
        nodeUrl: node.url,
        chainId: 31337,
        addresses: [token],
        signature: "Transfer(address indexed from, address indexed to, uint256 value)",
      });
      const source = createChainSource();
      const result = await source.pull(dataset);
      expect(result.logs).toBe(6);
      expect(result.mismatched).toBe(0);
      const rows = await queryDataset(
        dataset,
        `SELECT op, block_number, log_index, lower(hex(address)) AS address, lower(hex(event."from")) AS "from",
                lower(hex(event."to")) AS "to", event.value AS value, epoch(block_timestamp) = epoch(event_time) AS ts_ok
         FROM t ORDER BY "offset"`,
      );
      expect(rows.map((r) => r.value)).toEqual(["1000", "1001", "1002", "1003", "1004", "7"]);
      expect(rows.every((r) => r.from === "0".repeat(40))).toBe(true);
      expect(rows.every((r) => r.to === DEPLOYER.address.slice(2).toLowerCase())).toBe(true);
      expect(rows.every((r) => r.address === token.slice(2).toLowerCase() && r.ts_ok === true && r.op === 0)).toBe(
        true,
      );
      const block = await chain.public.getBlock({ blockNumber: BigInt(rows[0]?.block_number as string) });
      const [ts] = await queryDataset(
        dataset,
        `SELECT epoch(block_timestamp)::BIGINT AS s FROM t ORDER BY "offset" LIMIT 1`,
      );
      expect(Number(ts?.s)).toBe(Number(block.timestamp));

      const again = await source.pull(dataset);
      expect(again.updated).toBe(false);
      expect(again.logs).toBe(0);
    } finally {
      await cleanup();
    }
  });

  test("a well-filled stage is committed while the last ranges arrive; a small pull commits once", async () => {
    const other = await deploy(chain, "ChainSourceToken");
    const first = Number(await chain.public.getBlockNumber()) + 1;
    for (let i = 0; i < 6; i++) await send(chain, other, "ChainSourceToken", "mintMany", [DEPLOYER.address, 1n, 20n]);
    const { ws, cleanup } = await tempWorkspace();
    try {
      const options = { commitRows: 160, concurrency: 2, initialRange: 2, maxRange: 2, fromBlock: first };
      const pullInto = async (alias: string, toBlock: number) => {
        const dataset = await createLogsDataset(ws, {
          alias,
          nodeUrl: node.url,
          addresses: [other],
          signature: "Transfer(address indexed from, address indexed to, uint256 value)",
        });
        const result = await createChainSource().pull(dataset, { ...options, toBlock });
        const slices = (await dataset.chain.state()).slices.map((s) => {
          const { start, end } = s.slice.offsetInterval;
          return end - start + 1;
        });
        return { result, slices };
      };
      // Three ranges of 40 logs, two in flight: when the second arrives the third is already asked
      // for, so the 80 staged rows (at least a quarter of 160) are committed before the last 40.
      const big = await pullInto("three-ranges", first + 5);
      expect(big.result.logs).toBe(120);
      expect(big.slices).toEqual([80, 40]);
      // One range (everything asked for at once): a single commit, even though it is "early".
      const small = await pullInto("one-range", first + 1);
      expect(small.result.logs).toBe(40);
      expect(small.slices).toEqual([40]);
      expect(small.result.commits).toBe(1);
    } finally {
      await cleanup();
    }
  });

  test("watch follows the head: new Transfers arrive without another pull", async () => {
    const { ws, cleanup } = await tempWorkspace();
    const controller = new AbortController();
    try {
      const dataset = await createLogsDataset(ws, {
        alias: "watched",
        nodeUrl: node.url,
        addresses: [token],
        signature: "Transfer(address indexed from, address indexed to, uint256 value)",
      });
      const pulls: number[] = [];
      const watching = createChainSource().watch(dataset, {
        signal: controller.signal,
        intervalMs: 100,
        onPull: (r) => pulls.push(r.logs),
      });
      while (pulls.length === 0) await new Promise((r) => setTimeout(r, 50));
      await send(chain, token, "ChainSourceToken", "mint", [DEPLOYER.address, 4242n]);
      for (let i = 0; i < 100; i++) {
        const rows = await queryDataset(dataset, 'SELECT event.value AS v FROM t ORDER BY "offset"');
        if (rows.some((r) => r.v === "4242")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      controller.abort();
      await watching;
      const values = (await queryDataset(dataset, `SELECT event.value AS v FROM t ORDER BY "offset"`)).map((r) => r.v);
      expect(values.slice(-1)).toEqual(["4242"]);
      expect(values.length).toBe(pulls.reduce((a, b) => a + b, 0));
    } finally {
      controller.abort();
      await cleanup();
    }
  });
});
