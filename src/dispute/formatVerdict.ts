import type { ReplayVerdict } from "./replayAnswer";

/** Exit codes of `odf dispute check`: 0 MATCH, 1 MISMATCH, 2 CANNOT-REPLAY, 3 the check itself failed. */
export const VERDICT_EXIT_CODES = { MATCH: 0, MISMATCH: 1, CANNOT_REPLAY: 2, ERROR: 3 } as const;

/** One line naming the verdict of a replay: `MATCH ...`, `MISMATCH ...` or `CANNOT-REPLAY ...`. */
export function formatVerdict(requestId: bigint, verdict: ReplayVerdict): string {
  switch (verdict.verdict) {
    case "MATCH":
      return `MATCH request ${requestId}: the answer replays byte for byte`;
    case "MISMATCH":
      return verdict.row < 0
        ? `MISMATCH request ${requestId}: ${verdict.reason}: answered ${verdict.actual}, replay gives ${verdict.expected}`
        : `MISMATCH request ${requestId}: row ${verdict.row}, column ${verdict.column}: answered ${verdict.actual}, replay gives ${verdict.expected} (${verdict.reason})`;
    case "CANNOT_REPLAY":
      return `CANNOT-REPLAY request ${requestId}: ${verdict.reason}`;
  }
}
