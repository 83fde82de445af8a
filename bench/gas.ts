import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { encodeRequest } from "../src/oracle/codec/encodeRequest";
import { type EncodableValue, encodeResponse } from "../src/oracle/codec/encodeResponse";
import { deployContract } from "../src/oracle/contracts/deployContract";
import { deployOracle } from "../src/oracle/contracts/deployOracle";
import { loadArtifact } from "../src/oracle/contracts/loadArtifact";
import { signResult } from "../src/oracle/contracts/signResult";
import { getFreePort } from "../test/harness/hardhatNode";
import { type Figure, report } from "./lib/report";

type Wallet = WalletClient<Transport, Chain, Account>;
const DID = "did:odf:fed014895afeb476d5d94c1af0668f30ab661c8561760bba6744e43225ba52e099595" as const;
const HASH = `f1620${"ab".repeat(32)}`;
// 80 characters of SQL
const SQL = "select event_time, value from my_temp_sensor order by offset desc limit 1 -- gas";

/** The project root (holds hardhat.config.ts), from src or from dist. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "hardhat.config.ts"))) dir = path.dirname(dir);
  return dir;
}

/** A `hardhat node` on a free port, started from the project root (works from dist/ too). */
async function startNode(): Promise<{ url: string; stop(): void }> {
  const root = projectRoot();
  const port = await getFreePort();
  const child = spawn(
    process.execPath,
    [
      path.join(root, "node_modules", "hardhat", "internal", "cli", "cli.js"),
      "node",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" } },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Started HTTP and WebSocket JSON-RPC server")) {
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve();
      }
    });
    child.stderr?.resume();
    child.once("exit", (code) => reject(new Error(`hardhat node exited with ${code}: ${out}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

type StructLog = { depth: number; gas: number; gasCost: number; op: string };

/**
 * Gas figures of the oracle contracts (`npm run bench -- gas`): request, fulfilment (plain and
 * signed) at 1, 10 and 100 rows of 2 columns with 1 state pair, the fulfilment overhead net of the
 * callback (measured from the transaction trace), dispute and resolve.
 */
export async function run(_args: string[]): Promise<void> {
  const node = await startNode();
  try {
    const chain = { ...hardhat, rpcUrls: { default: { http: [node.url] } } } as Chain;
    const transport = http(node.url, { retryCount: 0 });
    const publicClient = createPublicClient({ chain, transport }) as PublicClient;
    const [owner, provider, relayer] = [0, 1, 2].map((i) =>
      createWalletClient({
        account: mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: i }),
        chain,
        transport,
      }),
    ) as unknown as [Wallet, Wallet, Wallet];
    const abi: Abi = [...loadArtifact("OdfOracle").abi, ...loadArtifact("TestConsumer").abi];
    const fee = 10n ** 15n;
    const { address: oracle } = await deployOracle(owner, publicClient, {
      config: {
        requestFee: fee,
        minStake: 10n ** 17n,
        slashAmount: 10n ** 17n,
        disputeBond: 10n ** 16n,
        disputeWindow: 3600,
      },
    });
    const send = async (
      w: Wallet,
      to: Address,
      functionName: string,
      args: unknown[],
      value?: bigint,
      gas?: bigint,
    ) => {
      const hash = await w.writeContract({
        address: to,
        abi,
        functionName,
        args,
        chain,
        account: w.account,
        ...(value === undefined ? {} : { value }),
        ...(gas === undefined ? {} : { gas }),
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
      return receipt;
    };
    await send(owner, oracle, "addProvider", [provider.account.address]);
    await send(provider, oracle, "depositStake", [], 10n ** 18n);
    const { address: consumer } = await deployContract(owner, publicClient, { name: "TestConsumer", args: [oracle] });
    const request =
      `0x${Buffer.from(encodeRequest({ datasets: [{ alias: "my_temp_sensor", id: DID }], sql: SQL })).toString("hex")}` as Hex;

    const figures: Figure[] = [];
    // sendRequest straight from an account: the oracle's own cost, no consumer wrapper
    const direct = await send(relayer, oracle, "sendRequest", [request, 0], fee);
    figures.push({
      name: "sendRequest",
      value: Number(direct.gasUsed),
      unit: "gas",
      note: "1 dataset, 80-char SQL, tx total",
    });

    const newRequest = async (): Promise<bigint> => {
      await send(relayer, consumer, "request", [request, 1_000_000], fee);
      return (await publicClient.readContract({ address: oracle, abi, functionName: "lastRequestId" })) as bigint;
    };
    const response = (rows: number): Hex => {
      const data: EncodableValue[][] = Array.from({ length: rows }, (_, i) => [
        `2024-09-02T21:${String(i % 60).padStart(2, "0")}:00Z`,
        21.5 + i,
      ]);
      return `0x${Buffer.from(encodeResponse({ ok: true, rows: data, state: [{ datasetId: DID, blockHash: HASH }] })).toString("hex")}`;
    };
    /** Gas the consumer callbacks of a transaction used (each depth-2 frame of its trace). */
    const callbackGas = async (receipt: TransactionReceipt): Promise<number> => {
      const trace = (await publicClient.request({
        method: "debug_traceTransaction" as never,
        params: [receipt.transactionHash, { disableStorage: true, disableMemory: true, disableStack: true }] as never,
      })) as { structLogs: StructLog[] };
      let total = 0;
      let frame: StructLog[] = [];
      for (const l of [...trace.structLogs, undefined]) {
        if (l && l.depth >= 2) {
          frame.push(l);
          continue;
        }
        const first = frame[0];
        const last = frame[frame.length - 1];
        if (first && last) total += first.gas - (last.gas - last.gasCost);
        frame = [];
      }
      if (total === 0) throw new Error("no callback frame in the trace");
      return total;
    };
    // steady state: the provider has earned fees before and its lock slot is warm in storage
    await send(provider, oracle, "provideResult", [await newRequest(), response(1)], undefined, 2_000_000n);

    const plain: Record<number, number> = {};
    for (const rows of [1, 10, 100]) {
      const r = await send(
        provider,
        oracle,
        "provideResult",
        [await newRequest(), response(rows)],
        undefined,
        3_000_000n,
      );
      plain[rows] = Number(r.gasUsed);
      const cb = await callbackGas(r);
      figures.push({
        name: `provideResult${rows}Row${rows > 1 ? "s" : ""}`,
        value: plain[rows],
        unit: "gas",
        note: `callback ${cb}`,
      });
      if (rows === 1) {
        figures.push({
          name: "fulfilOverhead1Row",
          value: plain[rows] - cb,
          unit: "gas",
          note: "provideResult tx total minus callback",
        });
      }
    }
    /** The provider's EIP-712 signature of an answer. */
    const sign = (requestId: bigint, body: Hex) =>
      signResult(provider, { oracle, chainId: chain.id, requestId, request, response: body });
    for (const rows of [1, 10, 100]) {
      const id = await newRequest();
      const body = response(rows);
      const signature = await sign(id, body);
      const r = await send(relayer, oracle, "provideSignedResult", [id, body, signature], undefined, 3_000_000n);
      const cb = await callbackGas(r);
      figures.push({
        name: `provideSignedResult${rows}Row${rows > 1 ? "s" : ""}`,
        value: Number(r.gasUsed),
        unit: "gas",
        note: `callback ${cb}`,
      });
      if (rows === 1) {
        figures.push({
          name: "fulfilOverhead1RowSigned",
          value: Number(r.gasUsed) - cb,
          unit: "gas",
          note: "signed, minus callback",
        });
      }
    }
    // A batch of 10 signed 1-row answers in one provideSignedResults transaction.
    const batch = [];
    for (let i = 0; i < 10; i += 1) {
      const id = await newRequest();
      const body = response(1);
      const signature = await sign(id, body);
      batch.push({ requestId: id, response: body, signature });
    }
    const b = await send(relayer, oracle, "provideSignedResults", [batch], undefined, 5_000_000n);
    const batchCallbacks = await callbackGas(b);
    figures.push({
      name: "batchPerAnswer1Row",
      value: Number(b.gasUsed) / batch.length,
      unit: "gas",
      note: `provideSignedResults of ${batch.length}, per answer`,
    });
    figures.push({
      name: "batchOverheadPerAnswer1Row",
      value: (Number(b.gasUsed) - batchCallbacks) / batch.length,
      unit: "gas",
      note: "per answer, minus callbacks",
    });
    figures.push({
      name: "provideResultPerRow",
      value: ((plain[100] ?? 0) - (plain[10] ?? 0)) / 90,
      unit: "gas/row",
      note: "slope 10 -> 100 rows (row = 2 columns)",
    });
    const disputed = await newRequest();
    await send(provider, oracle, "provideResult", [disputed, response(1)], undefined, 2_000_000n);
    const d = await send(relayer, oracle, "dispute", [disputed], 10n ** 16n);
    figures.push({ name: "dispute", value: Number(d.gasUsed), unit: "gas" });
    const resolve = await send(owner, oracle, "resolveDispute", [disputed, true]);
    figures.push({ name: "resolveUpheld", value: Number(resolve.gasUsed), unit: "gas" });
    const rejected = await newRequest();
    await send(provider, oracle, "provideResult", [rejected, response(1)], undefined, 2_000_000n);
    await send(relayer, oracle, "dispute", [rejected], 10n ** 16n);
    const reject = await send(owner, oracle, "resolveDispute", [rejected, false]);
    figures.push({ name: "resolveRejected", value: Number(reject.gasUsed), unit: "gas" });
    report("gas", figures, { solc: "0.8.28", optimizerRuns: 10_000, feeWei: fee.toString() });
  } finally {
    node.stop();
  }
}
