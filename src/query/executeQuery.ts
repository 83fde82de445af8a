import type { DatasetRef, DatasetResolver, EngineInfo, QueryEngine, QueryLimits } from "../engines/types";
import { InvalidQueryRequestError } from "./errors";
import type { JsonValue } from "./jsonValue";
import { layoutJsonData } from "./outputData";
import {
  type DataFormat,
  INCLUDES,
  type Include,
  QUERY_DIALECT,
  type QueryRequest,
  type SchemaFormat,
} from "./queryRequest";
import { describeResultSchema } from "./resultSchema";

/** What running a query needs: the engine, and the workspace's datasets for requests that name none. */
export type ExecuteQueryDeps = {
  engine: QueryEngine;
  /** Lists the datasets visible when a request names none (`GET /query`, `odf sql`). */
  resolver?: DatasetResolver | undefined;
  /** Overrides of the engine's default limits for API queries. */
  limits?: Partial<QueryLimits> | undefined;
};

/** The normalized request, as committed by `inputHash`: every field present, datasets resolved. */
export type NormalizedInput = {
  query: string;
  queryDialect: string;
  dataFormat: DataFormat;
  include: Include[];
  schemaFormat?: SchemaFormat;
  datasets: { id: string; alias: string; blockHash: string }[];
  skip: number;
  limit: number;
};

/** `output` of a response. */
export type QueryOutput = {
  data: JsonValue;
  dataFormat: DataFormat;
  schema?: JsonValue;
  schemaFormat?: SchemaFormat;
};

/** What one run of a query gives: its normalized input, its output and the engine that ran it. */
export type ExecutedQuery = { input: NormalizedInput; output: QueryOutput; engine: EngineInfo };

/**
 * Runs a parsed request on the engine and builds its normalized `input` and its `output`. Applies
 * the ODF node's rules: `Proof` implies `Input`; a `schemaFormat` implies `Schema` (default
 * `ArrowJson`). Engine errors (`src/engines/errors.ts`) pass through unchanged.
 */
export async function executeQuery(deps: ExecuteQueryDeps, request: QueryRequest): Promise<ExecutedQuery> {
  if (request.queryDialect.toLowerCase() !== QUERY_DIALECT.toLowerCase()) {
    throw new InvalidQueryRequestError(
      `queryDialect ${JSON.stringify(request.queryDialect)} is not supported (this node runs ${QUERY_DIALECT})`,
    );
  }
  const include = new Set<Include>(request.include);
  if (include.has("Proof")) include.add("Input");
  if (request.schemaFormat !== undefined) include.add("Schema");
  const schemaFormat = include.has("Schema") ? (request.schemaFormat ?? "ArrowJson") : undefined;

  const datasets: DatasetRef[] = request.datasets
    ? request.datasets.map((d) => ({ id: d.id, alias: d.alias, ...(d.blockHash ? { blockHash: d.blockHash } : {}) }))
    : ((await deps.resolver?.list?.()) ?? []).map((d) => ({ id: d.id, alias: d.alias }));

  const result = await deps.engine.query({
    sql: request.query,
    datasets,
    window: { skip: request.skip, limit: request.limit },
    ...(deps.limits ? { limits: deps.limits } : {}),
  });

  const output: QueryOutput = { data: layoutJsonData(result, request.dataFormat), dataFormat: request.dataFormat };
  if (schemaFormat !== undefined) {
    output.schema = describeResultSchema(result.columns, schemaFormat);
    output.schemaFormat = schemaFormat;
  }
  const input: NormalizedInput = {
    query: request.query,
    queryDialect: QUERY_DIALECT,
    dataFormat: request.dataFormat,
    include: INCLUDES.filter((i) => include.has(i)),
    ...(schemaFormat !== undefined ? { schemaFormat } : {}),
    datasets: result.datasets.map((d) => ({ id: d.id, alias: d.alias, blockHash: d.blockHash })),
    skip: request.skip,
    limit: request.limit,
  };
  return { input, output, engine: result.engine };
}
