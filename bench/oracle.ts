import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  parseAbi,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createDuckDbEngine } from "../src/engines/duckdb/createDuckDbEngine";
import { openDuckDb } from "../src/engines/duckdb/openDuckDb";
import { appendData } from "../src/odf/workspace/appendData";
import { initWorkspace, type Workspace } from "../src/odf/workspace/workspace";
import { createWorkspaceResolver } from "../src/odf/workspace/workspaceResolver";
import { encodeRequest } from "../src/oracle/codec/encodeRequest";
import type { DatasetId } from "../src/oracle/codec/types";
import { deployContract } from "../src/oracle/contracts/deployContract";
import { deployOracle } from "../src/oracle/contracts/deployOracle";
import { parseProviderConfig } from "../src/oracle/provider/config";
import { executeRequest } from "../src/oracle/provider/executeRequest";
import { loadOrCreateNodeKey } from "../src/oracle/provider/nodeKey";
import { createLocalQueryRunner } from "../src/oracle/provider/queryRunner";
import { createLocalSigner } from "../src/oracle/provider/signer";
import { type ProviderNode, startProviderNode } from "../src/oracle/provider/startProviderNode";
import { startHardhatNode } from "../test/harness/hardhatNode";
import { type Figure, percentile, report } from "./lib/report";

/**
 * Oracle provider figures on a local `hardhat node`: request-inclusion to answer-inclusion latency
 * (automine; 1-second interval mining, also in blocks), the throughput of answering a burst of 500
 * requests, and the same for a sequential one-at-a-time loop with a 1-second idle (the reference
 * provider's behaviour), measured in the same run. `npm run bench -- oracle [samples] [burst] [intervalBurst]`.
 */

const MNEMONIC = "test test test test test test test test test test test junk";
const oracleEvents = parseAbi([
  "event SendRequest(uint64 indexed requestId, address indexed consumerAddr, bytes request)",
  "event ProvideResult(uint64 indexed requestId, address indexed consumerAddr, address indexed providerAddr, bytes response, bool requestError, bool consumerError, bytes consumerErrorData)",
  "function provideResult(uint64 requestId, bytes result)",
  "function addProvider(address providerAddr)",
]);
const consumerAbi = parseAbi(["function request(bytes req, uint32 callbackGasLimit) payable returns (uint64)"]);

type Wallet = WalletClient<Transport, Chain, Account>;

function keyOf(i: number): Hex {
  const key = mnemonicToAccount(MNEMONIC, { addressIndex: i }).getHdKey().privateKey;
  return `0x${Buffer.from(key as Uint8Array).toString("hex")}`;
}

