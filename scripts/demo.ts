/**
 * `npm run demo`: the whole system in one command, on a `hardhat node` it starts and stops itself.
 * Deploys the oracle and an example consumer, builds three datasets (EVM logs of a demo token, a
 * bundled CSV, a derivative over both), answers a consumer request with a provider, replays the
 * answer (MATCH); then a dishonest provider answers from a tampered copy, the watchtower disputes
 * it, the arbiter upholds and the stake is slashed.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  formatEther,
  type Hex,
  http,
  type PublicClient,
  parseAbi,
  parseEther,
  parseEventLogs,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { main } from "../src/cli/main";
import type { Output } from "../src/cli/output";
import { disputeOracleAbi } from "../src/dispute/abi";
import { formatVerdict } from "../src/dispute/formatVerdict";
import { openReplayer } from "../src/dispute/openReplayer";
import { createWatchtower } from "../src/dispute/watchtower";
import { openWorkspace } from "../src/odf/workspace/workspace";
import { decodeResponse } from "../src/oracle/codec/decodeResponse";
import { deployContract } from "../src/oracle/contracts/deployContract";
import { deployOracle } from "../src/oracle/contracts/deployOracle";
import { ArtifactNotFoundError } from "../src/oracle/contracts/errors";
import { loadArtifact } from "../src/oracle/contracts/loadArtifact";
import { provideResultEvent } from "../src/oracle/provider/abi";
import { parseProviderConfig } from "../src/oracle/provider/config";
import { createLocalSigner } from "../src/oracle/provider/signer";
import { type ProviderNode, startProviderNode } from "../src/oracle/provider/startProviderNode";
import { type HardhatNode, startHardhatNode } from "../test/harness/hardhatNode";
import { tamperDataset } from "../test/harness/tamperDataset";

const MNEMONIC = "test test test test test test test test test test test junk";
const ROOT = findRoot(__dirname);
const CSV = path.join(ROOT, "scripts", "demo-data", "sensors.csv");
const TRANSFER = "Transfer(address indexed from, address indexed to, uint256 value)";
/** The derivative: CSV readings and on-chain readings (a sensor wallet mints value = °C x 100). */
const READINGS_SQL = [
  "SELECT op, event_time, station, temp_c AS value FROM sensors",
  "UNION ALL",
  "SELECT op, event_time, 'onchain' AS station, CAST(event.value AS DOUBLE) / 100 AS value FROM transfers",
].join(" ");
const CONSUMER_SQL = "SELECT round(avg(value), 2) AS avg_temp FROM readings";

const sensorAbi = parseAbi([
  "function requestUpdate() returns (uint64)",
  "function latestValue() view returns (int256)",
  "event ValueUpdated(uint64 indexed requestId, int256 value)",
]);
const tokenAbi = parseAbi(["function mint(address to, uint256 amount)"]);
const oracleAbi = parseAbi([
  "function addProvider(address providerAddr)",
  "function depositStake() payable",
  "event SendRequest(uint64 indexed requestId, address indexed consumerAddr, bytes request)",
]);

function findRoot(dir: string): string {
  if (existsSync(path.join(dir, "hardhat.config.ts"))) return dir;
  const parent = path.dirname(dir);
  if (parent === dir) throw new Error("cannot find the project root (hardhat.config.ts)");
  return findRoot(parent);
}

/** Cleanups of the demos in progress (an interrupt runs them before exiting). */
const running = new Set<() => Promise<void>>();

export type DemoOptions = {
  /** Receives every line the demo prints (default: standard output). */
  log?: (line: string) => void;
};

export type DemoReturnType = {
  /** Process ids of the children the demo started (all exited by the time it returns). */
  childPids: number[];
  /** Seconds the demo took. */
  seconds: number;
};

