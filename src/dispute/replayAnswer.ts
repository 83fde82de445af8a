import { bytesToHex } from "viem";
import type { QueryEngine } from "../engines/types";
import { compareInstants, formatInstant } from "../odf/time";
import type { Workspace } from "../odf/workspace/workspace";
import { decodeRequest } from "../oracle/codec/decodeRequest";
import { decodeResponse } from "../oracle/codec/decodeResponse";
import { RequestDecodeError } from "../oracle/codec/errors";
import type { ResponseValue } from "../oracle/codec/types";
import { executeRequest } from "../oracle/provider/executeRequest";
import type { QueryRunner } from "../oracle/provider/queryRunner";
import { toQueryRequest } from "../oracle/provider/queryRunner";
import type { NodeKey } from "../query/proof";
import { runQuery } from "../query/runQuery";

/** Outcome of replaying an answer. */
export type ReplayVerdict =
  | { verdict: "MATCH" }
  | {
      verdict: "MISMATCH";
      /** 0-based row and column of the first difference (row -1: the shape or the error differs). */
      row: number;
      column: number;
      expected: string;
      actual: string;
      reason: string;
    }
  | { verdict: "CANNOT_REPLAY"; reason: string; datasetId?: string; blockHash?: string };

export type ReplayDeps = {
  workspace: Workspace;
  engine: QueryEngine;
  nodeKey: NodeKey;
  /** Limits as generous as any provider's (default 1,000,000 rows, 64 MiB, 60 s). */
  maxRows?: number;
  maxResultBytes?: number;
  timeoutMs?: number;
  /**
   * Limits every provider is expected to answer within (default: the provider's defaults, 1000
   * rows, 64 KiB, 10 s). An error answer to a request the replay answers within them is wrong.
   */
  errorAnswerLimits?: { maxRows: number; maxResultBytes: number; timeoutMs: number };
};

/** What a replay needs of an answer; `answeredAt` (the answer block's time) sharpens the verdicts. */
export type ReplayedAnswer = { request: Uint8Array; response: Uint8Array; answeredAt?: Date };

const PROVIDER_DEFAULT_LIMITS = { maxRows: 1000, maxResultBytes: 64 * 1024, timeoutMs: 10_000 };

const show = (v: ResponseValue | undefined) =>
  v === undefined ? "(none)" : typeof v === "bigint" ? `${v}` : JSON.stringify(v);

/**
 * Replays an oracle answer: decodes the request, pins every dataset at the block hash the response
 * recorded, runs the query exactly as a provider does (`executeRequest`) and compares the bytes.
 * A mismatch names the first differing row and both values; a state naming a dataset the request
 * does not name is a mismatch; a dataset or block missing from the local workspace makes the
 * answer unreplayable rather than wrong (a fork of the dataset may hold the block). An error
 * answer records no versions: the replay runs at the local versions current when it was answered
 * (`answeredAt`, else the heads); it matches when it gives the same error bytes, is a mismatch
 * when it succeeds within `errorAnswerLimits`, and is unreplayable otherwise.
 */
