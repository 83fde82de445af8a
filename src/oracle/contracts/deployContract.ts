import type {
  Abi,
  Account,
  Address,
  Chain,
  Hex,
  PublicClient,
  TransactionReceipt,
  Transport,
  WalletClient,
} from "viem";
import { getAddress } from "viem";
import { DeploymentError } from "./errors";
import { loadArtifact } from "./loadArtifact";

/** Parameters of `deployContract`. */
export type DeployContractParameters = {
  /** Contract name in `artifacts/`. */
  name: string;
  /** Constructor arguments. */
  args?: readonly unknown[];
  /** Wei sent to a payable constructor. */
  value?: bigint;
};

/** What `deployContract` returns. */
export type DeployContractReturnType = { address: Address; abi: Abi; hash: Hex; receipt: TransactionReceipt };

/**
 * Deploys a compiled contract of this project and waits for its receipt.
 * @throws DeploymentError when the transaction reverts.
 */
export async function deployContract(
  walletClient: WalletClient<Transport, Chain | undefined, Account>,
  publicClient: PublicClient,
  params: DeployContractParameters,
): Promise<DeployContractReturnType> {
  const { abi, bytecode } = loadArtifact(params.name);
  const hash = await walletClient.deployContract({
    abi,
    bytecode,
    args: params.args ?? [],
    chain: walletClient.chain,
    account: walletClient.account,
    ...(params.value === undefined ? {} : { value: params.value }),
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new DeploymentError(`deploying ${params.name} failed`, { details: `transaction ${hash}` });
  }
  return { address: getAddress(receipt.contractAddress), abi, hash, receipt };
}