/** Runs the demo end to end; every child process and temp file is gone when it settles. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReturnType> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  let step = 0;
  const say = (text: string) => log(`\n[${++step}] ${text}`);
  const info = (text: string) => log(`    ${text}`);
  const cleanup: (() => Promise<void> | void)[] = [];
  let stopping = false;
  const runCleanup = async () => {
    stopping = true;
    for (const close of cleanup.reverse().splice(0)) await Promise.resolve(close()).catch(() => undefined);
  };
  running.add(runCleanup);
  const childPids: number[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), "odf-demo-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the `odf` CLI in-process; its output is indented under the step. */
  async function odf(...argv: string[]): Promise<string> {
    let text = "";
    const out: Output = {
      isTty: false,
      line: (t) => {
        text += `${t}\n`;
      },
      raw: (t) => {
        text += typeof t === "string" ? t : Buffer.from(t).toString("utf8");
      },
      error: (t) => {
        text += `${t}\n`;
      },
    };
    const saved = process.exitCode;
    process.exitCode = undefined;
    const code = await main(["node", "odf", "-w", workspaceDir, ...argv], out);
    process.exitCode = saved;
    for (const line of text.trimEnd().split("\n")) if (line) info(`${line}`);
    if (code !== 0) throw new Error(`odf ${argv.join(" ")} exited with ${code}`);
    return text;
  }
  const workspaceDir = path.join(dir, "workspace");

  try {
    say("Starting a local chain (hardhat node) ...");
    ensureCompiled(info);
    // Every hardhat child is killed on cleanup and on process exit, even one still starting up.
    const onSpawn = (child: ChildProcess) => {
      if (child.pid !== undefined) childPids.push(child.pid);
      const kill = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      };
      process.once("exit", kill);
      cleanup.push(
        () =>
          new Promise<void>((resolve) => {
            process.off("exit", kill);
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      );
    };
    // A free port can be taken between probing and binding on a busy machine: try twice.
    const node: HardhatNode = await startHardhatNode({ onSpawn }).catch((error: unknown) => {
      if (stopping) throw error;
      return startHardhatNode({ onSpawn });
    });
    info(`${node.url} (chain id ${node.chainId})`);
    const chain = { ...hardhat, rpcUrls: { default: { http: [node.url] } } } as Chain;
    const transport = http(node.url, { retryCount: 0 });
    const client = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient;
    const wallets = Array.from({ length: 6 }, (_, i) =>
      createWalletClient({ account: mnemonicToAccount(MNEMONIC, { addressIndex: i }), chain, transport }),
    );
    const [owner, honestWallet, dishonestWallet, towerWallet, sensorWallet] = wallets as [
      (typeof wallets)[0],
      (typeof wallets)[0],
      (typeof wallets)[0],
      (typeof wallets)[0],
      (typeof wallets)[0],
    ];
    const send = async (hash: Promise<Hex>) => {
      const receipt = await client.waitForTransactionReceipt({ hash: await hash });
      if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
      return receipt;
    };

    say("Deploying the oracle (owner and arbiter: account #0) and a demo token ...");
    const stake = parseEther("2");
    const oracle = await deployOracle(owner, client, {
      config: {
        minStake: parseEther("1"),
        slashAmount: parseEther("1"),
        disputeBond: parseEther("0.1"),
        requestFee: parseEther("0.001"),
      },
    });
    info(`OdfOracle  ${oracle.address}  (fee 0.001 ETH, min stake 1 ETH, slash 1 ETH, dispute bond 0.1 ETH)`);
    const token = await deployContract(owner, client, { name: "ChainSourceToken" });
    info(`DemoToken  ${token.address}  (ChainSourceToken, an ERC-20: a sensor wallet mints one unit per 1/100 °C)`);
    for (const amount of [2050n, 2210n, 1980n]) {
      await send(
        sensorWallet.writeContract({
          address: token.address,
          abi: tokenAbi,
          functionName: "mint",
          args: [sensorWallet.account.address, amount],
        }),
      );
    }
    info("3 Transfer events emitted (readings 20.50, 22.10, 19.80 °C)");

    say("Building datasets: EVM logs -> root, bundled CSV -> root, a derivative over both ...");
    await odf("init");
    await odf(
      "dataset",
      "new",
      "transfers",
      "--from-logs",
      "--rpc",
      node.url,
      "--chain-id",
      "31337",
      "--address",
      token.address,
      "--event",
      TRANSFER,
      "--from-block",
      "0",
    );
    await odf("pull", "transfers");
    const manifest = path.join(dir, "sensors.yaml");
    writeFileSync(manifest, sensorsManifest(CSV));
    await odf("add", manifest);
    await odf("pull", "sensors");
    await odf(
      "dataset",
      "new",
      "readings",
      "--kind",
      "derivative",
      "--input",
      "sensors",
      "--input",
      "transfers",
      "--query",
      READINGS_SQL,
    );
    await odf("pull", "readings");
    const workspace = await openWorkspace(workspaceDir);
    const readings = await workspace.open("readings");

    say("Deploying the example consumer (contracts/examples/SensorConsumer.sol) ...");
    const consumer = await deployContract(owner, client, {
      name: "SensorConsumer",
      args: [oracle.address, "readings", readings.id, CONSUMER_SQL],
      value: parseEther("0.01"),
    });
    info(`SensorConsumer ${consumer.address}`);
    info(`asks: ${CONSUMER_SQL}`);
    info(`over: readings = ${readings.id}`);

    say("Starting an honest provider (account #1, staking 2 ETH) ...");
    for (const w of [honestWallet, dishonestWallet]) {
      await send(
        owner.writeContract({
          address: oracle.address,
          abi: oracleAbi,
          functionName: "addProvider",
          args: [w.account.address],
        }),
      );
      await send(
        w.writeContract({ address: oracle.address, abi: oracleAbi, functionName: "depositStake", value: stake }),
      );
    }
    const honest = await startProvider(node.url, oracle.address, workspaceDir, honestWallet.account);
    cleanup.push(() => honest.stop());
    info(`provider ${honest.provider.address} watching the oracle; http ${honest.url}`);

    say("The consumer sends a request ...");
    const first = await requestAndWait(client, sensorWallet, consumer.address, oracle.address);
    const firstAnswer = await answerOf(client, oracle.address, first.requestId);
    const value = (await client.readContract({
      address: consumer.address,
      abi: sensorAbi,
      functionName: "latestValue",
    })) as bigint;
    info(`request #${first.requestId} answered by ${firstAnswer.provider}`);
    info(`callback: SensorConsumer.latestValue = ${value} (${(Number(value) / 1e6).toFixed(2)} °C, 6 decimals)`);
    info("dataset versions recorded in the answer:");
    for (const s of firstAnswer.state) info(`  ${s.datasetId} @ ${s.blockHash}`);
    await honest.stop();

    say("Anyone can check the answer by replaying it: odf dispute check ...");
    await odf("dispute", "check", `${first.requestId}`, "--oracle", oracle.address, "--rpc", node.url);

    say("A dishonest provider (account #2) answers from a tampered copy of the datasets ...");
    const tamperedDir = path.join(dir, "tampered");
    cpSync(workspaceDir, tamperedDir, { recursive: true });
    rmSync(path.join(tamperedDir, "provider"), { recursive: true, force: true }); // its own journal and node key
    await tamperDataset(tamperedDir, "readings", "value", "value + 10");
    info("copied the workspace and added 10 °C to every reading in the Parquet files (metadata untouched)");
    const dishonest = await startProvider(node.url, oracle.address, tamperedDir, dishonestWallet.account);
    cleanup.push(() => dishonest.stop());
    const replayer = await openReplayer(workspaceDir);
    cleanup.push(() => replayer.close());
    const tower = createWatchtower({
      client,
      oracle: oracle.address,
      replay: replayer,
      wallet: towerWallet,
      cursorFile: path.join(dir, "watchtower-cursor.json"),
    });
    await tower.poll();
    const second = await requestAndWait(client, sensorWallet, consumer.address, oracle.address);
    const secondValue = (await client.readContract({
      address: consumer.address,
      abi: sensorAbi,
      functionName: "latestValue",
    })) as bigint;
    info(
      `request #${second.requestId} answered by ${(await answerOf(client, oracle.address, second.requestId)).provider}`,
    );
    info(
      `callback: SensorConsumer.latestValue = ${secondValue} (${(Number(secondValue) / 1e6).toFixed(2)} °C) -- wrong`,
    );
    await dishonest.stop();

    say(`The watchtower (account #3) replays every new answer and disputes mismatches ...`);
    const checks = await tower.poll();
    for (const c of checks) {
      info(formatVerdict(c.requestId, c.verdict));
      if (c.disputeTx) info(`dispute opened with a 0.1 ETH bond: ${c.disputeTx}`);
    }
    info(
      `metrics: ${(await tower.metrics.registry.getSingleMetricAsString("odf_watchtower_disputes_total")).split("\n").pop()}`,
    );

    say("The arbiter (account #0) replays it too and upholds the dispute: odf dispute resolve ...");
    const stakeOf = async () =>
      (
        await client.readContract({
          address: oracle.address,
          abi: disputeOracleAbi,
          functionName: "getProvider",
          args: [dishonestWallet.account.address],
        })
      ).stake;
    const before = await stakeOf();
    const savedKey = process.env.ODF_ARBITER_KEY;
    process.env.ODF_ARBITER_KEY = hexKey(0);
    try {
      await odf("dispute", "resolve", `${second.requestId}`, "--oracle", oracle.address, "--rpc", node.url, "--upheld");
    } finally {
      if (savedKey === undefined) delete process.env.ODF_ARBITER_KEY;
      else process.env.ODF_ARBITER_KEY = savedKey;
    }
    const after = await stakeOf();
    info(`stake slashed: ${formatEther(before)} ETH -> ${formatEther(after)} ETH`);
    const status = await client.readContract({
      address: oracle.address,
      abi: disputeOracleAbi,
      functionName: "requestStatus",
      args: [second.requestId],
    });
    info(
      `request #${second.requestId} is now ${["None", "Pending", "Fulfilled", "Disputed", "Final", "Overturned"][status]}`,
    );
  } finally {
    await runCleanup();
    running.delete(runCleanup);
  }
  const seconds = (Date.now() - started) / 1000;
  log(`\nDone in ${seconds.toFixed(1)} s; the chain and the providers are stopped, temp files removed.`);
  return { childPids, seconds };
}

