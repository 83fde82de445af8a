import type { Client, Hex } from "viem";
import { LogRangeTooLargeError, ReorgDuringFetchError, RpcError } from "./errors";
import { getBlockHeader } from "./getBlockHeader";
import { getLogs, type RpcLog } from "./getLogs";
import type { LogFilter } from "./parseLogFilter";
import { type RetryPolicy, withRetries } from "./withRetries";

/** One contiguous, fully fetched block range, with what ingest and reorg detection need. */
export type FetchedRange = {
  fromBlock: number;
  toBlock: number;
  logs: RpcLog[];
  /** Timestamp (Unix seconds) of each block holding a log, by block hash: from headers, never interpolated. */
  timestamps: ReadonlyMap<string, number>;
  /** Hash of `toBlock`, unchanged while the logs were fetched. */
  toBlockHash: Hex;
  /** Hash of `fromBlock - 1` seen after the logs were fetched (continuity check), if `fromBlock > 0`. */
  parentHash: Hex | undefined;
  /** Whether every block up to the end has been asked for (only ranges in flight remain). */
  allRequested?: boolean;
};

export type FetchLogRangesParameters = {
  filter: Pick<LogFilter, "addresses" | "topics">;
  fromBlock: number;
  toBlock: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Blocks in the first requests (default 2: a dense chain must not start with one huge request, and small first answers start the pipeline early). */
  initialRange?: number;
  /** Largest range asked for (default 50 000 blocks). */
  maxRange?: number;
  /** Logs per request the range size aims at (default 5 000). */
  targetLogs?: number;
  /** Retries of transient failures (RPC errors, a reorg during a fetch). */
  retry?: RetryPolicy;
  /** Block timestamps by hash, shared across calls (the cache). */
  timestampCache?: Map<string, number>;
  /** Called on each retry (logging). */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Called when a range is refused and split (logging, tests). */
  onSplit?: (fromBlock: number, toBlock: number) => void;
};

type Task = { from: number; to: number; result: Promise<{ range: FetchedRange } | { split: true }> };

const CACHE_LIMIT = 50_000;

/**
 * Fetches the logs of `[fromBlock, toBlock]` and yields them as contiguous ranges in block order.
 * Ranges adapt: a range the node refuses (too many results, too wide) is split in two and the
 * following ranges shrink; sparse answers widen the next ranges towards `targetLogs` per request.
 * Up to `concurrency` requests are in flight; transient failures are retried with backoff.
 * Each range's end block hash is read before and after its logs: a change (a reorg during the
 * fetch) re-fetches the range, so every yielded range is consistent with `toBlockHash`.
 */
export async function* fetchLogRanges(client: Client, params: FetchLogRangesParameters): AsyncGenerator<FetchedRange> {
  const concurrency = Math.max(1, params.concurrency ?? 4);
  const targetLogs = params.targetLogs ?? 5_000;
  let maxRange = Math.max(1, params.maxRange ?? 50_000);
  let span = Math.min(maxRange, Math.max(1, params.initialRange ?? 2));
  const retry = params.retry ?? { retries: 5, baseDelayMs: 200 };
  const cache = params.timestampCache ?? new Map<string, number>();
  const onRetry = params.onRetry ? (e: unknown, attempt: number) => params.onRetry?.(e, attempt) : undefined;

  const header = (blockNumber: number) =>
    withRetries(
      async () => {
        const h = await getBlockHeader(client, { blockNumber });
        if (!h) throw new RpcError({ method: "eth_getBlockByNumber", problem: `block ${blockNumber} not found` });
        return h;
      },
      retry,
      onRetry,
    );

  const fetchRange = async (from: number, to: number): Promise<FetchedRange> => {
    const before = await header(to);
    const logs = await withRetries(
      () => getLogs(client, { filter: params.filter, fromBlock: from, toBlock: to }),
      retry,
      onRetry,
    );
    const distinct = new Map<number, string>();
    for (const log of logs) {
      if (log.removed) continue;
      const n = Number.parseInt(log.blockNumber, 16);
      const known = distinct.get(n);
      if (known !== undefined && known !== log.blockHash) throw new ReorgDuringFetchError({ blockNumber: n });
      distinct.set(n, log.blockHash);
    }
    const wanted = [...distinct].filter(([, hash]) => !cache.has(hash));
    const [after, parent, ...headers] = await Promise.all([
      header(to),
      from > 0 ? header(from - 1) : Promise.resolve(undefined),
      ...wanted.map(([n]) => header(n)),
    ]);
    if (after.hash !== before.hash) throw new ReorgDuringFetchError({ blockNumber: to });
    const timestamps = new Map<string, number>();
    for (const h of headers) {
      if (distinct.get(h.number) !== h.hash) throw new ReorgDuringFetchError({ blockNumber: h.number });
      cache.set(h.hash, h.timestamp);
    }
    for (const hash of distinct.values()) timestamps.set(hash, cache.get(hash) as number);
    if (cache.size > CACHE_LIMIT) {
      for (const key of [...cache.keys()].slice(0, cache.size - CACHE_LIMIT / 2)) cache.delete(key);
    }
    return {
      fromBlock: from,
      toBlock: to,
      logs: logs.length > 0 && logs.some((l) => l.removed) ? logs.filter((l) => !l.removed) : logs,
      timestamps,
      toBlockHash: after.hash,
      parentHash: parent?.hash,
    };
  };

  const start = (from: number, to: number): Task => ({
    from,
    to,
    result: withRetries(() => fetchRange(from, to), retry, onRetry).then(
      (range) => ({ range }),
      (error: unknown) => {
        if (error instanceof LogRangeTooLargeError) return { split: true as const };
        throw error;
      },
    ),
  });

  const queue: Task[] = [];
  let next = params.fromBlock;
  try {
    for (;;) {
      while (queue.length < concurrency && next <= params.toBlock) {
        const to = Math.min(params.toBlock, next + span - 1);
        queue.push(start(next, to));
        next = to + 1;
      }
      const task = queue[0];
      if (!task) return;
      const outcome = await task.result;
      if ("split" in outcome) {
        if (task.from === task.to) {
          throw new RpcError({ method: "eth_getLogs", problem: `the node refuses even the single block ${task.from}` });
        }
        params.onSplit?.(task.from, task.to);
        const size = task.to - task.from + 1;
        maxRange = Math.max(1, Math.min(maxRange, Math.floor(size / 2)));
        span = Math.min(span, maxRange);
        const mid = task.from + Math.floor(size / 2) - 1;
        queue.splice(0, 1, start(task.from, mid), start(mid + 1, task.to));
        continue;
      }
      queue.shift();
      const { range } = outcome;
      const blocks = range.toBlock - range.fromBlock + 1;
      const wanted = range.logs.length === 0 ? span * 2 : Math.floor((targetLogs * blocks) / range.logs.length);
      span = Math.max(1, Math.min(maxRange, span * 2, wanted));
      yield { ...range, allRequested: next > params.toBlock };
    }
  } finally {
    // Leave no unhandled rejection behind when the consumer stops early or a range failed.
    for (const task of queue) task.result.catch(() => undefined);
  }
}
