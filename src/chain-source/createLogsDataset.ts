import { type Hex, toEventSelector } from "viem";
import type { FetchStepEthereumLogs, SetPollingSource } from "../odf/metadata/types";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { ChainSourceConfigError } from "./errors";
import { parseEventSignature } from "./parseEventSignature";
import { parseLogFilter } from "./parseLogFilter";

export type CreateLogsDatasetParameters = {
  alias: string;
  /** RPC URL stored in the fetch step (`nodeUrl`). */
  nodeUrl?: string;
  chainId?: number;
  /** Contract addresses (OR). */
  addresses?: readonly string[];
  /** Solidity event signature: decoded into the `event` column, and (by default) its topic0 is filtered on. */
  signature?: string;
  /**
   * Add `topic0 = <the event's selector>` to the filter (default true). With false, every log of
   * the addresses is fetched and those of other events are skipped and counted (or fail the pull).
   */
  matchTopic0?: boolean;
  /** First block to ingest (`block_number >= N`). */
  fromBlock?: number;
  /** Further filter text, ANDed (ODF filter grammar). */
  filter?: string;
  systemTime?: string;
};

/** The `EthereumLogs` polling source for the given parameters (filter text built and checked). */
export function ethereumLogsSource(
  params: Omit<CreateLogsDatasetParameters, "alias" | "systemTime">,
): SetPollingSource {
  if (params.nodeUrl === undefined && params.chainId === undefined) {
    throw new ChainSourceConfigError("An EthereumLogs source needs an RPC URL (--rpc) or a chain id (--chain-id)");
  }
  const parts: string[] = [];
  if (params.addresses && params.addresses.length > 0) {
    const values = params.addresses.map((a) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw new ChainSourceConfigError(`Not an address: ${JSON.stringify(a)}`);
      return `address = X'${a.slice(2).toLowerCase()}'`;
    });
    parts.push(values.length === 1 ? (values[0] as string) : `(${values.join(" OR ")})`);
  }
  let signature: string | undefined;
  if (params.signature !== undefined) {
    const event = parseEventSignature(params.signature);
    signature = params.signature.trim().replace(/^event\s+/, "");
    if (params.matchTopic0 !== false) parts.push(`topic0 = X'${(toEventSelector(event) as Hex).slice(2)}'`);
  }
  if (params.fromBlock !== undefined) parts.push(`block_number >= ${params.fromBlock}`);
  if (params.filter !== undefined && params.filter.trim() !== "") parts.push(`(${params.filter.trim()})`);
  const filter = parts.length > 0 ? parts.join(" AND ") : undefined;
  parseLogFilter(filter);
  const fetch: FetchStepEthereumLogs = {
    kind: "EthereumLogs",
    ...(params.chainId !== undefined ? { chainId: params.chainId } : {}),
    ...(params.nodeUrl !== undefined ? { nodeUrl: params.nodeUrl } : {}),
    ...(filter !== undefined ? { filter } : {}),
    ...(signature !== undefined ? { signature } : {}),
  };
  return { kind: "SetPollingSource", fetch, read: { kind: "Parquet" }, merge: { kind: "Append" } };
}

/**
 * Creates a root dataset (`odf dataset new <alias> --from-logs ...`) whose polling source reads
 * EVM logs: a Seed and a `SetPollingSource` with an `EthereumLogs` fetch step. The filter is
 * checked for push-down before anything is written.
 */
export async function createLogsDataset(workspace: Workspace, params: CreateLogsDatasetParameters): Promise<Dataset> {
  const source = ethereumLogsSource(params);
  const dataset = await workspace.create({
    alias: params.alias,
    kind: "Root",
    ...(params.systemTime ? { systemTime: params.systemTime } : {}),
  });
  await dataset.chain.append(source, params.systemTime ? { systemTime: params.systemTime } : {});
  return dataset;
}