function hexKey(i: number): Hex {
  const key = mnemonicToAccount(MNEMONIC, { addressIndex: i }).getHdKey().privateKey;
  if (!key) throw new Error("no private key");
  return `0x${Buffer.from(key).toString("hex")}`;
}

/** Compiles the contracts when `artifacts/` is missing (a fresh clone). */
function ensureCompiled(info: (text: string) => void) {
  try {
    loadArtifact("OdfOracle");
    loadArtifact("SensorConsumer");
  } catch (error) {
    if (!(error instanceof ArtifactNotFoundError)) throw error;
    info("compiling the contracts (first run) ...");
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "cli.js"), "compile", "--quiet"],
      {
        cwd: ROOT,
        stdio: "inherit",
      },
    );
    if (r.status !== 0) throw new Error("hardhat compile failed");
  }
}

function sensorsManifest(csv: string): string {
  return `kind: DatasetSnapshot
version: 1
content:
  name: sensors
  kind: Root
  metadata:
    - kind: SetInfo
      description: Temperature readings per station (bundled demo CSV)
    - kind: SetPollingSource
      fetch:
        kind: Url
        url: ${JSON.stringify(csv)}
      read:
        kind: Csv
        header: true
        schema:
          fields:
            - { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }
            - { name: station, type: { kind: String } }
            - { name: temp_c, type: { kind: Float64 } }
      merge:
        kind: Append
`;
}

