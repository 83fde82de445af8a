import {
  type Account,
  type Address,
  type Chain,
  type Hash,
  type PublicClient,
  parseEventLogs,
  type Transport,
  type WalletClient,
} from "viem";
import { disputeOracleAbi, REQUEST_STATUS } from "./abi";
import { DisputeSubmitError } from "./errors";

export type ResolveDisputeParameters = { oracle: Address; requestId: bigint; upheld: boolean };
export type ResolveDisputeReturnType = { hash: Hash; upheld: boolean; slashed: bigint };

/**
 * Resolves an open dispute as the oracle's arbiter. Upheld: the answer was wrong, the provider's
 * stake is slashed and the disputer credited; rejected: the answer stands and the bond goes to the
 * provider.
 * @throws DisputeSubmitError when the request is not disputed, the wallet is not the arbiter, or
 * the transaction reverts.
 */
export async function resolveDispute(
  wallet: WalletClient<Transport, Chain | undefined, Account>,
  client: PublicClient,
  params: ResolveDisputeParameters,
): Promise<ResolveDisputeReturnType> {
  const [status, arbiter] = await Promise.all([
    client.readContract({
      address: params.oracle,
      abi: disputeOracleAbi,
      functionName: "requestStatus",
      args: [params.requestId],
    }),
    client.readContract({ address: params.oracle, abi: disputeOracleAbi, functionName: "arbiter" }),
  ]);
  if (REQUEST_STATUS[status] !== "Disputed") {
    throw new DisputeSubmitError(`Request ${params.requestId} is ${REQUEST_STATUS[status] ?? status}, not Disputed`);
  }
  if (arbiter.toLowerCase() !== wallet.account.address.toLowerCase()) {
    throw new DisputeSubmitError(`${wallet.account.address} is not the arbiter of the oracle (${arbiter})`);
  }
  let hash: Hash;
  try {
    hash = await wallet.writeContract({
      address: params.oracle,
      abi: disputeOracleAbi,
      functionName: "resolveDispute",
      args: [params.requestId, params.upheld],
      chain: wallet.chain,
      account: wallet.account,
    });
  } catch (error) {
    throw new DisputeSubmitError(`Resolving the dispute of request ${params.requestId} failed`, { cause: error });
  }
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new DisputeSubmitError(`The resolve transaction of request ${params.requestId} reverted (${hash})`);
  }
  const [resolved] = parseEventLogs({ abi: disputeOracleAbi, eventName: "DisputeResolved", logs: receipt.logs });
  return { hash, upheld: params.upheld, slashed: resolved?.args.slashed ?? 0n };
}
