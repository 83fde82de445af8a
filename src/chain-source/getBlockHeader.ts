import { type Client, type Hex, hexToNumber, numberToHex } from "viem";
import { wrapRpcError } from "./wrapRpcError";

/** The parts of a block header the chain source uses. */
export type BlockHeader = { number: number; hash: Hex; parentHash: Hex; timestamp: number };

export type GetBlockHeaderParameters = { blockNumber: number } | { blockTag: "latest" | "finalized" | "safe" };

export type GetBlockHeaderReturnType = BlockHeader | undefined;

/**
 * The canonical header at a height or tag (`eth_getBlockByNumber`, without transactions), or
 * `undefined` when the node has no such block (yet).
 */
export async function getBlockHeader(
  client: Client,
  params: GetBlockHeaderParameters,
): Promise<GetBlockHeaderReturnType> {
  const tag = "blockNumber" in params ? numberToHex(params.blockNumber) : params.blockTag;
  let block: { number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex } | null;
  try {
    block = (await client.request({ method: "eth_getBlockByNumber", params: [tag, false] } as never)) as typeof block;
  } catch (error) {
    throw wrapRpcError(error, "eth_getBlockByNumber");
  }
  if (!block) return undefined;
  return {
    number: hexToNumber(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: hexToNumber(block.timestamp),
  };
}
