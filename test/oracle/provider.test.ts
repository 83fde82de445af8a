import pino from "pino";
import { type Address, bytesToHex, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CborWriter } from "../../src/oracle/codec/cbor";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { datasetIdToBytes } from "../../src/oracle/codec/ids";
import type { DatasetId } from "../../src/oracle/codec/types";
import { ChainIdMismatchError } from "../../src/oracle/provider/errors";
import type { ProviderNode } from "../../src/oracle/provider/startProviderNode";
import { computeCommitment } from "../../src/query/commitment";
import type { JsonValue } from "../../src/query/jsonValue";
import { parseJson } from "../../src/query/parseJson";
import { verifyCommitmentSignature } from "../../src/query/proof";
import { startChain, type TestChain } from "../contracts/fixture";
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

describe("oracle provider against a hardhat node", () => {
  let chain: TestChain;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let oracle: Address;
  let consumer: Address;
  let reverting: Address;
  let node: ProviderNode;
  const key = hardhatKey(1);
  const address = privateKeyToAccount(key).address;
  const unknownId = `did:odf:fed01${"09".repeat(32)}` as DatasetId;

  beforeAll(async () => {
    [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
    ({ oracle, consumer, reverting } = await deployOracleFixture(chain, [address, chain.wallets[3]!.account.address]));
    node = await startTestProvider({
      rpcUrl: chain.node.url,
      oracle,
      workspaceDir: ws.workspaceDir,
      key,
      config: { limits: { maxRows: 20 } },
    });
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.node.stop();
    ws?.close();
  });

  test("provider: answers a request end to end with the dataset version read and a signed commitment", async () => {
    const [id] = await sendRequests(chain, consumer, [
      requestBytes(ws.datasetId, ws.alias, 'SELECT station, value FROM temps ORDER BY "offset"'),
    ]);
    const answers = await waitForAnswers(chain, oracle, [id!]);
    const [log] = answers.get(id!)!;
    expect(log!.provider).toBe(address);
    expect(log!.requestError).toBe(false);
    expect(log!.consumerError).toBe(false);
    const response = decodeResponse(hexToBytes(log!.response));
    expect(response).toEqual({
      ok: true,
      rows: [
        ["st0", 0],
        ["st1", 1.5],
        ["st0", 3],
        ["st1", 4.5],
        ["st0", 6],
      ],
      state: [{ datasetId: ws.datasetId, blockHash: ws.head }],
    });
    await waitFor(async () => (await node.provider.getRequest(id!))?.status === "answered", 10_000, "answered");
    const res = await fetch(`${node.url}/requests/${id}`);
    expect(res.status).toBe(200);
    const body = parseJson(await res.text()) as { [k: string]: JsonValue };
    expect(body.status).toBe("answered");
    expect(body.response).toBe(log!.response);
    const signed = body.commitment as { [k: string]: JsonValue } & {
      commitment: { inputHash: string; outputHash: string; subQueriesHash: string };
      proof: { verificationMethod: string; proofValue: string };
    };
    expect((signed.input as { datasets: JsonValue }).datasets).toEqual([
      { id: ws.datasetId, alias: "temps", blockHash: ws.head },
    ]);
    expect(computeCommitment({ input: signed.input!, output: signed.output!, subQueries: signed.subQueries! })).toEqual(
      signed.commitment,
    );
    expect(verifyCommitmentSignature(signed.commitment, signed.proof)).toBe(true);
  });

  test("provider: answers every bad request on chain with an error response and keeps going", async () => {
    const writer = () => new CborWriter();
    const idBytes = datasetIdToBytes(ws.datasetId)!;
    const bad = {
      malformedCbor: "0x9f01ff00ff" as const,
      wrongVersion: bytesToHex(writer().array(3).int(2).text("sql").text("SELECT 1").finish()),
      unknownKey: bytesToHex(writer().array(3).int(1).text("foo").text("bar").finish()),
      missingSql: bytesToHex(writer().array(4).int(1).text("ds").text("temps").bytes(idBytes).finish()),
      invalidSql: requestBytes(ws.datasetId, ws.alias, "SELEC nothing FROM"),
      refusedFunction: requestBytes(ws.datasetId, ws.alias, "SELECT random() AS r FROM temps"),
      oversized: requestBytes(ws.datasetId, ws.alias, "SELECT i FROM range(100) t(i), temps"),
      good: requestBytes(ws.datasetId, ws.alias, "SELECT count(*)::INT AS n FROM temps"),
    };
    const ids = await sendRequests(chain, consumer, Object.values(bad));
    const answers = await waitForAnswers(chain, oracle, ids);
    const messages = ids.map((id) => {
      const logs = answers.get(id)!;
      expect(logs).toHaveLength(1);
      const decoded = decodeResponse(hexToBytes(logs[0]!.response));
      expect(logs[0]!.requestError).toBe(!decoded.ok);
      return decoded.ok ? decoded.rows : decoded.errorMessage;
    });
    expect(messages).toEqual([
      expect.stringMatching(/^Invalid request: /),
      expect.stringMatching(/^Invalid request: unsupported request version 2/),
      expect.stringMatching(/^Invalid request: unknown request key "foo"/),
      expect.stringMatching(/^Invalid request: request has no sql/),
      expect.stringMatching(/^Invalid query: /),
      expect.stringMatching(/^Forbidden query: .*random/),
      "Result has more than 20 rows",
      [[5]],
    ]);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/odf_provider_requests_failed_total\{reason="decode"\} 4/);
    expect(metrics).toMatch(/odf_provider_requests_failed_total\{reason="invalid_sql"\} 1/);
    expect(metrics).toMatch(/odf_provider_requests_failed_total\{reason="forbidden"\} 1/);
    expect(metrics).toMatch(/odf_provider_requests_failed_total\{reason="too_many_rows"\} 1/);
  });

  test("provider: a reverting consumer is reported on chain and answered once", async () => {
    const [id] = await sendRequests(chain, reverting, [requestBytes(ws.datasetId, ws.alias, "SELECT 1 AS one")]);
    const answers = await waitForAnswers(chain, oracle, [id!]);
    expect(answers.get(id!)).toHaveLength(1);
    expect(answers.get(id!)![0]!.consumerError).toBe(true);
    expect(answers.get(id!)![0]!.requestError).toBe(false);
    await waitFor(async () => (await node.provider.getRequest(id!))?.status === "answered", 10_000, "answered");
  });

  test("provider: leaves unknown datasets to other providers; marks a request answered elsewhere as done", async () => {
    const [id] = await sendRequests(chain, consumer, [requestBytes(unknownId, "x", "SELECT * FROM x")]);
    await waitFor(async () => (await node.provider.getRequest(id!))?.status === "waiting", 10_000, "waiting");
    await new Promise((r) => setTimeout(r, 500));
    expect((await answerLogs(chain, oracle)).filter((l) => l.requestId === id)).toHaveLength(0);
    // Another provider answers it: ours records that and never sends.
    await chain.send(chain.wallets[3]!, oracle, "provideResult", [id, "0x8301f46378797a"], { gas: 1_000_000n });
    await waitFor(async () => (await node.provider.getRequest(id!))?.status === "answered_elsewhere", 10_000, "done");
    const rec = await node.provider.getRequest(id!);
    expect(rec?.answeredBy).toBe(chain.wallets[3]!.account.address);
    expect(rec?.nonce).toBeNull();
  });

  test("provider: a request answered by another provider in the same block is not sent", async () => {
    await chain.testClient.setAutomine(false);
    try {
      await sendRequests(chain, consumer, [requestBytes(ws.datasetId, ws.alias, "SELECT 2 AS two")], { wait: false });
      const next = (await chain.read<bigint>(oracle, "lastRequestId")) + 1n;
      await chain.wallets[3]!.writeContract({
        address: oracle,
        abi: chain.abi,
        functionName: "provideResult",
        args: [next, "0x8301f46378797a"],
        gas: 500_000n,
        chain: chain.wallets[3]!.chain,
        account: chain.wallets[3]!.account,
      });
      await chain.testClient.mine({ blocks: 1 });
      await waitFor(
        async () => (await node.provider.getRequest(next))?.status === "answered_elsewhere",
        10_000,
        "done",
      );
      await node.provider.idle();
      const logs = (await answerLogs(chain, oracle)).filter((l) => l.requestId === next);
      expect(logs.map((l) => l.provider)).toEqual([chain.wallets[3]!.account.address]);
      expect((await node.provider.getRequest(next))?.nonce).toBeNull();
    } finally {
      await chain.testClient.setAutomine(true);
    }
  });

  test("provider: answers unknown datasets with an error after the configured grace period", async () => {
    const other = await createTestWorkspace("other");
    const graceNode = await startTestProvider({
      rpcUrl: chain.node.url,
      oracle,
      workspaceDir: other.workspaceDir,
      key: hardhatKey(3),
      config: { unknownDatasetGraceSeconds: 1, startBlock: Number(await chain.publicClient.getBlockNumber()) },
    });
    try {
      const unknown2 = `did:odf:fed01${"0a".repeat(32)}` as DatasetId;
      const [id] = await sendRequests(chain, consumer, [requestBytes(unknown2, "y", "SELECT * FROM y")]);
      const answers = await waitForAnswers(chain, oracle, [id!]);
      const [log] = answers.get(id!)!;
      expect(log!.provider).toBe(chain.wallets[3]!.account.address);
      expect(decodeResponse(hexToBytes(log!.response))).toEqual({
        ok: false,
        errorMessage: `Dataset not found: ${unknown2}`,
      });
    } finally {
      await graceNode.stop();
      other.close();
    }
  });

  test("provider: a wallet without funds is reported in logs and metrics, and answers once funded", async () => {
    const other = await createTestWorkspace("funds");
    const poorKey = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const poor = privateKeyToAccount(poorKey).address;
    await chain.send(chain.wallets[0]!, oracle, "addProvider", [poor]);
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const poorNode = await startTestProvider({
      rpcUrl: chain.node.url,
      oracle,
      workspaceDir: other.workspaceDir,
      key: poorKey,
      logger,
      config: { startBlock: Number(await chain.publicClient.getBlockNumber()) },
    });
    try {
      const [id] = await sendRequests(chain, consumer, [requestBytes(other.datasetId, "funds", "SELECT 3 AS three")]);
      await waitFor(
        async () =>
          /^odf_provider_wallet_insufficient_funds 1$/m.test(await (await fetch(`${poorNode.url}/metrics`)).text()),
        10_000,
        "insufficient funds metric",
      );
      expect(lines.filter((l) => /"level":50/.test(l)).join("\n")).toMatch(/insufficient funds/);
      expect((await answerLogs(chain, oracle)).filter((l) => l.requestId === id)).toHaveLength(0);
      await chain.testClient.setBalance({ address: poor, value: 10n ** 18n });
      const answers = await waitForAnswers(chain, oracle, [id!]);
      expect(answers.get(id!)!.map((l) => l.provider)).toEqual([poor]);
      // The metric drops once the provider sees its send accepted; under automine the answer can be
      // on chain a moment before that, so wait for it rather than read it once.
      await waitFor(
        async () =>
          /^odf_provider_wallet_insufficient_funds 0$/m.test(await (await fetch(`${poorNode.url}/metrics`)).text()),
        10_000,
        "insufficient funds metric back to 0",
      );
    } finally {
      await poorNode.stop();
      other.close();
    }
  });

  test("provider: over a WebSocket RPC, new-head subscriptions wake it (not the poll interval)", async () => {
    const other = await createTestWorkspace("wsdata");
    const wsNode = await startTestProvider({
      rpcUrl: chain.node.url.replace(/^http/, "ws"),
      oracle,
      workspaceDir: other.workspaceDir,
      key: hardhatKey(3),
      // The first poll runs at start; the next is a minute away, so only a subscription can wake it.
      config: { pollIntervalMs: 60_000, startBlock: Number(await chain.publicClient.getBlockNumber()) },
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const [id] = await sendRequests(chain, consumer, [requestBytes(other.datasetId, "wsdata", "SELECT 4 AS four")]);
      const answers = await waitForAnswers(chain, oracle, [id!], 20_000);
      expect(answers.get(id!)!.map((l) => l.provider)).toEqual([chain.wallets[3]!.account.address]);
      expect(decodeResponse(hexToBytes(answers.get(id!)![0]!.response))).toMatchObject({ ok: true, rows: [[4]] });
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await wsNode.stop();
      other.close();
    }
  });

  test("provider: /health, /status and /metrics describe the node", async () => {
    const health = await fetch(`${node.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, insufficientFunds: false });
    const status = (await (await fetch(`${node.url}/status`)).json()) as { requests: Record<string, number> };
    expect(status.requests.answered).toBeGreaterThanOrEqual(10);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/odf_provider_answer_latency_seconds_count \d+/);
    expect(metrics).toMatch(/odf_provider_wallet_balance_wei \d/);
    expect(metrics).toMatch(/odf_provider_blocks_behind_head 0/);
    expect((await fetch(`${node.url}/requests/999999`)).status).toBe(404);
  });

  test("provider: refuses to start on a chain id mismatch", async () => {
    await expect(
      startTestProvider({ rpcUrl: chain.node.url, oracle, workspaceDir: ws.workspaceDir, key, config: { chainId: 1 } }),
    ).rejects.toThrowError(ChainIdMismatchError);
    await expect(
      startTestProvider({ rpcUrl: chain.node.url, oracle, workspaceDir: ws.workspaceDir, key, config: { chainId: 1 } }),
    ).rejects.toThrowError(/^Chain id mismatch: config says 1 but http:\/\/127\.0\.0\.1:\d+ serves chain 31337$/);
  });
});
