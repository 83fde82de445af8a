import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Client, Hex } from "viem";
import { openDuckDb } from "../engines/duckdb/openDuckDb";
import type { AddData } from "../odf/metadata/types";
import { createScratchDir } from "../odf/orphans";
import { appendData } from "../odf/workspace/appendData";
import { withDatasetLock } from "../odf/workspace/datasetLock";
import type { Dataset } from "../odf/workspace/workspace";
import { compileEventDecoder } from "./compileEventDecoder";
import { createLogStage, type LogStage } from "./createLogStage";
import { createRpcClient } from "./createRpcClient";
import { encodeLogRows, type OnMismatch } from "./encodeLogRows";
import { ChainIdMismatchError, ReorgDuringFetchError, ReorgTooDeepError } from "./errors";
import { fetchLogRanges } from "./fetchLogRanges";
import { getBlockHeader } from "./getBlockHeader";
import { getChainId } from "./getChainId";
import { resolveSourceConfig } from "./resolveSourceConfig";
import {
  type BlockRef,
  formatRecentBlocks,
  formatSourceState,
  mergeRecentBlocks,
  parseRecentBlocks,
  parseSourceState,
  SOURCE_NAME,
} from "./sourceState";
import { type RetryPolicy, withRetries } from "./withRetries";

/** Progress of a pull, reported after every fetched range and every commit. */
export type ChainSourceProgress = {
  phase: "scan" | "commit" | "done";
  fromBlock: number;
  toBlock: number;
  /** Last block whose logs are fetched (`fromBlock - 1` before the first range). */
  scannedTo: number;
  logs: number;
  retracted: number;
  mismatched: number;
  commits: number;
  elapsedMs: number;
};

/** Per-pull options (the dataset's fetch step holds the rest). */
export type ChainSourcePullOptions = {
  /** RPC URLs tried before the fetch step's `nodeUrl`, in order (fallback on failure). */
  rpcUrls?: readonly string[];
  /** Ingest up to `latest - confirmations` (default 0), or up to the `finalized` block. */
  confirmations?: number | "finalized";
  /** First block when the dataset has no state yet (default: the filter's lower bound, else 0). */
  fromBlock?: number;
  /** Last block to ingest in this pull (default: the confirmed head). */
  toBlock?: number;
  /** Skip and count logs the event does not decode (default), or fail the pull. */
  onMismatch?: OnMismatch;
  /**
   * Commit a data slice every this many staged rows (default 50 000). Commits run in the background
   * while the next ranges are fetched and staged; once the last ranges are in flight, a stage of at
   * least a quarter of this is committed early, so that the pull ends on a small commit.
   */
  commitRows?: number;
  /** Concurrent `eth_getLogs` requests (default 4). */
  concurrency?: number;
  /** Blocks per request to start with (default 2); ranges adapt from there. */
  initialRange?: number;
  /** Largest block range per request (default 50 000). */
  maxRange?: number;
  /** Logs per request the ranges aim at (default 5 000). */
  targetLogs?: number;
  /** How far below the last ingested block a reorg is searched for (default 4 096 blocks). */
  maxReorgDepth?: number;
  retry?: RetryPolicy;
  /** Block system time of the written blocks (default: now). */
  systemTime?: string;
  onProgress?: (progress: ChainSourceProgress) => void;
};

/** What a pull did. */
export type ChainSourcePullResult = {
  /** Whether any block was appended. */
  updated: boolean;
  fromBlock: number;
  toBlock: number;
  /** Logs appended (`+A`). */
  logs: number;
  /** Logs retracted (`-R`) because their blocks left the canonical chain. */
  retracted: number;
  /** Logs skipped because they do not decode as the event. */
  mismatched: number;
  /** AddData blocks written. */
  commits: number;
  /** The block a reorg was rolled back to, if one was found. */
  reorgForkBlock?: number;
  /** Last ingested block (the ETag), after the pull. */
  lastBlock?: BlockRef;
};

/** A minimal logger (pino-compatible). */
export type ChainSourceLogger = {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
};

export type CreateChainSourceParameters = {
  logger?: ChainSourceLogger;
  /** Builds the RPC client for a list of URLs (default: `createRpcClient`). */
  createClient?: (urls: readonly string[]) => Client;
};

