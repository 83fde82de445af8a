import { type Client, type Hex, hexToNumber } from "viem";
import { wrapRpcError } from "./wrapRpcError";

/** The chain id the RPC endpoint serves (`eth_chainId`). */
export async function getChainId(client: Client): Promise<number> {
  try {
    return hexToNumber((await client.request({ method: "eth_chainId" } as never)) as Hex);
  } catch (error) {
    throw wrapRpcError(error, "eth_chainId");
  }
}