export async function replayAnswer(deps: ReplayDeps, answer: ReplayedAnswer): Promise<ReplayVerdict> {
  let claimed: ReturnType<typeof decodeResponse>;
  try {
    claimed = decodeResponse(answer.response);
  } catch (error) {
    return {
      verdict: "MISMATCH",
      row: -1,
      column: -1,
      expected: "a valid v1 response",
      actual: bytesToHex(answer.response),
      reason: `undecodable response: ${(error as Error).message}`,
    };
  }
  let request: ReturnType<typeof decodeRequest> | undefined;
  try {
    request = decodeRequest(answer.request);
  } catch (error) {
    if (!(error instanceof RequestDecodeError)) throw error;
  }
  const pins = new Map<string, string>();
  if (claimed.ok && request) {
    const named = request.datasets.map((d) => d.id as string);
    const stranger = claimed.state.find((s) => !named.includes(s.datasetId));
    if (stranger) {
      return {
        verdict: "MISMATCH",
        row: -1,
        column: -1,
        expected: `a state over ${named.join(", ")}`,
        actual: `a state naming ${stranger.datasetId}`,
        reason: `the answer's state names dataset ${stranger.datasetId}, which the request does not name`,
      };
    }
  }
  if (claimed.ok) {
    for (const { datasetId, blockHash } of claimed.state) {
      if (!(await deps.workspace.has(datasetId))) {
        return {
          verdict: "CANNOT_REPLAY",
          reason: `dataset ${datasetId} is not in the local workspace`,
          datasetId,
          blockHash,
        };
      }
      const dataset = await deps.workspace.open(datasetId);
      let found = false;
      let head: { hash: string; systemTime: string } | undefined;
      for await (const b of dataset.chain.iterate()) {
        head ??= { hash: b.hash, systemTime: b.block.systemTime };
        if (b.hash === blockHash) {
          found = true;
          break;
        }
      }
      if (!found) {
        return {
          verdict: "CANNOT_REPLAY",
          reason: missingBlock(datasetId, blockHash, head, answer.answeredAt),
          datasetId,
          blockHash,
        };
      }
      pins.set(datasetId, blockHash);
    }
  } else if (request && answer.answeredAt) {
    // An error answer records no versions: replay at the versions this copy had when it was answered.
    const at = formatInstant(answer.answeredAt);
    for (const { id } of request.datasets) {
      if (!(await deps.workspace.has(id))) continue;
      for await (const b of (await deps.workspace.open(id)).chain.iterate()) {
        if (compareInstants(b.block.systemTime, at) <= 0) {
          pins.set(id, b.hash);
          break;
        }
      }
    }
  }
  const maxRows = deps.maxRows ?? 1_000_000;
  const maxResultBytes = deps.maxResultBytes ?? 64 * 1024 * 1024;
  const runner: QueryRunner = {
    kind: "local",
    run: (query) => {
      const request = toQueryRequest(query);
      const datasets = query.datasets.map((d) => {
        const blockHash = pins.get(d.id);
        return blockHash ? { ...d, blockHash } : d;
      });
      return runQuery(
        {
          engine: deps.engine,
          nodeKey: deps.nodeKey,
          limits: { maxRows: query.limit, maxResultBytes, timeoutMs: deps.timeoutMs ?? 60_000 },
        },
        { ...request, datasets },
      );
    },
  };
  const started = performance.now();
  const outcome = await executeRequest({ runner, maxRows, maxResultBytes }, bytesToHex(answer.request));
  const elapsedMs = performance.now() - started;
  if (outcome.kind === "unknown_dataset") {
    return {
      verdict: "CANNOT_REPLAY",
      reason: `dataset ${outcome.datasetId} is not in the local workspace`,
      datasetId: outcome.datasetId,
    };
  }
  if (Buffer.from(outcome.response).equals(Buffer.from(answer.response))) return { verdict: "MATCH" };
  if (!claimed.ok && request) {
    // An error answer records no dataset versions. A replay that succeeds within the limits every
    // provider answers within proves it wrong ("Query timed out" for a 5-row query); a different
    // error, or a result only larger limits hold, may depend on the provider's version or limits.
    const replayed = decodeResponse(outcome.response);
    const limits = deps.errorAnswerLimits ?? PROVIDER_DEFAULT_LIMITS;
    const versions = answer.answeredAt ? `the local versions current when it was answered` : "the local heads";
    if (
      replayed.ok &&
      replayed.rows.length <= limits.maxRows &&
      outcome.response.length <= limits.maxResultBytes &&
      elapsedMs <= limits.timeoutMs
    ) {
      return {
        verdict: "MISMATCH",
        row: -1,
        column: -1,
        expected: `success with ${replayed.rows.length} rows`,
        actual: `error "${claimed.errorMessage}"`,
        reason: `an error answer to a request the replay answers at ${versions} within ${limits.maxRows} rows, ${limits.maxResultBytes} bytes and ${limits.timeoutMs} ms`,
      };
    }
    return {
      verdict: "CANNOT_REPLAY",
      reason: `an error answer records no dataset versions ("${claimed.errorMessage}"); at ${versions} the replay gives ${
        replayed.ok
          ? `${replayed.rows.length} rows (${outcome.response.length} bytes, ${Math.round(elapsedMs)} ms), beyond the limits every provider answers within`
          : `"${replayed.errorMessage}"`
      }`,
    };
  }
  return describeMismatch(claimed, decodeResponse(outcome.response));
}

/** Why a recorded block is missing: not pulled yet, or absent although the local copy is newer. */
function missingBlock(
  datasetId: string,
  blockHash: string,
  head: { hash: string; systemTime: string } | undefined,
  answeredAt: Date | undefined,
): string {
  const missing = `block ${blockHash} of dataset ${datasetId} is not in the local copy`;
  if (!head || !answeredAt) return `${missing} (pull it first)`;
  const at = formatInstant(answeredAt);
  if (compareInstants(head.systemTime, at) < 0) {
    return `${missing}, whose head ${head.hash} (${head.systemTime}) is older than the answer (${at}): pull it first; if the copy is up to date, the block is in no history it holds and the arbiter decides`;
  }
  // Not provably wrong: the provider may hold a fork of the dataset (same id, other blocks).
  return `${missing}, although its head ${head.hash} (${head.systemTime}) is newer than the answer (${at}): a block this history lacks (made up, or a fork); the arbiter decides (dispute resolve --upheld --force)`;
}

/** Finds the first difference between the claimed and the replayed response. */
export function describeMismatch(
  claimed: ReturnType<typeof decodeResponse>,
  replayed: ReturnType<typeof decodeResponse>,
): ReplayVerdict {
  if (!claimed.ok || !replayed.ok) {
    const text = (r: typeof claimed) => (r.ok ? `success with ${r.rows.length} rows` : `error "${r.errorMessage}"`);
    return {
      verdict: "MISMATCH",
      row: -1,
      column: -1,
      expected: text(replayed),
      actual: text(claimed),
      reason: "the answer kind differs",
    };
  }
  const rows = Math.max(claimed.rows.length, replayed.rows.length);
  for (let r = 0; r < rows; r++) {
    const a = claimed.rows[r];
    const b = replayed.rows[r];
    const cols = Math.max(a?.length ?? 0, b?.length ?? 0);
    for (let c = 0; c < cols; c++) {
      const x = a?.[c];
      const y = b?.[c];
      if (show(x) !== show(y) || typeof x !== typeof y) {
        return {
          verdict: "MISMATCH",
          row: r,
          column: c,
          expected: show(y),
          actual: show(x),
          reason: a === undefined || b === undefined ? "the row counts differ" : "a value differs",
        };
      }
    }
  }
  return {
    verdict: "MISMATCH",
    row: -1,
    column: -1,
    expected: "the replayed bytes",
    actual: "different bytes",
    reason: "the rows agree but the encoding or the recorded state differs",
  };
}
