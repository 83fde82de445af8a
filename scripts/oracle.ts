/**
 * `node dist/scripts/oracle.js <command>`: the steps between `npm run deploy` and a provider's first
 * answer, against the addresses in `deployments/<chainId>.json`. Keys: the owner's from
 * `ODF_DEPLOYER_KEY` (else Hardhat's first account on chain 31337), the provider's from
 * `ODF_PROVIDER_PRIVATE_KEY`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import {
  type Account,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  parseAbi,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { formatErrorLine } from "../src/errors/base";
import { DeployConfigError } from "../src/oracle/contracts/errors";
import { hardhatAccount, projectRoot, rpcChain } from "./deploy";

const abi = parseAbi([
  "function addProvider(address providerAddr)",
  "function depositStake() payable",
  "function requestFee() view returns (uint256)",
  "function requestStatus(uint64 requestId) view returns (uint8)",
  "function getProvider(address providerAddr) view returns ((bool authorized, uint96 stake, uint40 lockedUntil, uint16 openDisputes, uint96 earned))",
  "function requestUpdate() returns (uint64)",
  "function latestValue() view returns (int256)",
  "function latestRequestId() view returns (uint64)",
  "event SendRequest(uint64 indexed requestId, address indexed consumerAddr, bytes request)",
]);

/** Where the deployment and the keys come from. */
export type OracleScriptOptions = {
  rpc: string;
  /** `deployments/<chainId>.json` written by `npm run deploy` (default: under the project root). */
  deployment?: string;
  env?: Record<string, string | undefined>;
};

async function connect(opts: OracleScriptOptions, keyEnv: "ODF_DEPLOYER_KEY" | "ODF_PROVIDER_PRIVATE_KEY") {
  const env = opts.env ?? process.env;
  const probe = createPublicClient({ transport: http(opts.rpc, { retryCount: 1 }) });
  const chainId = await probe.getChainId();
  const file = opts.deployment ?? path.join(projectRoot(), "deployments", `${chainId}.json`);
  if (!existsSync(file)) {
    throw new DeployConfigError(`no deployment for chain ${chainId}: ${file} does not exist`, {
      hints: ["run `npm run deploy -- --network localhost --examples` first, or pass --deployment <file>"],
    });
  }
  const deployment = JSON.parse(readFileSync(file, "utf8")) as {
    oracle: { address: Address };
    examples?: { SensorConsumer?: { address: Address } };
  };
  const key = env[keyEnv] as Hex | undefined;
  let account: Account;
  if (key) account = privateKeyToAccount(key.startsWith("0x") ? key : `0x${key}`);
  else if (chainId === 31337 && keyEnv === "ODF_DEPLOYER_KEY") account = hardhatAccount();
  else throw new DeployConfigError(`no key: set ${keyEnv}`);
  const chain = rpcChain(chainId, `chain ${chainId}`, opts.rpc);
  const client = createPublicClient({ chain, transport: http(opts.rpc) }) as PublicClient;
  const wallet = createWalletClient({ account, chain, transport: http(opts.rpc) });
  async function mined(what: string, hash: Hex) {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new DeployConfigError(`${what} reverted (${hash})`);
    return receipt;
  }
  return { deployment, account, client, wallet, mined };
}

/** Authorizes a provider address on the oracle (owner only). */
export async function addProvider(opts: OracleScriptOptions, provider: Address) {
  const c = await connect(opts, "ODF_DEPLOYER_KEY");
  const { oracle } = c.deployment;
  await c.mined(
    "addProvider",
    await c.wallet.writeContract({ address: oracle.address, abi, functionName: "addProvider", args: [provider] }),
  );
  return c.client.readContract({
    address: c.deployment.oracle.address,
    abi,
    functionName: "getProvider",
    args: [provider],
  });
}

/** Deposits `wei` of stake for the provider whose key is `ODF_PROVIDER_PRIVATE_KEY`. */
export async function depositStake(opts: OracleScriptOptions, wei: bigint) {
  const c = await connect(opts, "ODF_PROVIDER_PRIVATE_KEY");
  const { oracle } = c.deployment;
  await c.mined(
    "depositStake",
    await c.wallet.writeContract({ address: oracle.address, abi, functionName: "depositStake", value: wei }),
  );
  return c.client.readContract({
    address: c.deployment.oracle.address,
    abi,
    functionName: "getProvider",
    args: [c.account.address],
  });
}

