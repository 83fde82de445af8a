import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { type Address, bytesToHex, decodeEventLog, type Hex, hexToBytes, parseAbi } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { appendData } from "../../src/odf/workspace/appendData";
import { initWorkspace } from "../../src/odf/workspace/workspace";
import { encodeRequest } from "../../src/oracle/codec/encodeRequest";
import type { DatasetId } from "../../src/oracle/codec/types";
import { defaultOracleConfig } from "../../src/oracle/contracts/deployOracle";
import { type ProviderConfigInput, parseProviderConfig } from "../../src/oracle/provider/config";
import { createLocalSigner } from "../../src/oracle/provider/signer";
import { type ProviderNode, startProviderNode } from "../../src/oracle/provider/startProviderNode";
import type { TestChain } from "../contracts/fixture";

const MNEMONIC = "test test test test test test test test test test test junk";

/** Private key (hex) of hardhat default account `i`. */
export function hardhatKey(i: number): Hex {
  const key = mnemonicToAccount(MNEMONIC, { addressIndex: i }).getHdKey().privateKey;
  if (!key) throw new Error("no private key");
  return bytesToHex(key);
}

/** A workspace with one dataset `temps` of five readings (stations st0/st1, values 0, 1.5, ... 6). */
export async function createTestWorkspace(alias = "temps") {
  const dir = mkdtempSync(path.join(tmpdir(), "odf-provider-"));
  const workspace = await initWorkspace(path.join(dir, "ws"), { fsync: false });
  const dataset = await workspace.create({ alias, kind: "Root" });
  const db = await openDuckDb();
  await appendData(dataset, {
    connection: db.connection,
    source:
      "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i::BIGINT) AS event_time, 'st' || (i % 2) AS station, (i * 1.5)::DOUBLE AS value FROM range(5) t(i)",
  });
  db.close();
  const head = (await dataset.chain.head()) as string;
  return {
    dir,
    workspaceDir: workspace.dir,
    datasetId: dataset.id as DatasetId,
    alias,
    head,
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** CBOR request bytes (DESIGN 4.2) over one dataset. */
export function requestBytes(datasetId: DatasetId, alias: string, sql: string): Hex {
  return bytesToHex(encodeRequest({ datasets: [{ alias, id: datasetId }], sql }));
}

/** Deploys the oracle (owner: wallet 0) and two test consumers (the second one reverts in its callback). */
export async function deployOracleFixture(chain: TestChain, providers: readonly Address[]) {
  const owner = chain.wallets[0]!;
  const oracle = await chain.deploy(owner, "OdfOracle", [
    owner.account.address,
    owner.account.address,
    defaultOracleConfig,
  ]);
  for (const p of providers) await chain.send(owner, oracle, "addProvider", [p]);
  const consumer = await chain.deploy(owner, "TestConsumer", [oracle]);
  const reverting = await chain.deploy(owner, "TestConsumer", [oracle]);
  await chain.send(owner, reverting, "setMode", [1, "0x"]);
  return { oracle, consumer, reverting };
}

const consumerAbi = parseAbi(["function request(bytes req, uint32 callbackGasLimit) payable returns (uint64)"]);
const eventsAbi = parseAbi([
  "event SendRequest(uint64 indexed requestId, address indexed consumerAddr, bytes request)",
  "event ProvideResult(uint64 indexed requestId, address indexed consumerAddr, address indexed providerAddr, bytes response, bool requestError, bool consumerError, bytes consumerErrorData)",
]);

/** Sends requests through a consumer from wallet `from` (fixed gas: no estimation round trip). Returns their ids. */
export async function sendRequests(
  chain: TestChain,
  consumer: Address,
  requests: readonly Hex[],
  options: { from?: number; wait?: boolean } = {},
): Promise<bigint[]> {
  const wallet = chain.wallets[options.from ?? 2]!;
  const hashes: Hex[] = [];
  for (const req of requests) {
    hashes.push(
      await wallet.writeContract({
        address: consumer,
        abi: consumerAbi,
        functionName: "request",
        args: [req, 300_000],
        gas: 1_000_000n,
        chain: wallet.chain,
        account: wallet.account,
      }),
    );
  }
  if (options.wait === false) return [];
  const ids: bigint[] = [];
  for (const hash of hashes) {
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    for (const log of receipt.logs) {
      try {
        const decoded = decodeEventLog({ abi: eventsAbi, data: log.data, topics: log.topics });
        if (decoded.eventName === "SendRequest") ids.push(decoded.args.requestId);
      } catch {
        // Not an oracle event.
      }
    }
  }
  return ids;
}

/** A decoded `ProvideResult` log. */
export type AnswerLog = {
  requestId: bigint;
  provider: Address;
  response: Hex;
  requestError: boolean;
  consumerError: boolean;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** Every `ProvideResult` log of the oracle. */
export async function answerLogs(chain: TestChain, oracle: Address): Promise<AnswerLog[]> {
  const logs = await chain.publicClient.getLogs({
    address: oracle,
    event: eventsAbi[1],
    fromBlock: 0n,
    toBlock: "latest",
    strict: true,
  });
  return logs.map((l) => ({
    requestId: l.args.requestId,
    provider: l.args.providerAddr,
    response: l.args.response,
    requestError: l.args.requestError,
    consumerError: l.args.consumerError,
    blockNumber: l.blockNumber,
    transactionHash: l.transactionHash,
  }));
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = "condition") {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every id has a `ProvideResult`; returns the logs by id. */
export async function waitForAnswers(chain: TestChain, oracle: Address, ids: readonly bigint[], timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const logs = await answerLogs(chain, oracle);
      const byId = new Map<bigint, AnswerLog[]>();
      for (const l of logs) byId.set(l.requestId, [...(byId.get(l.requestId) ?? []), l]);
      return ids.every((id) => byId.has(id)) ? byId : undefined;
    },
    timeoutMs,
    `answers to ${ids.length} requests`,
  );
}

/** Starts a provider node on a test chain (HTTP on a free port, quiet logs unless ODF_TEST_LOGS is set). */
export async function startTestProvider(params: {
  rpcUrl: string;
  oracle: Address;
  workspaceDir: string;
  key: Hex;
  config?: Partial<ProviderConfigInput>;
  logger?: pino.Logger;
}): Promise<ProviderNode> {
  const config = parseProviderConfig({
    rpcUrls: [params.rpcUrl],
    chainId: 31337,
    oracleAddress: params.oracle,
    workspace: params.workspaceDir,
    pollIntervalMs: 100,
    http: { port: 0 },
    ...params.config,
  });
  return startProviderNode(config, {
    signer: createLocalSigner(params.key),
    logger: params.logger ?? pino({ level: process.env.ODF_TEST_LOGS ? "debug" : "silent" }),
    waitingRecheckMs: 300,
  });
}

export { hexToBytes };
