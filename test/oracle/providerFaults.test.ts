import { type Hex, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { startChain, type TestChain } from "../contracts/fixture";
import { startFaultyRpcProxy } from "../harness/faultyRpcProxy";
import {
  answerLogs,
  createTestWorkspace,
  deployOracleFixture,
  hardhatKey,
  requestBytes,
  sendRequests,
  startTestProvider,
  waitFor,
  waitForAnswers,
} from "./providerFixture";

describe("oracle provider under faults", () => {
  let chain: TestChain;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  const key = hardhatKey(1);
  const address = privateKeyToAccount(key).address;

  beforeAll(async () => {
    [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
  });
  afterAll(async () => {
    await chain?.node.stop();
    ws?.close();
  });

  test("provider: behind an RPC proxy that drops 20% of calls and delays the rest, answers every request once", async () => {
    const { oracle, consumer } = await deployOracleFixture(chain, [address]);
    const proxy = await startFaultyRpcProxy({ target: chain.node.url, dropRate: 0.2, maxDelayMs: 150 });
    const node = await startTestProvider({
      rpcUrl: proxy.url,
      oracle,
      workspaceDir: ws.workspaceDir,
      key,
      config: { submit: { stuckAfterMs: 3000 } },
    });
    try {
      const requests = Array.from({ length: 20 }, (_, i) =>
        requestBytes(ws.datasetId, ws.alias, `SELECT ${i} AS i, count(*)::INT AS n FROM temps`),
      );
      const ids = await sendRequests(chain, consumer, requests);
      const answers = await waitForAnswers(chain, oracle, ids, 90_000);
      ids.forEach((id, i) => {
        const logs = answers.get(id)!;
        expect(logs, `request ${id}`).toHaveLength(1);
        expect(logs[0]!.provider).toBe(address);
        expect(decodeResponse(hexToBytes(logs[0]!.response))).toMatchObject({ ok: true, rows: [[i, 5]] });
      });
      expect(proxy.dropped).toBeGreaterThan(5);
      // Settle: no late duplicate shows up once the provider is idle.
      await node.provider.idle();
      const all = await answerLogs(chain, oracle);
      expect(all).toHaveLength(ids.length);
    } finally {
      await node.stop();
      await proxy.close();
    }
  });

  test("provider: a reorg (evm_snapshot/evm_revert) that removes an answered request and re-includes another with its id", async () => {
    const { oracle, consumer } = await deployOracleFixture(chain, [address]);
    const own = await createTestWorkspace();
    const node = await startTestProvider({
      rpcUrl: chain.node.url,
      oracle,
      workspaceDir: own.workspaceDir,
      key,
      config: { startBlock: Number(await chain.publicClient.getBlockNumber()) },
    });
    try {
      const snapshot = await chain.testClient.snapshot();
      const x: Hex = requestBytes(own.datasetId, own.alias, "SELECT 'x' AS v");
      const [idX] = await sendRequests(chain, consumer, [x]);
      await waitFor(async () => (await node.provider.getRequest(idX!))?.status === "answered", 15_000, "answer to x");
      expect((await answerLogs(chain, oracle)).map((l) => l.requestId)).toEqual([idX]);

      await chain.testClient.revert({ id: snapshot });
      await waitFor(async () => (await node.provider.getRequest(idX!))?.status === "dropped", 15_000, "x dropped");
      const y: Hex = requestBytes(own.datasetId, own.alias, "SELECT 'y' AS v");
      const [idY] = await sendRequests(chain, consumer, [y]);
      expect(idY).toBe(idX);
      const answers = await waitForAnswers(chain, oracle, [idY!], 30_000);
      await waitFor(async () => (await node.provider.getRequest(idY!))?.status === "answered", 15_000, "answer to y");
      await node.provider.idle();
      const logs = answers.get(idY!)!;
      expect(logs).toHaveLength(1);
      expect(decodeResponse(hexToBytes(logs[0]!.response))).toMatchObject({ ok: true, rows: [["y"]] });
      expect((await node.provider.getRequest(idY!))?.request).toBe(y);
      const metrics = await (await fetch(`${node.url}/metrics`)).text();
      expect(metrics).toMatch(/^odf_provider_reorg_dropped_requests_total 1$/m);
      expect(await answerLogs(chain, oracle)).toHaveLength(1);
    } finally {
      await node.stop();
      own.close();
    }
  });
});
