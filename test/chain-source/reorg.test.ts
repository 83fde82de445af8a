import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainSource } from "../../src/chain-source/createChainSource";
import { createLogsDataset } from "../../src/chain-source/createLogsDataset";
import { RpcRetryableError } from "../../src/chain-source/errors";
import type { Workspace } from "../../src/odf/workspace/workspace";
import { getFreePort, type HardhatNode, startHardhatNode } from "../harness/hardhatNode";
import { type Chain, chainClients, DEPLOYER, deploy, liveLogKeys, queryDataset, send, tempWorkspace } from "./fixtures";
import { startRpcProxy } from "./rpcProxy";

const TOKEN = "ChainSourceToken";
const TRANSFER = "Transfer(address indexed from, address indexed to, uint256 value)";

describe("chain source: reorgs, adaptive ranges, RPC fallback", () => {
  let node: HardhatNode;
  let chain: Chain;
  let token: Address;
  let ws: Workspace;
  let cleanup: () => Promise<void>;
  let n = 0;
  const source = createChainSource();
  const newDataset = (nodeUrl: string) =>
    createLogsDataset(ws, { alias: `ds${n++}`, nodeUrl, addresses: [token], signature: TRANSFER });
  const rpc = (method: string, params: unknown[] = []) =>
    chain.public.request({ method, params } as never) as Promise<unknown>;
  const mint = (amount: bigint, count = 1n) => send(chain, token, TOKEN, "mintMany", [DEPLOYER.address, amount, count]);

  beforeAll(async () => {
    node = await startHardhatNode();
    chain = chainClients(node.url);
    ({ ws, cleanup } = await tempWorkspace());
    token = await deploy(chain, TOKEN);
  });
  afterAll(async () => {
    await cleanup?.();
    await node?.stop();
  });

  test("a reorg retracts the logs of orphaned blocks, then appends the canonical ones", async () => {
    await mint(100n, 2n);
    const snapshot = (await rpc("evm_snapshot")) as string;
    const orphanBlocks = [await mint(200n, 3n), await mint(300n)];
    const dataset = await newDataset(node.url);
    const first = await source.pull(dataset);
    expect(first.logs).toBe(6);

    expect(await rpc("evm_revert", [snapshot])).toBe(true);
    const canonicalBlocks = [await mint(400n), await mint(500n, 2n), await mint(600n)];
    expect(canonicalBlocks[0]).toBe(orphanBlocks[0]);

    const second = await source.pull(dataset);
    expect(second.retracted).toBe(4);
    expect(second.logs).toBe(4);
    expect(second.reorgForkBlock).toBe((orphanBlocks[0] as number) - 1);

    // The second slice: retractions (op 1) of the orphaned logs first, then the canonical logs.
    const rows = await queryDataset(dataset, `SELECT op, event.value AS v, block_number FROM t ORDER BY "offset"`);
    expect(rows.map((r) => `${r.op}:${r.v}`)).toEqual([
      "0:100",
      "0:101",
      "0:200",
      "0:201",
      "0:202",
      "0:300",
      "1:200",
      "1:201",
      "1:202",
      "1:300",
      "0:400",
      "0:500",
      "0:501",
      "0:600",
    ]);

    // The live state equals a fresh ingest of the canonical chain.
    const fresh = await newDataset(node.url);
    await source.pull(fresh);
    expect(await liveLogKeys(dataset)).toEqual(await liveLogKeys(fresh));
    expect((await liveLogKeys(fresh)).length).toBe(6);

    // And the source state names the canonical head.
    const state = await dataset.chain.state();
    const head = await chain.public.getBlock({ blockTag: "latest" });
    expect(state.sourceStates.default?.value).toBe(`${head.number}@${head.hash.slice(2)}`);
  });

  test("a node refusing ranges over 10 blocks: ranges are split and every log is ingested", async () => {
    for (let i = 0; i < 12; i++) await mint(BigInt(1000 + i));
    const proxy = await startRpcProxy(node.url, 10);
    try {
      const viaProxy = await newDataset(proxy.url);
      const splits: number[][] = [];
      const result = await createChainSource({
        logger: { info: (obj) => splits.push([(obj as { fromBlock: number }).fromBlock]), warn: () => undefined },
      }).pull(viaProxy, { initialRange: 64, concurrency: 2 });
      expect(proxy.refused).toBeGreaterThan(0);
      expect(splits.length).toBeGreaterThan(0);
      expect(proxy.maxServedSpan).toBeLessThanOrEqual(10);
      const direct = await newDataset(node.url);
      await source.pull(direct);
      expect(result.logs).toBe((await liveLogKeys(direct)).length);
      expect(await liveLogKeys(viaProxy)).toEqual(await liveLogKeys(direct));
    } finally {
      await proxy.close();
    }
  });

  test("several RPC URLs: a dead one is skipped for the next", async () => {
    const dead = `http://127.0.0.1:${await getFreePort()}`;
    const dataset = await newDataset(dead);
    const result = await source.pull(dataset, { rpcUrls: [dead, node.url], retry: { retries: 0, baseDelayMs: 1 } });
    expect(result.logs).toBeGreaterThan(0);
    const direct = await newDataset(node.url);
    await source.pull(direct);
    expect(await liveLogKeys(dataset)).toEqual(await liveLogKeys(direct));
  });

  test("confirmations: the last blocks wait until they are deep enough", async () => {
    const dataset = await newDataset(node.url);
    const result = await source.pull(dataset, { confirmations: 3 });
    const head = Number(await chain.public.getBlockNumber({ cacheTime: 0 }));
    expect(result.toBlock).toBe(head - 3);
    const state = await dataset.chain.state();
    expect(state.sourceStates.default?.value.startsWith(`${head - 3}@`)).toBe(true);
  });

  test("an RPC failure while checking the resume point stops the pull; it is never taken for a reorg", async () => {
    await mint(700n, 2n);
    let failing = false;
    const proxy = await startRpcProxy(node.url, 1_000_000, { failHeaders: () => failing });
    try {
      const dataset = await newDataset(proxy.url);
      const first = await source.pull(dataset);
      const head = await dataset.chain.head();
      await mint(800n);
      failing = true;
      const error = await source
        .pull(dataset, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcRetryableError);
      expect((error as Error).message).toMatch(/^RPC eth_getBlockByNumber failed: /);
      expect(await dataset.chain.head()).toBe(head);
      failing = false;
      const resumed = await source.pull(dataset);
      expect([resumed.retracted, resumed.reorgForkBlock, resumed.logs]).toEqual([0, undefined, 1]);
      expect(first.logs).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
