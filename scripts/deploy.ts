import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { formatErrorLine } from "../src/errors/base";
import { deployContract } from "../src/oracle/contracts/deployContract";
import { deployOracle, type OracleConfig } from "../src/oracle/contracts/deployOracle";
import { DeployConfigError } from "../src/oracle/contracts/errors";

/** JSON-RPC URLs of the networks known by name (a `--rpc` URL overrides them). */
const NETWORKS: Record<string, string> = {
  localhost: process.env.ODF_RPC_URL ?? "http://127.0.0.1:8545",
  hardhat: process.env.ODF_RPC_URL ?? "http://127.0.0.1:8545",
};
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** A demo dataset id used by the examples unless `--dataset-id` is given. */
const DEMO_DATASET = "did:odf:fed014895afeb476d5d94c1af0668f30ab661c8561760bba6744e43225ba52e099595";
/**
 * The example consumers' SQL, over tables `sensor` and `rainfall`. `offset` is a reserved word in
 * DuckDB, so the system column is quoted (`"offset"`).
 */
export const EXAMPLE_SQL = {
  sensor: 'select value from sensor order by "offset" desc limit 1',
  rainfall: "select coalesce(sum(value), 0) < 50 from rainfall",
} as const;

/** The project root (holds hardhat.config.ts), whether run from scripts/ or dist/scripts/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "hardhat.config.ts")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Hardhat's first account (the owner of a local deployment on chain 31337). */
export const hardhatAccount = (): Account => mnemonicToAccount(HARDHAT_MNEMONIC);

/** A viem chain for an RPC URL whose chain id was read from the node. */
export function rpcChain(id: number, name: string, url: string): Chain {
  return {
    id,
    name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  };
}

const optionsSchema = z.strictObject({
  network: z.string().min(1),
  rpc: z.url().optional(),
  examples: z.boolean().default(false),
  datasetId: z
    .string()
    .regex(/^did:odf:fed01[0-9a-fA-F]{64}$/, "expected did:odf:fed01<64 hex>")
    .default(DEMO_DATASET),
  arbiter: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
  fee: z.coerce.bigint().nonnegative().default(0n),
  minStake: z.coerce.bigint().nonnegative().default(0n),
  slashAmount: z.coerce.bigint().nonnegative().default(0n),
  disputeBond: z.coerce.bigint().nonnegative().default(0n),
  disputeWindow: z.coerce.number().int().nonnegative().default(3600),
  outDir: z.string().default(path.join(projectRoot(), "deployments")),
});

/** Options of `deploy` (parsed from the command line). */
export type DeployOptions = z.input<typeof optionsSchema> & { privateKey?: Hex };

/** What `deploy` wrote to `deployments/<chainId>.json`. */
export type Deployment = {
  chainId: number;
  network: string;
  deployer: string;
  oracle: {
    address: string;
    transactionHash: string;
    blockNumber: string;
    config: Record<string, string | number | boolean>;
  };
  examples?: Record<string, { address: string; transactionHash: string }>;
  deployedAt: string;
};

/**
 * Deploys `OdfOracle` (and with `examples` the sensor and insurance consumers) and writes the
 * addresses to `<outDir>/<chainId>.json`. The key comes from `privateKey`, else `ODF_DEPLOYER_KEY`,
 * else (chain 31337 only) Hardhat's first default account.
 * @throws DeployConfigError for an unknown network or a missing key.
 */
