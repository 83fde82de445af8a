import type { EngineInfo } from "../engines/types";
import { type Commitment, computeCommitment } from "./commitment";
import { SigningNotConfiguredError } from "./errors";
import { type ExecuteQueryDeps, executeQuery, type NormalizedInput, type QueryOutput } from "./executeQuery";
import type { JsonValue } from "./jsonValue";
import { type NodeKey, type Proof, signCommitment } from "./proof";
import type { QueryRequest } from "./queryRequest";

/** Dependencies of `runQuery`: the engine and datasets, and the node key that signs proofs. */
export type RunQueryDeps = ExecuteQueryDeps & {
  /** Signs responses asked with `include: [Proof]`; without it such requests fail. */
  nodeKey?: NodeKey | undefined;
};

/** A `/query` response (the ODF node's `QueryResponse`, plus the engine that produced it). */
export type QueryResponse = {
  input?: NormalizedInput;
  output: QueryOutput;
  subQueries?: JsonValue[];
  commitment?: Commitment;
  proof?: Proof;
  engine: EngineInfo;
};

/**
 * Runs a `/query` request: executes it, and with `include: [Proof]` commits to its input, output and
 * (empty) sub-queries and signs the commitment with the node key. Throws engine errors as they are,
 * `InvalidQueryRequestError` for an unsupported dialect, `SigningNotConfiguredError` without a key.
 */
export async function runQuery(deps: RunQueryDeps, request: QueryRequest): Promise<QueryResponse> {
  const wantsProof = request.include.includes("Proof");
  if (wantsProof && !deps.nodeKey) throw new SigningNotConfiguredError();
  const { input, output, engine } = await executeQuery(deps, request);
  const response: QueryResponse = { output, engine };
  if (input.include.includes("Input")) response.input = input;
  if (wantsProof && deps.nodeKey) {
    const subQueries: JsonValue[] = [];
    const commitment = computeCommitment({ input: asJson(input), output: asJson(output), subQueries });
    response.subQueries = subQueries;
    response.commitment = commitment;
    response.proof = signCommitment(commitment, deps.nodeKey);
  }
  return orderResponse(response);
}

/** A typed object as the `JsonValue` it is (plain objects, arrays, strings, numbers). */
export function asJson(value: object): JsonValue {
  return value as unknown as JsonValue;
}

/** Puts the response's members in the ODF node's order: input, output, subQueries, commitment, proof. */
function orderResponse(response: QueryResponse): QueryResponse {
  return {
    ...(response.input ? { input: response.input } : {}),
    output: response.output,
    ...(response.subQueries ? { subQueries: response.subQueries } : {}),
    ...(response.commitment ? { commitment: response.commitment } : {}),
    ...(response.proof ? { proof: response.proof } : {}),
    engine: response.engine,
  };
}