/** Ingests EVM logs into root datasets whose polling source is `EthereumLogs`. */
export type ChainSource = {
  /** Brings the dataset up to the confirmed head once (resuming, and rolling back reorgs). */
  pull(dataset: Dataset, options?: ChainSourcePullOptions): Promise<ChainSourcePullResult>;
  /** Pulls, then keeps following the head every `intervalMs` until `signal` aborts. */
  watch(
    dataset: Dataset,
    options: ChainSourcePullOptions & {
      signal: AbortSignal;
      intervalMs?: number;
      onPull?: (result: ChainSourcePullResult) => void;
    },
  ): Promise<void>;
};

const RECENT_BLOCKS = 64;
const REORG_RESTARTS = 5;

/**
 * Creates the chain source. A pull:
 * 1. reads the dataset's `EthereumLogs` step, checks the RPC's chain id;
 * 2. resumes from the ETag `"<block>@<hash>"`; when that block is no longer canonical, finds the
 *    highest still-canonical known block (recent block hashes kept in `AddData.extra`, and the
 *    blocks of live logs) and stages retractions (`op` = 1) for every live log above it;
 * 3. fetches logs up to `latest - confirmations` (or `finalized`) in adaptive, concurrent ranges,
 *    with block timestamps from headers, decodes them (`event` struct) and stages them;
 * 4. commits a data slice and one `AddData` (new ETag, recent blocks) every `commitRows` rows, once
 *    early when the last ranges are in flight (see `commitRows`) and at the end, so a killed pull
 *    resumes with no missing and no duplicate log.
 */
