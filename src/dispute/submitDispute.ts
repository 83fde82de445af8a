import type { Account, Address, Chain, Hash, PublicClient, Transport, WalletClient } from "viem";
import { disputeOracleAbi, REQUEST_STATUS } from "./abi";
import { DisputeSubmitError } from "./errors";

export type SubmitDisputeParameters = { oracle: Address; requestId: bigint };
export type SubmitDisputeReturnType = { hash: Hash; bond: bigint; blockNumber: bigint };

/**
 * Opens an on-chain dispute of an answer, paying the oracle's dispute bond (read from `config()`).
 * Only a `Fulfilled` answer inside its dispute window can be disputed.
 * @throws DisputeSubmitError when the answer is not disputable or the transaction reverts.
 */
export async function submitDispute(
  wallet: WalletClient<Transport, Chain | undefined, Account>,
  client: PublicClient,
  params: SubmitDisputeParameters,
): Promise<SubmitDisputeReturnType> {
  const status = await client.readContract({
    address: params.oracle,
    abi: disputeOracleAbi,
    functionName: "requestStatus",
    args: [params.requestId],
  });
  if (REQUEST_STATUS[status] !== "Fulfilled") {
    throw new DisputeSubmitError(
      `Request ${params.requestId} is ${REQUEST_STATUS[status] ?? status}; only a Fulfilled answer inside its dispute window can be disputed`,
    );
  }
  const config = await client.readContract({ address: params.oracle, abi: disputeOracleAbi, functionName: "config" });
  const bond = config.disputeBond;
  let hash: Hash;
  try {
    hash = await wallet.writeContract({
      address: params.oracle,
      abi: disputeOracleAbi,
      functionName: "dispute",
      args: [params.requestId],
      value: bond,
      chain: wallet.chain,
      account: wallet.account,
    });
  } catch (error) {
    throw new DisputeSubmitError(`Disputing request ${params.requestId} failed`, { cause: error });
  }
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new DisputeSubmitError(`The dispute transaction of request ${params.requestId} reverted (${hash})`);
  }
  return { hash, bond, blockNumber: receipt.blockNumber };
}
