import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Abi, createPublicClient, createWalletClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createChainSource } from "../src/chain-source/createChainSource";
import { createLogsDataset } from "../src/chain-source/createLogsDataset";
import { initWorkspace } from "../src/odf/workspace/workspace";
import { report } from "./lib/report";

const ROOT = path.resolve(__dirname, "..", "..");
const TRANSFER = "Transfer(address indexed from, address indexed to, uint256 value)";
const ACCOUNT = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startNode(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [require.resolve("hardhat/internal/cli/cli.js"), "node", "--port", String(port)],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${out}`)), 60_000);
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("Started HTTP")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${out}`)));
  });
  child.stdout?.removeAllListeners("data");
  child.stdout?.resume();
  child.stderr?.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * `npm run bench -- logs [events=100000] [perTx=2000]`: mints `events` ERC-20 Transfer events on a
 * local hardhat node, then measures (1) one raw `eth_getLogs` of the whole range with JSON parsing,
 * (2) the same range fetched raw in parallel chunks, (3) our full ingest into a dataset (fetch,
 * headers, decode, Parquet slice, hashes, metadata block), and (4) resuming after `kill -9` of the
 * CLI mid-pull.
 */
export async function run(args: string[]): Promise<void> {
  const events = Number(args[0] ?? 100_000);
  const perTx = Number(args[1] ?? 2_000);
  const { url, child } = await startNode();
  const dir = await mkdtemp(path.join(tmpdir(), "odf-bench-logs-"));
  try {
    const art = JSON.parse(
      readFileSync(
        path.join(ROOT, "artifacts", "contracts", "test", "ChainSourceToken.sol", "ChainSourceToken.json"),
        "utf8",
      ),
    ) as { abi: Abi; bytecode: Hex };
    const wallet = createWalletClient({ account: ACCOUNT, chain: hardhat, transport: http(url) });
    const pub = createPublicClient({ chain: hardhat, transport: http(url, { timeout: 300_000 }) });
    const deployHash = await wallet.deployContract({ abi: art.abi, bytecode: art.bytecode });
    const token = (await pub.waitForTransactionReceipt({ hash: deployHash })).contractAddress as Hex;
    let minted = 0;
    let last: Hex | undefined;
    const mintStart = performance.now();
    while (minted < events) {
      const count = Math.min(perTx, events - minted);
      last = await wallet.writeContract({
        address: token,
        abi: art.abi,
        functionName: "mintMany",
        args: [ACCOUNT.address, 1n, BigInt(count)],
        gas: 16_000_000n,
      });
      minted += count;
    }
    if (last) await pub.waitForTransactionReceipt({ hash: last });
    const mintMs = performance.now() - mintStart;
    const head = Number(await pub.getBlockNumber({ cacheTime: 0 }));
    process.stdout.write(`minted ${events} Transfer events in ${head} blocks (${Math.round(mintMs)} ms)\n`);

    // (1) Raw: one eth_getLogs over the whole range, body read and parsed, as a plain client would.
    const rawOnce = async () => {
      const t = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "eth_getLogs",
          params: [{ fromBlock: "0x0", toBlock: `0x${head.toString(16)}`, address: token }],
        }),
      });
      const body = (await res.json()) as { result: unknown[] };
      if (body.result.length !== events) throw new Error(`raw eth_getLogs returned ${body.result.length} logs`);
      return performance.now() - t;
    };
    // (2) Raw, parallel: 4 requests at a time over ranges of ~5000 logs, as our fetcher does.
    const rawParallel = async () => {
      const t = performance.now();
      const blocksPerChunk = Math.max(1, Math.floor(5_000 / perTx));
      const chunks: [number, number][] = [];
      for (let b = 0; b <= head; b += blocksPerChunk) chunks.push([b, Math.min(head, b + blocksPerChunk - 1)]);
      let total = 0;
      let next = 0;
      const worker = async () => {
        while (next < chunks.length) {
          const [from, to] = chunks[next++] as [number, number];
          const logs = (await pub.request({
            method: "eth_getLogs",
            params: [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: token }],
          } as never)) as unknown[];
          total += logs.length;
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      if (total !== events) throw new Error(`parallel raw eth_getLogs returned ${total} logs`);
      return performance.now() - t;
    };
    await rawOnce(); // warm the node's caches so neither side pays for them
    const rawMs = Math.min(await rawOnce(), await rawOnce());
    const rawParallelMs = Math.min(await rawParallel(), await rawParallel());

    // (3) Our ingest: the whole range into a fresh dataset (best of two).
    const ws = await initWorkspace(path.join(dir, ".odf"));
    const ingest = async (alias: string) => {
      const dataset = await createLogsDataset(ws, { alias, nodeUrl: url, addresses: [token], signature: TRANSFER });
      const t = performance.now();
      const result = await createChainSource().pull(dataset);
      const ms = performance.now() - t;
      if (result.logs !== events) throw new Error(`ingested ${result.logs} logs, expected ${events}`);
      return ms;
    };
    const ingestMs = Math.min(await ingest("transfers-a"), await ingest("transfers-b"));

    // (4) Resume after kill -9: the CLI pulls with small commits, is killed after its first commit,
    // then a new pull resumes; resumeMs is the time from the new pull's start until it knows where to
    // resume (chain state read, ETag block checked canonical) and starts fetching.
    await createLogsDataset(ws, { alias: "killed", nodeUrl: url, addresses: [token], signature: TRANSFER });
    const cli = spawn(
      process.execPath,
      [path.join(ROOT, "bin", "odf"), "--workspace", ws.dir, "pull", "killed", "--commit-rows", "20000"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve) => {
      cli.stdout?.on("data", (c: Buffer) => {
        if (c.toString().includes("[commit]")) resolve();
      });
      cli.once("exit", () => resolve());
    });
    cli.kill("SIGKILL");
    await new Promise((resolve) =>
      cli.exitCode !== null || cli.signalCode !== null ? resolve(null) : cli.once("exit", resolve),
    );
    const killedDataset = await ws.open("killed");
    const before = (await killedDataset.chain.state()).lastOffset ?? -1;
    let resumeMs = Number.NaN;
    const t = performance.now();
    const resumed = await createChainSource().pull(killedDataset, {
      onProgress: (p) => {
        if (Number.isNaN(resumeMs) && p.phase === "scan") resumeMs = performance.now() - t;
      },
    });
    const resumeTotalMs = performance.now() - t;
    const after = (await killedDataset.chain.state()).lastOffset ?? -1;
    if (after + 1 !== events || resumed.logs !== events - (before + 1)) {
      throw new Error(`resume: ${before + 1} logs before the kill, ${resumed.logs} resumed, ${after + 1} in total`);
    }

    report(
      "logs",
      [
        { name: "events", value: events, unit: "logs" },
        { name: "blocks", value: head, unit: "blocks" },
        {
          name: "logsPerSec",
          value: Math.round((events * 1000) / ingestMs),
          unit: "logs/s",
          note: "full ingest into the dataset",
        },
        { name: "ingestMs", value: Math.round(ingestMs), unit: "ms" },
        { name: "rawGetLogsMs", value: Math.round(rawMs), unit: "ms", note: "one eth_getLogs of the range, parsed" },
        {
          name: "ratioToRawGetLogs",
          value: rawMs / ingestMs,
          unit: "x",
          note: "raw eth_getLogs time / our ingest time",
        },
        {
          name: "rawParallelGetLogsMs",
          value: Math.round(rawParallelMs),
          unit: "ms",
          note: "4 parallel requests, ~5000 logs each",
        },
        { name: "ratioToParallelRawGetLogs", value: rawParallelMs / ingestMs, unit: "x" },
        {
          name: "resumeMs",
          value: Math.round(resumeMs),
          unit: "ms",
          note: "after kill -9: new pull start to its verified resume point",
        },
        {
          name: "resumeTotalMs",
          value: Math.round(resumeTotalMs),
          unit: "ms",
          note: `rest of the pull: ${resumed.logs} logs`,
        },
      ],
      { perTx, mintMs: Math.round(mintMs) },
    );
  } finally {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
}