export function createChainSource(deps: CreateChainSourceParameters = {}): ChainSource {
  const clients = new Map<string, Client>();
  const timestampCache = new Map<string, number>();
  const clientFor = (urls: readonly string[]) => {
    const key = urls.join(" ");
    let client = clients.get(key);
    if (!client) {
      client = deps.createClient ? deps.createClient(urls) : createRpcClient({ urls });
      clients.set(key, client);
    }
    return client;
  };

  const pullOnce = async (dataset: Dataset, options: ChainSourcePullOptions): Promise<ChainSourcePullResult> => {
    const started = performance.now();
    const retry = options.retry ?? { retries: 5, baseDelayMs: 200 };
    const state = await dataset.chain.state();
    const config = resolveSourceConfig(state, options.rpcUrls ?? []);
    const client = clientFor(config.urls);
    if (config.chainId !== undefined) {
      const actual = await withRetries(() => getChainId(client), retry);
      if (actual !== config.chainId)
        throw new ChainIdMismatchError({ expected: config.chainId, actual, urls: config.urls });
    }
    const decoder = config.event ? compileEventDecoder(config.event) : undefined;
    const cursor = parseSourceState(state.sourceStates[SOURCE_NAME]);
    let recent = cursor ? await readRecentBlocks(dataset) : [];
    const slicePaths = state.slices.map((s) => dataset.store.objectPath("data", s.slice.physicalHash));

    // The canonical header at a height, undefined when the node has no such block (the chain got
    // shorter). An RPC failure throws, after retries: only a header the node returned decides a reorg.
    const canonicalHeader = (blockNumber: number) => withRetries(() => getBlockHeader(client, { blockNumber }), retry);
    const confirmed = async (): Promise<number> => {
      if (options.confirmations === "finalized") {
        const f = await withRetries(() => getBlockHeader(client, { blockTag: "finalized" }), retry);
        return f ? f.number : -1;
      }
      const latest = await withRetries(() => getBlockHeader(client, { blockTag: "latest" }), retry);
      return (latest?.number ?? -1) - (options.confirmations ?? 0);
    };

    // Staged rows wait here for their commit; a killed pull's directory is reclaimed by the next one.
    const tempDir = await createScratchDir(tmpdir(), "odf-logs");
    const db = await openDuckDb({ threads: 2 });
    let second: DuckDBConnection | undefined;
    let queue: Promise<void> = Promise.resolve();
    try {
      // Two stages on two connections (temp tables are per connection): while one is committed in
      // the background, the next ranges are staged into the other.
      second = await db.instance.connect();
      const stages: readonly [LogStage, LogStage] = [
        await createLogStage({ connection: db.connection, event: config.event, tempDir }),
        await createLogStage({ connection: second, event: config.event, tempDir }),
      ];
      const connections: readonly [DuckDBConnection, DuckDBConnection] = [db.connection, second];
      let current: 0 | 1 = 0;
      let stage: LogStage = stages[current];
      // Commits run one after the other (chain order); `committing[i]` is stage i's last commit.
      const committing: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
      let failure: unknown;
      const result: ChainSourcePullResult = {
        updated: false,
        fromBlock: 0,
        toBlock: -1,
        logs: 0,
        retracted: 0,
        mismatched: 0,
        commits: 0,
      };
      let last: BlockRef | undefined = cursor;
      let start: number;

      if (cursor) {
        const canonical = await canonicalHeader(cursor.number);
        if (canonical?.hash === cursor.hash) {
          start = cursor.number + 1;
        } else {
          const fork = await findForkPoint(cursor, recent, slicePaths);
          result.reorgForkBlock = fork.number;
          deps.logger?.warn(
            { lastBlock: cursor.number, forkBlock: fork.number },
            "reorg: rolling back to the last canonical block",
          );
          result.retracted = await stage.insertRetractions(slicePaths, fork.number);
          recent = recent.filter((b) => b.number <= fork.number);
          last = fork;
          start = fork.number + 1;
        }
      } else {
        start = Math.max(options.fromBlock ?? 0, config.filter.fromBlock ?? 0);
      }
      const end = Math.min(
        await confirmed(),
        config.filter.toBlock ?? Number.MAX_SAFE_INTEGER,
        options.toBlock ?? Number.MAX_SAFE_INTEGER,
      );
      result.fromBlock = start;
      result.toBlock = end;
      const progress = (phase: ChainSourceProgress["phase"], scannedTo: number) =>
        options.onProgress?.({
          phase,
          fromBlock: start,
          toBlock: end,
          scannedTo,
          logs: result.logs,
          retracted: result.retracted,
          mismatched: result.mismatched,
          commits: result.commits,
          elapsedMs: performance.now() - started,
        });

      let committed = cursor;
      /** Queues the commit of the current stage (with the ETag of the last staged block) and switches stages. */
      const commit = async () => {
        if (!last) return;
        const sameState = committed?.number === last.number && committed.hash === last.hash;
        if (stage.rowCount() === 0 && sameState) return;
        const index = current;
        const staged = stage;
        const etag = last;
        const extra = formatRecentBlocks(recent);
        committed = last;
        const job = queue.then(async () => {
          const appended = await appendData(dataset, {
            connection: connections[index],
            ...(await staged.sliceSource()),
            sourceState: formatSourceState(etag),
            extra,
            ...(options.systemTime ? { systemTime: options.systemTime } : {}),
          });
          if (appended.blockHash !== undefined) {
            result.commits++;
            result.updated = true;
          }
          await staged.clear();
          progress("commit", etag.number);
        });
        queue = job.catch((error: unknown) => {
          failure ??= error;
        });
        committing[index] = queue;
        current = current === 0 ? 1 : 0;
        stage = stages[current];
        // The other stage may still be committing its previous rows: wait for it before reusing it.
        await committing[current];
        if (failure !== undefined) throw failure;
      };

      progress("scan", start - 1);
      if (start <= end) {
        const ranges = fetchLogRanges(client, {
          filter: config.filter,
          fromBlock: start,
          toBlock: end,
          retry,
          timestampCache,
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.initialRange !== undefined ? { initialRange: options.initialRange } : {}),
          ...(options.maxRange !== undefined ? { maxRange: options.maxRange } : {}),
          ...(options.targetLogs !== undefined ? { targetLogs: options.targetLogs } : {}),
          onRetry: (error, attempt) => deps.logger?.warn({ attempt, error: String(error) }, "retrying an RPC call"),
          onSplit: (from, to) =>
            deps.logger?.info({ fromBlock: from, toBlock: to }, "log range refused by the node; splitting"),
        });
        const commitRows = options.commitRows ?? 50_000;
        let tailStarted = false;
        for await (const range of ranges) {
          // Continuity: the chain under this range must extend the blocks already staged.
          if (
            last &&
            range.parentHash !== undefined &&
            last.number === range.fromBlock - 1 &&
            range.parentHash !== last.hash
          ) {
            throw new ReorgDuringFetchError({ blockNumber: last.number });
          }
          const encoded = encodeLogRows({
            logs: range.logs,
            timestamps: range.timestamps,
            decoder,
            onMismatch: options.onMismatch ?? "skip",
            firstRow: stage.rowCount(),
          });
          if (failure !== undefined) throw failure;
          await stage.insertRows(encoded);
          result.logs += encoded.rows;
          result.mismatched += encoded.mismatched;
          last = { number: range.toBlock, hash: range.toBlockHash };
          recent = mergeRecentBlocks(recent, [last], RECENT_BLOCKS);
          progress("scan", range.toBlock);
          if (stage.rowCount() >= commitRows) await commit();
          else if (range.allRequested && !tailStarted) {
            // The last ranges are in flight: a well-filled stage is committed while they arrive,
            // rather than after them, so that the end of the pull waits for a small commit only.
            tailStarted = true;
            if (stage.rowCount() >= commitRows / 4) await commit();
          }
        }
      } else if (cursor && last && last !== cursor) {
        // Rolled back past the confirmed head: the retractions alone, at the fork block.
        recent = mergeRecentBlocks(recent, [last], RECENT_BLOCKS);
      }
      await commit();
      await queue;
      if (failure !== undefined) throw failure;
      if (last) result.lastBlock = last;
      progress("done", Math.max(start - 1, last?.number ?? start - 1));
      for (const s of stages) await s.drop();
      return result;
    } finally {
      // A failed pull must not close the database under a commit still running.
      await queue;
      second?.closeSync();
      db.close();
      await rm(tempDir, { recursive: true, force: true });
    }

    /** The highest known block that is still canonical, searching down from the last ingested one. */
    async function findForkPoint(
      from: BlockRef,
      known: readonly BlockRef[],
      paths: readonly string[],
    ): Promise<BlockRef> {
      const depth = options.maxReorgDepth ?? 4096;
      const lowest = Math.max(0, from.number - depth);
      const scratch = await openDuckDb({ threads: 2 });
      let candidates: BlockRef[];
      try {
        const stage = await createLogStage({ connection: scratch.connection, tempDir });
        const logBlocks = await stage.liveLogBlocks(paths, lowest, from.number);
        candidates = mergeRecentBlocks(
          logBlocks.map((b) => ({ number: b.number, hash: b.hash as Hex })),
          known.filter((b) => b.number >= lowest && b.number < from.number),
          Number.MAX_SAFE_INTEGER,
        );
      } finally {
        scratch.close();
      }
      for (const candidate of candidates) {
        if (candidate.number >= from.number) continue;
        const canonical = await canonicalHeader(candidate.number);
        if (canonical?.hash === candidate.hash) return candidate;
      }
      throw new ReorgTooDeepError({ lastBlock: from.number, searchedDownTo: lowest });
    }
  };

  const pull: ChainSource["pull"] = (dataset, options = {}) =>
    withDatasetLock(dataset, "chain source pull", async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await pullOnce(dataset, options);
        } catch (error) {
          if (!(error instanceof ReorgDuringFetchError) || attempt >= REORG_RESTARTS) throw error;
          deps.logger?.warn({ attempt: attempt + 1 }, "the chain reorganized during the pull; pulling again");
        }
      }
    });

  const watch: ChainSource["watch"] = async (dataset, options) => {
    const { signal, intervalMs = 2_000, onPull, ...pullOptions } = options;
    while (!signal.aborted) {
      const result = await pull(dataset, pullOptions);
      onPull?.(result);
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, intervalMs);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    }
  };

  return { pull, watch };
}

/** Recent canonical blocks recorded by the last AddData that carries them (newest first). */
async function readRecentBlocks(dataset: Dataset): Promise<BlockRef[]> {
  for await (const stored of dataset.chain.iterate()) {
    const event = stored.block.event;
    if (event.kind !== "AddData") continue;
    const blocks = parseRecentBlocks((event as AddData).extra);
    if (blocks.length > 0) return blocks;
    if (event.newSourceState) return [];
  }
  return [];
}
