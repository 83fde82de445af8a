import { bytesToHex } from "viem";
import type { QueryEngine } from "../engines/types";
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
};

const show = (v: ResponseValue | undefined) =>
  v === undefined ? "(none)" : typeof v === "bigint" ? `${v}` : JSON.stringify(v);

/**
 * Replays an oracle answer: decodes the request, pins every dataset at the block hash the response
 * recorded, runs the query exactly as a provider does (`executeRequest`) and compares the bytes.
 * A mismatch names the first differing row and both values; a dataset or block missing from the
 * local workspace makes the answer unreplayable rather than wrong. An error answer records no
 * versions: it matches when the replay at the local heads gives the same error bytes, and is
 * unreplayable otherwise.
 */
export async function replayAnswer(
  deps: ReplayDeps,
  answer: { request: Uint8Array; response: Uint8Array },
): Promise<ReplayVerdict> {
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
  let requestOk = true;
  try {
    decodeRequest(answer.request);
  } catch (error) {
    if (!(error instanceof RequestDecodeError)) throw error;
    requestOk = false;
  }
  const pins = new Map<string, string>();
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
      for await (const b of dataset.chain.iterate()) {
        if (b.hash === blockHash) {
          found = true;
          break;
        }
      }
      if (!found) {
        return {
          verdict: "CANNOT_REPLAY",
          reason: `block ${blockHash} of dataset ${datasetId} is not in the local copy (pull it first)`,
          datasetId,
          blockHash,
        };
      }
      pins.set(datasetId, blockHash);
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
  const outcome = await executeRequest({ runner, maxRows, maxResultBytes }, bytesToHex(answer.request));
  if (outcome.kind === "unknown_dataset") {
    return {
      verdict: "CANNOT_REPLAY",
      reason: `dataset ${outcome.datasetId} is not in the local workspace`,
      datasetId: outcome.datasetId,
    };
  }
  if (Buffer.from(outcome.response).equals(Buffer.from(answer.response))) return { verdict: "MATCH" };
  if (!claimed.ok && requestOk) {
    // An error answer records no dataset versions: the replay ran at the local heads, which proves
    // an error that does not depend on the data (bad SQL, a refused function) but nothing else.
    const replayed = decodeResponse(outcome.response);
    return {
      verdict: "CANNOT_REPLAY",
      reason: `an error answer records no dataset versions ("${claimed.errorMessage}"); at the local heads the replay gives ${
        replayed.ok ? `${replayed.rows.length} rows` : `"${replayed.errorMessage}"`
      }`,
    };
  }
  return describeMismatch(claimed, decodeResponse(outcome.response));
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