/** Funds the example `SensorConsumer` with one request fee and calls its `requestUpdate()`; returns the request id. */
export async function requestUpdate(opts: OracleScriptOptions): Promise<bigint> {
  const c = await connect(opts, "ODF_DEPLOYER_KEY");
  const consumer = c.deployment.examples?.SensorConsumer?.address;
  if (!consumer) throw new DeployConfigError("the deployment has no SensorConsumer (deploy with --examples)");
  const fee = await c.client.readContract({ address: c.deployment.oracle.address, abi, functionName: "requestFee" });
  if ((await c.client.getBalance({ address: consumer })) < fee) {
    const hash = await c.wallet.sendTransaction({
      to: consumer,
      value: fee,
      account: c.account,
      chain: c.wallet.chain,
    });
    await c.client.waitForTransactionReceipt({ hash });
  }
  const receipt = await c.mined(
    "requestUpdate",
    await c.wallet.writeContract({ address: consumer, abi, functionName: "requestUpdate" }),
  );
  const [sent] = parseEventLogs({ abi, eventName: "SendRequest", logs: receipt.logs });
  if (!sent) throw new DeployConfigError("requestUpdate emitted no SendRequest");
  return sent.args.requestId;
}

const STATUS = ["None", "Pending", "Fulfilled", "Disputed", "Final", "Overturned", "Cancelled"];

/** The example consumer's latest value (scaled by 10^6) and the status of the request that set it. */
export async function readLatest(opts: OracleScriptOptions) {
  const c = await connect(opts, "ODF_DEPLOYER_KEY");
  const consumer = c.deployment.examples?.SensorConsumer?.address;
  if (!consumer) throw new DeployConfigError("the deployment has no SensorConsumer (deploy with --examples)");
  const [value, requestId] = await Promise.all([
    c.client.readContract({ address: consumer, abi, functionName: "latestValue" }),
    c.client.readContract({ address: consumer, abi, functionName: "latestRequestId" }),
  ]);
  const status =
    requestId === 0n
      ? "None"
      : STATUS[
          await c.client.readContract({
            address: c.deployment.oracle.address,
            abi,
            functionName: "requestStatus",
            args: [requestId],
          })
        ];
  return { value, requestId, status };
}

/** `node dist/scripts/oracle.js add-provider|stake|request|latest [--rpc <url>] [--deployment <file>]`. */
export async function main(
  argv: readonly string[],
  write: (text: string) => void = (text) => {
    process.stdout.write(text);
  },
) {
  const program = new Command().name("oracle").description("authorize and stake a provider, send example requests");
  const common = (cmd: Command) =>
    cmd
      .option("--rpc <url>", "JSON-RPC URL", process.env.ODF_RPC_URL ?? "http://127.0.0.1:8545")
      .option("--deployment <file>", "deployments/<chainId>.json written by `npm run deploy`");
  const opts = (cmd: Command) => cmd.opts<OracleScriptOptions>();
  common(
    program.command("add-provider <address>").description("authorize a provider (owner: ODF_DEPLOYER_KEY)"),
  ).action(async (address: string, _o, cmd: Command) => {
    const p = await addProvider(opts(cmd), address as Address);
    write(`provider ${address} authorized (stake ${p.stake} wei)\n`);
  });
  common(program.command("stake <wei>").description("deposit stake as the provider (ODF_PROVIDER_PRIVATE_KEY)")).action(
    async (wei: string, _o, cmd: Command) => {
      const p = await depositStake(opts(cmd), BigInt(wei));
      write(`stake now ${p.stake} wei (authorized: ${p.authorized})\n`);
    },
  );
  common(program.command("request").description("send SensorConsumer.requestUpdate() (pays the fee)")).action(
    async (_o, cmd: Command) => {
      write(`request ${await requestUpdate(opts(cmd))} sent\n`);
    },
  );
  common(program.command("latest").description("SensorConsumer's latest value and its request status")).action(
    async (_o, cmd: Command) => {
      const r = await readLatest(opts(cmd));
      write(`latestValue ${r.value} (x10^6), request ${r.requestId}: ${r.status}\n`);
    },
  );
  await program.parseAsync(argv as string[]);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`oracle: ${formatErrorLine(error)}\n`);
    process.exit(1);
  });
}
