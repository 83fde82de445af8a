import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  BaseError as ViemBaseError,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { expect } from "vitest";
import { loadArtifact } from "../../src/oracle/contracts/loadArtifact";
import { type HardhatNode, startHardhatNode } from "../harness/hardhatNode";

/** Hardhat's default accounts. */
const MNEMONIC = "test test test test test test test test test test test junk";

export type Wallet = WalletClient<Transport, Chain, Account>;

/** Every ABI entry of the project's contracts, so any custom error or event decodes. */
export function allAbis(): Abi {
  const names = ["OdfOracle", "TestConsumer", "CodecHarness", "SensorConsumer", "ParametricInsurance"];
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const name of names) {
    for (const item of loadArtifact(name).abi) {
      const key = JSON.stringify(item);
      if (item.type === "constructor" || seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/** A hardhat node with clients for its first eight default accounts. */
export async function startChain() {
  const node: HardhatNode = await startHardhatNode();
  const chain = { ...hardhat, rpcUrls: { default: { http: [node.url] } } } as Chain;
  const transport = http(node.url, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const testClient = createTestClient({ chain, transport, mode: "hardhat" });
  const wallets: Wallet[] = Array.from({ length: 8 }, (_, i) =>
    createWalletClient({ account: mnemonicToAccount(MNEMONIC, { addressIndex: i }), chain, transport }),
  );
  const abi = allAbis();

  /** Simulates (so reverts decode), sends, and waits for the receipt. */
  async function send(
    wallet: Wallet,
    address: Address,
    functionName: string,
    args: readonly unknown[] = [],
    options: { value?: bigint; gas?: bigint } = {},
  ): Promise<TransactionReceipt> {
    if (options.gas === undefined) {
      await publicClient.simulateContract({
        address,
        abi,
        functionName,
        args,
        account: wallet.account,
        ...(options.value === undefined ? {} : { value: options.value }),
      });
    }
    const hash = await wallet.writeContract({
      address,
      abi,
      functionName,
      args,
      chain,
      account: wallet.account,
      ...(options.value === undefined ? {} : { value: options.value }),
      ...(options.gas === undefined ? {} : { gas: options.gas }),
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    return receipt;
  }

  async function read<T>(address: Address, functionName: string, args: readonly unknown[] = []): Promise<T> {
    return (await publicClient.readContract({ address, abi, functionName, args })) as T;
  }

  async function deploy(wallet: Wallet, name: string, args: readonly unknown[] = [], value?: bigint) {
    const { bytecode } = loadArtifact(name);
    const hash = await wallet.deployContract({
      abi: loadArtifact(name).abi,
      bytecode,
      args,
      chain,
      account: wallet.account,
      ...(value === undefined ? {} : { value }),
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error(`deploy ${name} failed`);
    return getAddress(receipt.contractAddress);
  }

  async function balance(address: Address): Promise<bigint> {
    return publicClient.getBalance({ address });
  }

  async function advance(seconds: number): Promise<void> {
    await testClient.increaseTime({ seconds });
    await testClient.mine({ blocks: 1 });
  }

  return { node, chain, publicClient, testClient, wallets, abi, send, read, deploy, balance, advance };
}

export type TestChain = Awaited<ReturnType<typeof startChain>>;

/** Asserts that `promise` reverts with the custom error `errorName` (and optionally its args). */
export async function expectRevert(promise: Promise<unknown>, errorName: string, args?: readonly unknown[]) {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a revert with ${errorName}`).toBeInstanceOf(ViemBaseError);
  const reverted = (error as ViemBaseError).walk((e) => e instanceof ContractFunctionRevertedError) as
    | ContractFunctionRevertedError
    | undefined;
  expect(reverted?.data?.errorName ?? (error as Error).message).toBe(errorName);
  if (args) expect(reverted?.data?.args).toEqual(args);
}

/** Lowercase hex of bytes. */
export const toHex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString("hex")}`;