const phase = (text: string) => process.stderr.write(`oracle bench: ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(args: string[]): Promise<void> {
  const samples = Number(args[0] ?? 40);
  const burst = Number(args[1] ?? 500);
  const node = await startHardhatNode();
  const dir = mkdtempSync(path.join(tmpdir(), "odf-bench-oracle-"));
  const chain = { ...hardhat, rpcUrls: { default: { http: [node.url] } } } as Chain;
  const transport = http(node.url, { retryCount: 0 });
  const client = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 50 }) as PublicClient;
  const testClient = createTestClient({ chain, transport, mode: "hardhat" });
  const wallet = (i: number): Wallet =>
    createWalletClient({ account: privateKeyToAccount(keyOf(i)), chain, transport }) as Wallet;
  const owner = wallet(0);
  const requester = wallet(2);
  const nodes: ProviderNode[] = [];
  try {
    const makeWorkspace = async (name: string) => {
      const ws = await initWorkspace(path.join(dir, name), { fsync: false });
      const ds = await ws.create({ alias: "temps", kind: "Root" });
      const db = await openDuckDb();
      await appendData(ds, {
        connection: db.connection,
        source:
          "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i::BIGINT) AS event_time, 'st' || (i % 4) AS station, (i * 0.5)::DOUBLE AS value FROM range(1000) t(i)",
      });
      db.close();
      return { ws, id: ds.id as DatasetId };
    };
    const request = (id: DatasetId, i: number): Hex =>
      `0x${Buffer.from(
        encodeRequest({
          datasets: [{ alias: "temps", id }],
          sql: `SELECT station, avg(value) AS v, ${i} AS i FROM temps GROUP BY station ORDER BY station`,
        }),
      ).toString("hex")}`;

    const deploy = async (provider: Address) => {
      const oracle = (await deployOracle(owner, client)).address;
      const added = await owner.writeContract({
        address: oracle,
        abi: oracleEvents,
        functionName: "addProvider",
        args: [provider],
      });
      await client.waitForTransactionReceipt({ hash: added });
      const consumer = (await deployContract(owner, client, { name: "TestConsumer", args: [oracle] })).address;
      return { oracle, consumer };
    };

    const send = async (consumer: Address, req: Hex): Promise<Hex> =>
      requester.writeContract({
        address: consumer,
        abi: consumerAbi,
        functionName: "request",
        args: [req, 200_000],
        gas: 1_000_000n,
      });

    /** Answer log of a request id, polled every 5 ms; returns its block and the wall time seen. */
    const waitAnswer = async (oracle: Address, id: bigint, fromBlock: bigint) => {
      for (;;) {
        const logs = await client.getLogs({
          address: oracle,
          event: oracleEvents[1],
          args: { requestId: id },
          fromBlock,
          toBlock: "latest",
        });
        if (logs[0]) return { block: logs[0].blockNumber, at: performance.now() };
        await sleep(5);
      }
    };

    /** Sends requests one at a time; for each: inclusion → answer inclusion (ms and blocks). */
    const measureLatency = async (oracle: Address, consumer: Address, id: DatasetId, n: number, base: number) => {
      const ms: number[] = [];
      const blocks: number[] = [];
      for (let i = 0; i < n; i += 1) {
        const hash = await send(consumer, request(id, base + i));
        const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 5, timeout: 60_000 });
        const included = performance.now();
        const sent = receipt.logs.find((l) => l.address.toLowerCase() === oracle.toLowerCase());
        const requestId = BigInt(sent?.topics[1] ?? "0x0");
        const answer = await waitAnswer(oracle, requestId, receipt.blockNumber);
        ms.push(answer.at - included);
        blocks.push(Number(answer.block - receipt.blockNumber));
      }
      return { ms, blocks };
    };

    /** Sends `count` requests while nothing answers, then measures how long the answerer takes for all. */
    const measureBurst = async (
      oracle: Address,
      consumer: Address,
      id: DatasetId,
      count: number,
      startAnswerer: (fromBlock: number) => Promise<void>,
    ) => {
      const fromBlock = await client.getBlockNumber();
      let lastHash: Hex = "0x";
      for (let i = 0; i < count; i += 1) lastHash = await send(consumer, request(id, 100_000 + i));
      await client.waitForTransactionReceipt({ hash: lastHash, timeout: 120_000 });
      const started = performance.now();
      await startAnswerer(Number(fromBlock));
      // Counts answers block range by block range, so the measuring itself loads the node little.
      let answered = 0;
      let next = fromBlock;
      for (;;) {
        const head = await client.getBlockNumber();
        if (head >= next) {
          const logs = await client.getLogs({
            address: oracle,
            event: oracleEvents[1],
            fromBlock: next,
            toBlock: head,
          });
          answered += logs.length;
          next = head + 1n;
          if (answered >= count) break;
        }
        await sleep(20);
      }
      return count / ((performance.now() - started) / 1000);
    };

    const startOurs = async (key: Hex, oracle: Address, workspace: string, fromBlock: number) => {
      const config = parseProviderConfig({
        rpcUrls: [node.url],
        chainId: 31337,
        oracleAddress: oracle,
        workspace,
        startBlock: fromBlock,
        pollIntervalMs: 100,
        http: { port: 0 },
        submit: { maxInFlight: 64 },
      });
      const started = await startProviderNode(config, {
        signer: createLocalSigner(key),
        logger: pino({ level: "silent" }),
      });
      nodes.push(started);
      return started;
    };

    /** The reference behaviour: poll, answer each request in turn (send and wait), idle 1 s. */
    const startReference = (key: Hex, oracle: Address, ws: Workspace, fromBlock: number) => {
      let stop = false;
      const signerWallet = createWalletClient({ account: privateKeyToAccount(key), chain, transport }) as Wallet;
      const done = (async () => {
        const engine = await createDuckDbEngine({ resolver: createWorkspaceResolver(ws) });
        const runner = createLocalQueryRunner({
          engine,
          nodeKey: loadOrCreateNodeKey(path.join(ws.dir, "ref.key")),
          maxResultBytes: 65_536,
          timeoutMs: 10_000,
        });
        let next = BigInt(fromBlock);
        while (!stop) {
          const head = await client.getBlockNumber();
          if (head >= next) {
            const logs = await client.getLogs({
              address: oracle,
              event: oracleEvents[0],
              fromBlock: next,
              toBlock: head,
            });
            for (const log of logs) {
              const outcome = await executeRequest(
                { runner, maxRows: 1000, maxResultBytes: 65_536 },
                log.args.request as Hex,
              );
              if (outcome.kind !== "answer") continue;
              const hash = await signerWallet.writeContract({
                address: oracle,
                abi: oracleEvents,
                functionName: "provideResult",
                args: [log.args.requestId as bigint, `0x${Buffer.from(outcome.response).toString("hex")}`],
                gas: 3_000_000n,
              });
              await client.waitForTransactionReceipt({ hash, pollingInterval: 5, timeout: 60_000 });
            }
            next = head + 1n;
          }
          await sleep(1000);
        }
        await engine.close();
      })();
      return {
        stop: async () => {
          stop = true;
          await done;
        },
      };
    };

    // `evm_setIntervalMining` produces no blocks on this hardhat node, so the bench mines every
    // second itself (automine off): the same chain behaviour as 1-second interval mining.
    let miner: NodeJS.Timeout | undefined;
    const intervalMining = async (on: boolean) => {
      if (on) {
        await testClient.setAutomine(false);
        miner = setInterval(() => void testClient.mine({ blocks: 1 }).catch(() => undefined), 1000);
      } else {
        clearInterval(miner);
        await testClient.setAutomine(true);
      }
    };
    const oursKey = keyOf(1);
    const refKey = keyOf(3);
    const oursAddress = privateKeyToAccount(oursKey).address;
    const refAddress = privateKeyToAccount(refKey).address;
    const now = async () => Number(await client.getBlockNumber());
    const intervalSamples = Math.max(5, Math.floor(samples / 4));
    const intervalBurst = Number(args[2] ?? 30);

    // Ours: automine latency, burst throughput, interval-mining latency.
    const wsA = await makeWorkspace("ours-latency");
    const a = await deploy(oursAddress);
    let ours = await startOurs(oursKey, a.oracle, wsA.ws.dir, await now());
    phase("ours, automine latency");
    const oursLatency = await measureLatency(a.oracle, a.consumer, wsA.id, samples, 0);
    await intervalMining(true);
    phase("ours, interval mining latency");
    const oursInterval = await measureLatency(a.oracle, a.consumer, wsA.id, intervalSamples, 10_000);
    await intervalMining(false);
    await ours.stop();
    const wsB = await makeWorkspace("ours-burst");
    const b = await deploy(oursAddress);
    phase("ours, burst");
    const oursRps = await measureBurst(b.oracle, b.consumer, wsB.id, burst, async (from) => {
      ours = await startOurs(oursKey, b.oracle, wsB.ws.dir, from);
    });
    await ours.stop();
    phase("ours, burst under 1 s mining");
    const wsI = await makeWorkspace("ours-interval-burst");
    const oi = await deploy(oursAddress);
    await intervalMining(true);
    const oursIntervalRps = await measureBurst(oi.oracle, oi.consumer, wsI.id, intervalBurst, async (from) => {
      ours = await startOurs(oursKey, oi.oracle, wsI.ws.dir, from);
    });
    await intervalMining(false);
    await ours.stop();

    // Reference: sequential, one at a time, 1 s idle between polls.
    const wsC = await makeWorkspace("reference");
    const c = await deploy(refAddress);
    let ref = startReference(refKey, c.oracle, wsC.ws, await now());
    phase("reference, automine latency");
    const refLatency = await measureLatency(c.oracle, c.consumer, wsC.id, Math.min(samples, 20), 20_000);
    await intervalMining(true);
    phase("reference, interval mining latency");
    const refInterval = await measureLatency(c.oracle, c.consumer, wsC.id, intervalSamples, 30_000);
    await intervalMining(false);
    await ref.stop();
    const d = await deploy(refAddress);
    phase("reference, burst");
    const refRps = await measureBurst(d.oracle, d.consumer, wsC.id, burst, async (from) => {
      ref = startReference(refKey, d.oracle, wsC.ws, from);
    });
    await ref.stop();
    phase("reference, burst under 1 s mining");
    const ri = await deploy(refAddress);
    await intervalMining(true);
    const refIntervalRps = await measureBurst(ri.oracle, ri.consumer, wsC.id, intervalBurst, async (from) => {
      ref = startReference(refKey, ri.oracle, wsC.ws, from);
    });
    await intervalMining(false);
    await ref.stop();

    const p50 = (xs: number[]) => percentile(xs, 50);
    const figures: Figure[] = [
      { name: "latencyP50Ms", value: p50(oursLatency.ms), unit: "ms", note: `automine, ${samples} requests` },
      { name: "latencyP99Ms", value: percentile(oursLatency.ms, 99), unit: "ms", note: "automine" },
      { name: "throughputRps", value: oursRps, unit: "req/s", note: `burst of ${burst}, automine` },
      { name: "intervalLatencyP50Ms", value: p50(oursInterval.ms), unit: "ms", note: "1 s interval mining" },
      { name: "latencyBlocksP50", value: p50(oursInterval.blocks), unit: "blocks", note: "1 s interval mining" },
      {
        name: "latencyBlocksMax",
        value: Math.max(...oursInterval.blocks),
        unit: "blocks",
        note: "1 s interval mining",
      },
      { name: "referenceLatencyP50Ms", value: p50(refLatency.ms), unit: "ms", note: "sequential loop, automine" },
      { name: "referenceLatencyP99Ms", value: percentile(refLatency.ms, 99), unit: "ms", note: "sequential loop" },
      { name: "referenceThroughputRps", value: refRps, unit: "req/s", note: `sequential loop, burst of ${burst}` },
      { name: "referenceLatencyBlocksP50", value: p50(refInterval.blocks), unit: "blocks", note: "sequential loop" },
      {
        name: "intervalThroughputRps",
        value: oursIntervalRps,
        unit: "req/s",
        note: `burst of ${intervalBurst}, 1 s mining`,
      },
      {
        name: "referenceIntervalThroughputRps",
        value: refIntervalRps,
        unit: "req/s",
        note: `sequential loop, burst of ${intervalBurst}, 1 s mining`,
      },
      { name: "throughputRatio", value: oursRps / refRps, unit: "x", note: "ours / reference, automine" },
      {
        name: "intervalThroughputRatio",
        value: oursIntervalRps / refIntervalRps,
        unit: "x",
        note: "ours / reference, 1 s mining",
      },
      { name: "latencyP50Ratio", value: p50(refLatency.ms) / p50(oursLatency.ms), unit: "x", note: "reference / ours" },
    ];
    report("oracle", figures, { pollIntervalMs: 100, samples, burst, intervalBurst });
  } finally {
    for (const n of nodes) await n.stop().catch(() => undefined);
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
