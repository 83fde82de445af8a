import { type Address, bytesToHex, type Hex, hexToBytes, keccak256, type PublicClient } from "viem";
import { provideResultEvent, providerOracleAbi, sendRequestEvent } from "../oracle/provider/abi";
import { DisputeLookupError } from "./errors";

/** A request and its answer as the chain recorded them. */
export type OnChainAnswer = {
  requestId: bigint;
  request: Uint8Array;
  response: Uint8Array;
  provider: Address;
  consumer: Address;
  /** Block of the `ProvideResult` event. */
  blockNumber: bigint;
  /** Time of that block: the dataset versions an answer could have read were written before it. */
  answeredAt: Date;
};

export type ReadAnswerParameters = { oracle: Address; requestId: bigint; fromBlock?: bigint };

/**
 * Reads a request's `SendRequest` and `ProvideResult` events. When the contract stores a
 * commitment (keccak256 of the response), the event's bytes are checked against it, so a replay
 * never trusts a log the contract did not commit to.
 */
export async function readAnswer(client: PublicClient, params: ReadAnswerParameters): Promise<OnChainAnswer> {
  const fromBlock = params.fromBlock ?? 0n;
  const [sent] = await client.getLogs({
    address: params.oracle,
    event: sendRequestEvent,
    args: { requestId: params.requestId },
    fromBlock,
    toBlock: "latest",
  });
  if (!sent) throw new DisputeLookupError(`Request ${params.requestId} not found at oracle ${params.oracle}`);
  const [provided] = await client.getLogs({
    address: params.oracle,
    event: provideResultEvent,
    args: { requestId: params.requestId },
    fromBlock,
    toBlock: "latest",
  });
  if (!provided) throw new DisputeLookupError(`Request ${params.requestId} has not been answered yet`);
  const response = provided.args.response as Hex;
  try {
    const stored = await client.readContract({
      address: params.oracle,
      abi: providerOracleAbi,
      functionName: "getRequest",
      args: [params.requestId],
    });
    const zero = `0x${"0".repeat(64)}`;
    if (stored.commitment !== zero && stored.commitment !== keccak256(response)) {
      throw new DisputeLookupError(
        `The ProvideResult log of request ${params.requestId} does not match the on-chain commitment`,
      );
    }
  } catch (error) {
    // A v1 oracle without `getRequest`: rely on the event alone.
    if (error instanceof DisputeLookupError) throw error;
  }
  const block = await client.getBlock({ blockNumber: provided.blockNumber });
  return {
    requestId: params.requestId,
    request: hexToBytes(sent.args.request as Hex),
    response: hexToBytes(response),
    provider: provided.args.providerAddr as Address,
    consumer: provided.args.consumerAddr as Address,
    blockNumber: provided.blockNumber,
    // Block times are whole seconds: the end of that second bounds what the provider could read.
    answeredAt: new Date(Number(block.timestamp) * 1000 + 999),
  };
}

/** Hex of bytes, for messages. */
export const toHex = (bytes: Uint8Array): Hex => bytesToHex(bytes);
