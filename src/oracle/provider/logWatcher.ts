import type { Address, Hex, PublicClient } from "viem";
import { provideResultEvent, sendRequestEvent } from "./abi";
import type { Journal } from "./journal";
import { errorFields, type ProviderLogger } from "./logger";

/** A `SendRequest` log. */
export type SendRequestLog = {
  requestId: bigint;
  consumer: Address;
  request: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
};

/** A `ProvideResult` log. */
export type ProvideResultLog = {
  requestId: bigint;
  consumer: Address;
  provider: Address;
  response: Hex;
  requestError: boolean;
  consumerError: boolean;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
};

/**
 * The logs of a block range, scanned again on every poll: the provider reconciles its journal with
 * it (a journaled request at or after `fromBlock` that is not in `sendRequests` was removed by a reorg).
 */
export type LogBatch = {
  fromBlock: bigint;
  toBlock: bigint;
  head: bigint;
  sendRequests: SendRequestLog[];
  provideResults: ProvideResultLog[];
};

/** Parameters of `createLogWatcher`. */
export type LogWatcherParameters = {
  client: PublicClient;
  journal: Journal;
  logger: ProviderLogger;
  oracleAddress: Address;
  confirmations: number;
  startBlock: number;
  rescanBlocks: number;
  maxBlockRange: number;
  pollIntervalMs: number;
  /** Handles a batch; the cursor moves only after it resolves (a throw means the range is scanned again). */
  onBatch(batch: LogBatch): Promise<void>;
  /** Called after every poll with the head and the blocks the cursor is behind it (for metrics). */
  onPoll?(info: { head: bigint; behind: bigint }): void;
  /** Called when a poll fails (the next poll retries). */
  onError?(error: unknown): void;
};

/** The log watcher: polls `eth_getLogs` (woken by new-head subscriptions on WebSocket transports). */
export type LogWatcher = {
  start(): void;
  /** Runs one poll now (tests and shutdown use it). */
  poll(): Promise<void>;
  /** Wakes the loop for an immediate poll. */
  trigger(): void;
  /** Stops the loop and waits for the running poll to end. */
  stop(): Promise<void>;
};

/**
 * Creates the watcher of an oracle's `SendRequest`/`ProvideResult` logs. Only blocks with at least
 * `confirmations` blocks on top are read; the last `rescanBlocks` blocks behind the cursor are read
 * again each poll, and a cursor block whose hash changed widens the re-scan, so reorgs show up.
 */
export function createLogWatcher(params: LogWatcherParameters): LogWatcher {
  const { client, journal, logger } = params;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let unwatch: (() => void) | undefined;
  let current: Promise<void> = Promise.resolve();

  const fetchLogs = async (from: bigint, to: bigint): Promise<Pick<LogBatch, "sendRequests" | "provideResults">> => {
    const sendRequests: SendRequestLog[] = [];
    const provideResults: ProvideResultLog[] = [];
    const step = BigInt(params.maxBlockRange);
    for (let start = from; start <= to; start += step) {
      const end = start + step - 1n < to ? start + step - 1n : to;
      const logs = await client.getLogs({
        address: params.oracleAddress,
        events: [sendRequestEvent, provideResultEvent],
        fromBlock: start,
        toBlock: end,
        strict: true,
      });
      for (const log of logs) {
        if (log.removed || log.blockNumber === null || log.blockHash === null || log.transactionHash === null) continue;
        if (log.eventName === "SendRequest") {
          sendRequests.push({
            requestId: log.args.requestId,
            consumer: log.args.consumerAddr,
            request: log.args.request,
            blockNumber: log.blockNumber,
            blockHash: log.blockHash,
            txHash: log.transactionHash,
            logIndex: log.logIndex ?? 0,
          });
        } else {
          provideResults.push({
            requestId: log.args.requestId,
            consumer: log.args.consumerAddr,
            provider: log.args.providerAddr,
            response: log.args.response,
            requestError: log.args.requestError,
            consumerError: log.args.consumerError,
            blockNumber: log.blockNumber,
            blockHash: log.blockHash,
            txHash: log.transactionHash,
          });
        }
      }
    }
    return { sendRequests, provideResults };
  };

  const pollOnce = async (): Promise<void> => {
    const head = await client.getBlockNumber({ cacheTime: 0 });
    const target = head - BigInt(params.confirmations);
    const start = BigInt(params.startBlock);
    const cursor = await journal.getCursor();
    let from = start;
    if (cursor) {
      let window = BigInt(params.rescanBlocks);
      if (cursor.blockNumber <= target) {
        const block = await client.getBlock({ blockNumber: cursor.blockNumber });
        if (block.hash !== cursor.blockHash) {
          window *= 4n;
          logger.warn(
            { blockNumber: cursor.blockNumber, was: cursor.blockHash, now: block.hash },
            "reorg below the cursor; widening the re-scan",
          );
        }
      }
      from = cursor.blockNumber + 1n - window;
      if (from < start) from = start;
    }
    if (target < 0n) return;
    const logs = target >= from ? await fetchLogs(from, target) : { sendRequests: [], provideResults: [] };
    await params.onBatch({ fromBlock: from, toBlock: target, head, ...logs });
    if (target >= start) {
      const block = await client.getBlock({ blockNumber: target });
      if (block.hash) await journal.setCursor({ blockNumber: target, blockHash: block.hash });
    }
    params.onPoll?.({ head, behind: head - target });
  };

  const poll = (): Promise<void> => {
    const next = current.then(pollOnce, pollOnce);
    current = next.catch(() => undefined);
    return next;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  return {
    start() {
      if (running) return;
      running = true;
      if (client.transport.type === "webSocket") {
        const subscribe = {
          poll: false,
          onBlockNumber: () => wake?.(),
          onError: (error: Error) => logger.warn(errorFields(error), "new-head subscription failed; polling"),
        } as unknown as Parameters<PublicClient["watchBlockNumber"]>[0];
        unwatch = client.watchBlockNumber(subscribe);
      }
      loop = (async () => {
        let failures = 0;
        while (running) {
          try {
            await poll();
            failures = 0;
          } catch (error) {
            failures += 1;
            params.onError?.(error);
            logger.warn({ ...errorFields(error), failures }, "log poll failed; retrying");
          }
          if (!running) break;
          await sleep(failures === 0 ? params.pollIntervalMs : Math.min(params.pollIntervalMs * 2 ** failures, 30_000));
        }
      })();
    },
    poll,
    trigger() {
      wake?.();
    },
    async stop() {
      running = false;
      unwatch?.();
      wake?.();
      await loop;
    },
  };
}
