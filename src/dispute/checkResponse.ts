import type { Address, PublicClient } from "viem";
import { type OnChainAnswer, readAnswer } from "./readAnswer";
import { type ReplayDeps, type ReplayVerdict, replayAnswer } from "./replayAnswer";

export type CheckResponseParameters = {
  client: PublicClient;
  oracle: Address;
  requestId: bigint;
  /** First block to search for the request's events (default 0). */
  fromBlock?: bigint;
};

/** The replay verdict with the on-chain answer it judged. */
export type CheckResponseReturnType = ReplayVerdict & { answer: OnChainAnswer };

/**
 * Checks an oracle answer by replay: reads the request and its committed response from the chain
 * (`SendRequest`, `ProvideResult`, the stored commitment), rebuilds the query pinned at the
 * dataset blocks the response recorded, runs it on the local workspace exactly as a provider does
 * and compares the bytes. MATCH, MISMATCH (first differing row and both values) or CANNOT_REPLAY
 * (a dataset or block missing locally).
 * @throws DisputeLookupError when the request or its answer is not on chain.
 */
export async function checkResponse(
  deps: ReplayDeps,
  params: CheckResponseParameters,
): Promise<CheckResponseReturnType> {
  const answer = await readAnswer(params.client, {
    oracle: params.oracle,
    requestId: params.requestId,
    ...(params.fromBlock === undefined ? {} : { fromBlock: params.fromBlock }),
  });
  const verdict = await replayAnswer(deps, answer);
  return { ...verdict, answer };
}
