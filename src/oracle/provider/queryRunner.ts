import type { QueryEngine } from "../../engines/types";
import type { JsonValue } from "../../query/jsonValue";
import type { NodeKey } from "../../query/proof";
import type { QueryRequest } from "../../query/queryRequest";
import { type QueryResponse, runQuery } from "../../query/runQuery";

/** The `/query` request a provider sends for an oracle request (always `JsonAoA`, `Input` + `Proof`, explicit limit). */
export type ProviderQuery = Pick<QueryRequest, "query" | "skip" | "limit"> & {
  datasets: { id: string; alias: string }[];
};

/** Runs oracle queries and returns the signed `/query` response (as JSON: what is kept and served). */
export type QueryRunner = {
  /** `local` (in-process engine) or `remote` (an ODF node's `/query`). */
  readonly kind: "local" | "remote";
  run(query: ProviderQuery): Promise<QueryResponse | (JsonValue & object)>;
};

/** Builds the full `/query` body of a provider query. */
export function toQueryRequest(query: ProviderQuery): QueryRequest {
  return {
    query: query.query,
    queryDialect: "SqlDuckDb",
    dataFormat: "JsonAoA",
    include: ["Input", "Proof"],
    datasets: query.datasets,
    skip: query.skip,
    limit: query.limit,
  };
}

/**
 * The engine's result bound, per byte of `maxResultBytes`. The engine bounds its in-memory size
 * estimate (2 bytes a character, 8 to 24 a scalar), which is up to 12 times the CBOR response of the
 * same rows; `executeRequest` measures the encoded response itself, so the engine bound only keeps
 * memory in check and must never refuse a response that fits.
 */
export const ENGINE_BYTES_PER_RESPONSE_BYTE = 16;

/**
 * A runner on the in-process engine: the same `runQuery` as the HTTP API's `/query`, so the kept
 * response verifies with `POST /verify` on any node holding the datasets.
 */
export function createLocalQueryRunner(deps: {
  engine: QueryEngine;
  nodeKey: NodeKey;
  maxResultBytes: number;
  timeoutMs: number;
}): QueryRunner {
  return {
    kind: "local",
    run: (query) =>
      runQuery(
        {
          engine: deps.engine,
          nodeKey: deps.nodeKey,
          limits: {
            maxRows: query.limit,
            maxResultBytes: deps.maxResultBytes * ENGINE_BYTES_PER_RESPONSE_BYTE,
            timeoutMs: deps.timeoutMs,
          },
        },
        toQueryRequest(query),
      ),
  };
}