export async function deploy(input: DeployOptions): Promise<Deployment & { file: string }> {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DeployConfigError(`invalid option ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  const opts = parsed.data;
  const url = opts.rpc ?? NETWORKS[opts.network];
  if (!url) {
    throw new DeployConfigError(`unknown network "${opts.network}"`, {
      hints: [`known networks: ${Object.keys(NETWORKS).join(", ")}; or pass --rpc <url>`],
    });
  }
  const probe = createPublicClient({ transport: http(url, { retryCount: 1 }) });
  const chainId = await probe.getChainId();
  const key = input.privateKey ?? (process.env.ODF_DEPLOYER_KEY as Hex | undefined);
  let account: Account;
  if (key) account = privateKeyToAccount(key);
  else if (chainId === 31337) account = hardhatAccount();
  else throw new DeployConfigError(`no deployer key for chain ${chainId}`, { hints: ["set ODF_DEPLOYER_KEY"] });
  const chain = rpcChain(chainId, opts.network, url);
  const transport = http(url);
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const wallet = createWalletClient({ account, chain, transport });
  const config: Partial<OracleConfig> = {
    requestFee: opts.fee,
    minStake: opts.minStake,
    slashAmount: opts.slashAmount,
    disputeBond: opts.disputeBond,
    disputeWindow: opts.disputeWindow,
  };
  const oracle = await deployOracle(wallet, publicClient, {
    config,
    ...(opts.arbiter ? { arbiter: opts.arbiter as `0x${string}` } : {}),
  });
  const deployment: Deployment = {
    chainId,
    network: opts.network,
    deployer: account.address,
    oracle: {
      address: oracle.address,
      transactionHash: oracle.hash,
      blockNumber: oracle.receipt.blockNumber.toString(),
      config: Object.fromEntries(
        Object.entries(oracle.config).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
      ),
    },
    deployedAt: new Date().toISOString(),
  };
  if (opts.examples) {
    const sensor = await deployContract(wallet, publicClient, {
      name: "SensorConsumer",
      args: [oracle.address, "sensor", opts.datasetId, EXAMPLE_SQL.sensor],
    });
    const insurance = await deployContract(wallet, publicClient, {
      name: "ParametricInsurance",
      args: [oracle.address, account.address, 0n, "rainfall", opts.datasetId, EXAMPLE_SQL.rainfall],
    });
    deployment.examples = {
      SensorConsumer: { address: sensor.address, transactionHash: sensor.hash },
      ParametricInsurance: { address: insurance.address, transactionHash: insurance.hash },
    };
  }
  mkdirSync(opts.outDir, { recursive: true });
  const file = path.join(opts.outDir, `${chainId}.json`);
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return { ...deployment, file };
}

/**
 * `npm run deploy -- --network <name> [--rpc <url>] [--examples] [--dataset-id <did>] [--fee <wei>]
 * [--min-stake <wei>] [--slash-amount <wei>] [--dispute-bond <wei>] [--dispute-window <s>]
 * [--arbiter <address>] [--out-dir <dir>]`.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name("deploy")
    .description("Deploy the ODF oracle (and optionally the example consumers); writes deployments/<chainId>.json")
    .requiredOption("--network <name>", "network name (localhost, hardhat)")
    .option("--rpc <url>", "JSON-RPC URL (overrides the network's)")
    .option("--examples", "also deploy the example consumers", false)
    .option("--dataset-id <did>", "dataset id the examples query")
    .option("--arbiter <address>", "dispute arbiter (defaults to the deployer)")
    .option("--fee <wei>", "request fee in wei", "0")
    .option("--min-stake <wei>", "stake a provider must deposit before it may answer", "0")
    .option("--slash-amount <wei>", "stake slashed from a provider when a dispute is upheld", "0")
    .option("--dispute-bond <wei>", "bond a disputer pays (returned when upheld)", "0")
    .option("--dispute-window <seconds>", "how long after an answer it may be disputed", "3600")
    .option("--out-dir <dir>", "where to write <chainId>.json (default: deployments/)");
  program.parse(argv as string[]);
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const input = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as DeployOptions;
  const result = await deploy(input);
  process.stdout.write(`OdfOracle ${result.oracle.address} on chain ${result.chainId}\n`);
  for (const [name, e] of Object.entries(result.examples ?? {})) process.stdout.write(`${name} ${e.address}\n`);
  process.stdout.write(`wrote ${result.file}\n`);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`deploy: ${formatErrorLine(error)}\n`);
    process.exit(1);
  });
}
