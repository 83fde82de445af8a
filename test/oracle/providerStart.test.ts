import { existsSync, rmSync } from "node:fs";
import pino from "pino";
import { type Address, bytesToHex, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { ChainResetError, JournalError, OracleNotDeployedError } from "../../src/oracle/provider/errors";
import { journalPath, type ProviderNode } from "../../src/oracle/provider/startProviderNode";
import { startChain, type TestChain } from "../contracts/fixture";
import { startHardhatNode } from "../harness/hardhatNode";
import {
  createTestWorkspace,
  deployOracleFixture,
  hardhatKey,
  requestBytes,
  sendRequests,
  startTestProvider,
  waitFor,
  waitForAnswers,
} from "./providerFixture";

/** Start-up checks of the provider (oracle code, journal binding, reset chains) and what it logs and exports. */
describe("oracle provider start-up checks, logs and metrics", () => {
  let chain: TestChain;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let oracle: Address;
  let consumer: Address;
  const key = hardhatKey(1);
  const address = privateKeyToAccount(key).address;

  beforeAll(async () => {
    [chain, ws] = await Promise.all([startChain(), createTestWorkspace()]);
    ({ oracle, consumer } = await deployOracleFixture(chain, [address]));
  });
  afterAll(async () => {
    await chain?.node.stop();
    ws?.close();
  });

  const start = (params: { oracle?: Address; key?: `0x${string}`; logger?: pino.Logger } = {}) =>
    startTestProvider({
      rpcUrl: chain.node.url,
      oracle: params.oracle ?? oracle,
      workspaceDir: ws.workspaceDir,
      key: params.key ?? key,
      ...(params.logger ? { logger: params.logger } : {}),
    });

  test("provider: refuses an oracleAddress without contract code, before binding the journal to it", async () => {
    const nowhere = "0x0000000000000000000000000000000000000001";
    const error = await start({ oracle: nowhere }).catch((e) => e);
    expect(error).toBeInstanceOf(OracleNotDeployedError);
    expect(error.message).toBe(`No contract at oracleAddress ${nowhere} on chain 31337 (${chain.node.url})`);
    // The journal was not bound to the wrong address: the right one starts.
    const node = await start();
    await node.stop();
    // A journal bound to another oracle names the file to remove.
    const mismatch = await start({ oracle: consumer }).catch((e) => e);
    expect(mismatch).toBeInstanceOf(JournalError);
    const file = journalPath(ws.workspaceDir);
    expect(mismatch.message).toBe(
      `Provider journal: ${file} belongs to oracle ${oracle.toLowerCase()}, not ${consumer.toLowerCase()}`,
    );
    expect(mismatch.hints).toEqual([
      `Use another workspace to serve another chain or oracle, or remove ${file} to start a fresh journal.`,
    ]);
  });

  test("provider: logs 'answer sent' only once the node accepted the transaction; exports the balance in ether", async () => {
    const other = await createTestWorkspace("funds");
    const poorKey = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const poor = privateKeyToAccount(poorKey).address;
    await chain.send(chain.wallets[0]!, oracle, "addProvider", [poor]);
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const node = await startTestProvider({
      rpcUrl: chain.node.url,
      oracle,
      workspaceDir: other.workspaceDir,
      key: poorKey,
      logger,
      config: { startBlock: Number(await chain.publicClient.getBlockNumber()) },
    });
    try {
      const [id] = await sendRequests(chain, consumer, [requestBytes(other.datasetId, "funds", "SELECT 3 AS three")]);
      await waitFor(async () => lines.some((l) => l.includes("insufficient funds")), 10_000, "insufficient funds log");
      await new Promise((r) => setTimeout(r, 500));
      expect(lines.filter((l) => l.includes('"msg":"answer sent"'))).toEqual([]);
      await chain.testClient.setBalance({ address: poor, value: 10n ** 18n });
      const answers = await waitForAnswers(chain, oracle, [id!]);
      const sent = await waitFor(async () => lines.find((l) => l.includes('"msg":"answer sent"')), 10_000, "sent log");
      expect(JSON.parse(sent)).toMatchObject({
        nonce: 0,
        tx: answers.get(id!)![0]!.transactionHash,
        requestIds: [String(id)],
      });
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${node.url}/metrics`)).text();
        return /^odf_provider_wallet_balance_eth 0\.99\d+$/m.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(/^odf_provider_wallet_balance_wei 99\d+$/m);
    } finally {
      await node.stop();
      other.close();
    }
  });

  test("provider: after the chain is reset (same genesis, or a restarted node), refuses the old journal and names it; a fresh journal answers", async () => {
    const file = journalPath(ws.workspaceDir);
    let node: ProviderNode = await start();
    const [first] = await sendRequests(chain, consumer, [requestBytes(ws.datasetId, ws.alias, "SELECT 1 AS one")]);
    await waitForAnswers(chain, oracle, [first!]);
    await waitFor(async () => (await node.provider.getRequest(first!))?.status === "answered", 10_000, "answered");
    await node.provider.idle();
    await node.stop();

    // hardhat_reset: a fresh state with the same genesis block; the journal's mined nonces are gone.
    await chain.testClient.request({ method: "hardhat_reset", params: [] } as never);
    expect((await deployOracleFixture(chain, [address])).oracle).toBe(oracle);
    const lost = await start().catch((e) => e);
    expect(lost).toBeInstanceOf(ChainResetError);
    expect(lost.message).toMatch(
      new RegExp(
        `^Provider journal: ${file} saw transaction nonce \\d+ of ${address} mined, but the chain's nonce of ${address} is 0 \\(the chain was reset\\)$`,
      ),
    );

    // A restarted node: another genesis block.
    await chain.node.stop();
    chain.node = await startHardhatNode({ port: chain.node.port });
    expect((await deployOracleFixture(chain, [address])).oracle).toBe(oracle);
    const reset = await start().catch((e) => e);
    expect(reset).toBeInstanceOf(ChainResetError);
    expect(reset.message).toMatch(
      new RegExp(
        `^Provider journal: ${file} was written on chain 31337 with genesis block 0x[0-9a-f]{64}, but the chain now has genesis block 0x[0-9a-f]{64} \\(the chain was reset\\)$`,
      ),
    );
    expect(reset.hints).toEqual([
      `Remove ${file} to start a fresh journal on the new chain (the old chain's requests and transactions are gone with it), or use another workspace.`,
    ]);

    // Doing what the hint says: the provider answers on the new chain.
    rmSync(file);
    expect(existsSync(file)).toBe(false);
    node = await start();
    try {
      const [id] = await sendRequests(chain, consumer, [requestBytes(ws.datasetId, ws.alias, "SELECT 2 AS two")]);
      const answers = await waitForAnswers(chain, oracle, [id!]);
      expect(decodeResponse(hexToBytes(answers.get(id!)![0]!.response))).toMatchObject({ ok: true, rows: [[2]] });
    } finally {
      await node.stop();
    }
  });

  test("provider: a chain reset under a running provider stops it answering, logged, with /health failing", async () => {
    const lines: string[] = [];
    const node = await start({ logger: pino({ level: "info" }, { write: (line: string) => lines.push(line) }) });
    try {
      const [id] = await sendRequests(chain, consumer, [requestBytes(ws.datasetId, ws.alias, "SELECT 3 AS three")]);
      await waitForAnswers(chain, oracle, [id!]);
      await waitFor(async () => (await fetch(`${node.url}/health`)).status === 200, 10_000, "healthy");
      await chain.node.stop();
      chain.node = await startHardhatNode({ port: chain.node.port });
      const line = await waitFor(
        async () => lines.find((l) => l.includes("the chain was reset under the provider")),
        20_000,
        "chain reset log",
      );
      expect(JSON.parse(line)).toMatchObject({
        level: 50,
        error: expect.stringMatching(/^Provider journal: .* \(the chain was reset\)$/),
      });
      expect((await fetch(`${node.url}/health`)).status).toBe(503);
    } finally {
      await node.stop();
    }
  });
});
