import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import type { Dataset } from "../../src/odf/workspace/workspace";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";

/** Hardhat's first default account (a well-known test key). */
export const DEPLOYER = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

const ROOT = path.resolve(__dirname, "..", "..");

/** ABI and bytecode of a compiled test contract (`contracts/test/<name>.sol`). */
export function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const file = path.join(ROOT, "artifacts", "contracts", "test", `${name}.sol`, `${name}.json`);
  const json = JSON.parse(readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex };
  return { abi: json.abi, bytecode: json.bytecode };
}

export type Chain = { wallet: WalletClient; public: PublicClient };

export function chainClients(url: string): Chain {
  return {
    wallet: createWalletClient({ account: DEPLOYER, chain: hardhat, transport: http(url) }),
    public: createPublicClient({ chain: hardhat, transport: http(url) }) as PublicClient,
  };
}

/** Deploys a test contract and returns its address. */
export async function deploy(chain: Chain, name: string): Promise<Address> {
  const { abi, bytecode } = artifact(name);
  const hash = await chain.wallet.deployContract({ abi, bytecode, account: DEPLOYER, chain: hardhat });
  const receipt = await chain.public.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`);
  return receipt.contractAddress;
}

/** Calls a contract function in a transaction, waits for it to be mined and returns its block number. */
export async function send(
  chain: Chain,
  address: Address,
  name: string,
  functionName: string,
  args: unknown[],
): Promise<number> {
  const hash = await chain.wallet.writeContract({
    address,
    abi: artifact(name).abi,
    functionName,
    args,
    account: DEPLOYER,
    chain: hardhat,
    gas: 10_000_000n,
  } as never);
  const receipt = await chain.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return Number(receipt.blockNumber);
}

/** A fresh workspace in a temp directory. */
export async function tempWorkspace(): Promise<{ ws: Workspace; dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "odf-cs-"));
  const ws = await initWorkspace(path.join(dir, ".odf"), { fsync: false });
  return { ws, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs an SQL query over all of a dataset's slices (as table `t`) and returns JS rows. */
export async function queryDataset(dataset: Dataset, sql: string): Promise<Record<string, unknown>[]> {
  const state = await dataset.chain.state();
  const paths = state.slices.map((s) => `'${dataset.store.objectPath("data", s.slice.physicalHash)}'`);
  if (paths.length === 0) return [];
  const db = await openDuckDb();
  try {
    await db.connection.run(`CREATE VIEW t AS SELECT * FROM read_parquet([${paths.join(", ")}], union_by_name = true)`);
    const reader = await db.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** The live logs of a dataset (appended and not retracted), as `block_hash:log_index` keys in order. */
export async function liveLogKeys(dataset: Dataset): Promise<string[]> {
  const rows = await queryDataset(
    dataset,
    `SELECT lower(hex(block_hash)) || ':' || log_index AS k, block_number, log_index
     FROM t GROUP BY ALL HAVING sum(CASE WHEN op IN (1, 2) THEN -1 ELSE 1 END) > 0 ORDER BY block_number, log_index`,
  );
  return rows.map((r) => String(r.k));
}
