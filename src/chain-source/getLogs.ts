import { type Client, type Hex, numberToHex } from "viem";
import type { LogFilter } from "./parseLogFilter";
import { wrapRpcError } from "./wrapRpcError";

/** A log as the JSON-RPC node returns it (hex quantities), kept raw on the hot path. */
export type RpcLog = {
  address: Hex;
  blockHash: Hex;
  blockNumber: Hex;
  data: Hex;
  logIndex: Hex;
  transactionHash: Hex;
  transactionIndex: Hex;
  topics: Hex[];
  removed?: boolean;
};

export type GetLogsParameters = {
  /** Addresses and topic sets (`parseLogFilter`); its block bounds are ignored here. */
  filter: Pick<LogFilter, "addresses" | "topics">;
  fromBlock: number;
  toBlock: number;
};

export type GetLogsReturnType = RpcLog[];

/**
 * `eth_getLogs` over an inclusive block range, answering the node's raw logs (no per-log
 * formatting: the ingest decodes hex text directly). Errors are wrapped by `wrapRpcError`: a refused
 * range throws `LogRangeTooLargeError`.
 */
export async function getLogs(client: Client, params: GetLogsParameters): Promise<GetLogsReturnType> {
  const { filter, fromBlock, toBlock } = params;
  const topics = [...filter.topics];
  while (topics.length > 0 && topics[topics.length - 1] === undefined) topics.pop();
  const request = {
    fromBlock: numberToHex(fromBlock),
    toBlock: numberToHex(toBlock),
    ...(filter.addresses ? { address: filter.addresses.length === 1 ? filter.addresses[0] : filter.addresses } : {}),
    ...(topics.length > 0 ? { topics: topics.map((t) => (t === undefined ? null : t.length === 1 ? t[0] : t)) } : {}),
  };
  try {
    const logs = (await client.request({ method: "eth_getLogs", params: [request] } as never)) as RpcLog[];
    return logs;
  } catch (error) {
    throw wrapRpcError(error, "eth_getLogs", { fromBlock, toBlock });
  }
}