async function startProvider(rpcUrl: string, oracle: Address, workspaceDir: string, account: { address: Address }) {
  const index = [1, 2].find((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }).address === account.address) ?? 1;
  const config = parseProviderConfig({
    rpcUrls: [rpcUrl],
    chainId: 31337,
    oracleAddress: oracle,
    workspace: workspaceDir,
    pollIntervalMs: 100,
    http: { port: 0 },
  });
  const node: ProviderNode = await startProviderNode(config, {
    signer: createLocalSigner(hexKey(index)),
    logger: pino({ level: process.env.ODF_DEMO_LOGS ? "debug" : "silent" }),
    waitingRecheckMs: 300,
  });
  return node;
}

async function requestAndWait(
  client: PublicClient,
  wallet: ReturnType<typeof createWalletClient>,
  consumer: Address,
  oracle: Address,
): Promise<{ requestId: bigint }> {
  const account = wallet.account;
  if (!account) throw new Error("wallet without account");
  const hash = await wallet.writeContract({
    address: consumer,
    abi: sensorAbi,
    functionName: "requestUpdate",
    chain: wallet.chain,
    account,
    gas: 1_000_000n,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  const [sent] = parseEventLogs({ abi: oracleAbi, eventName: "SendRequest", logs: receipt.logs });
  if (!sent) throw new Error("no SendRequest event");
  const requestId = sent.args.requestId;
  const until = Date.now() + 30_000;
  for (;;) {
    const logs = await client.getLogs({
      address: oracle,
      event: provideResultEvent,
      args: { requestId },
      fromBlock: 0n,
    });
    if (logs.length > 0) return { requestId };
    if (Date.now() > until) throw new Error(`request ${requestId} was not answered in 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answerOf(client: PublicClient, oracle: Address, requestId: bigint) {
  const [log] = await client.getLogs({
    address: oracle,
    event: provideResultEvent,
    args: { requestId },
    fromBlock: 0n,
  });
  if (!log) throw new Error(`no answer to request ${requestId}`);
  const response = decodeResponse(Buffer.from((log.args.response as Hex).slice(2), "hex"));
  return { provider: log.args.providerAddr as Address, state: response.ok ? response.state : [] };
}

if (require.main === module) {
  const interrupt = (signal: NodeJS.Signals) => {
    process.stderr.write(`demo: ${signal}, stopping the chain and the providers\n`);
    void Promise.all([...running].map((stop) => stop())).finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  runDemo().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      process.stderr.write(`demo failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
