import { existsSync } from "node:fs";
import { JournalError } from "./errors";
import { createJournal } from "./journal";
import type { ProviderStatus } from "./provider";

/** Status as `odf provider status` shows it: from the running node, or read from the journal. */
export type ReadProviderStatusReturnType = Pick<ProviderStatus, "cursor" | "requests" | "backlog" | "lastAnswers"> &
  Partial<Pick<ProviderStatus, "head" | "blocksBehind" | "transactionsInFlight" | "insufficientFunds">> & {
    source: "node" | "journal";
  };

/**
 * Reads the provider status: asks the running node's `GET /status` first (the journal file is
 * locked while a node runs), else opens the journal read-only. Throws `JournalError` when there is
 * neither a running node nor a journal.
 */
export async function readProviderStatus(params: {
  journalPath: string;
  url: string;
}): Promise<ReadProviderStatusReturnType> {
  try {
    const response = await fetch(`${params.url}/status`, { signal: AbortSignal.timeout(2000) });
    if (response.ok) return { ...((await response.json()) as ProviderStatus), source: "node" };
  } catch {
    // No node listening: read the journal.
  }
  if (!existsSync(params.journalPath)) {
    throw new JournalError(`no provider journal at ${params.journalPath} and no provider answering at ${params.url}`);
  }
  const journal = await createJournal({ path: params.journalPath, readOnly: true });
  try {
    const [cursor, requests, answers] = await Promise.all([
      journal.getCursor(),
      journal.countByStatus(),
      journal.lastAnswers(10),
    ]);
    return {
      source: "journal",
      cursor: cursor ? { blockNumber: String(cursor.blockNumber), blockHash: cursor.blockHash } : null,
      requests,
      backlog: (requests.pending ?? 0) + (requests.waiting ?? 0) + (requests.sending ?? 0),
      lastAnswers: answers.map((r) => ({
        requestId: String(r.requestId),
        status: r.status,
        requestError: r.requestError,
        answeredAt: r.answeredAt,
      })),
    };
  } finally {
    await journal.close();
  }
}
