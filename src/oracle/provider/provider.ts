import { type Address, bytesToHex, formatEther, type Hex, type PublicClient } from "viem";
import { shouldRetry } from "../../errors/base";
import { encodeResponse } from "../codec/encodeResponse";
import { providerOracleAbi } from "./abi";
import { ChainIdMismatchError, ChainResetError, OracleNotDeployedError } from "./errors";
import { type ExecutionOutcome, executeRequest } from "./executeRequest";
import { type Journal, newRequestRecord, type RequestRecord, type RequestStatus } from "./journal";
import { errorFields, type ProviderLogger } from "./logger";
import { createLogWatcher, type LogBatch, type LogWatcher } from "./logWatcher";
import type { ProviderMetrics } from "./metrics";
import type { QueryRunner } from "./queryRunner";
import type { ProviderSigner } from "./signer";
import { createSubmitter, type Submitter, type SubmitterConfig } from "./submitter";

/** The settings `createProvider` uses (a subset of the validated config file). */
export type ProviderSettings = SubmitterConfig & {
  rpcUrl: string;
  confirmations: number;
  startBlock: number;
  rescanBlocks: number;
  maxBlockRange: number;
  pollIntervalMs: number;
  maxRows: number;
  maxResultBytes: number;
  unknownDatasetGraceSeconds: number | null;
  /** Requests executed and submitted at once (default 16). */
  executeConcurrency?: number;
  /** How often requests waiting on an unknown dataset are checked again (default 5000 ms). */
  waitingRecheckMs?: number;
};

/** The one small dependency bag of the provider: every part can be swapped in tests. */
export type ProviderDeps = {
  client: PublicClient;
  signer: ProviderSigner;
  journal: Journal;
  runner: QueryRunner;
  logger: ProviderLogger;
  metrics: ProviderMetrics;
  settings: ProviderSettings;
};

/** What `status()` reports (also served at `GET /status`). */
export type ProviderStatus = {
  address: Address;
  oracle: Address;
  chainId: number;
  cursor: { blockNumber: string; blockHash: Hex } | null;
  head: string | null;
  blocksBehind: number | null;
  requests: Record<string, number>;
  backlog: number;
  transactionsInFlight: number;
  insufficientFunds: boolean;
  lastPollAt: number | null;
  lastAnswers: { requestId: string; status: RequestStatus; requestError: boolean | null; answeredAt: number | null }[];
};

/** A running provider node. */
export type Provider = {
  readonly address: Address;
  /** Checks the chain id, loads the journal, re-sends journaled transactions, starts watching. */
  start(): Promise<void>;
  /** Stops watching; waits for in-flight work to finish or be journaled. */
  stop(): Promise<void>;
  status(): Promise<ProviderStatus>;
  /** A journaled request (for `GET /requests/{id}`). */
  getRequest(requestId: bigint): Promise<RequestRecord | undefined>;
  /** Resolves when no request is queued or executing and no transaction is in flight (tests, bench). */
  idle(): Promise<void>;
  /** Whether the last poll succeeded recently (for `/health`). */
  healthy(): boolean;
};

/**
 * Creates the oracle provider node: watch → decode → execute → encode → sign → submit, with a
 * DuckDB journal so that every request is answered exactly once across restarts and reorgs.
 */
export function createProvider(deps: ProviderDeps): Provider {
  const { client, journal, logger, metrics, settings } = deps;
  const address = deps.signer.address;
  const concurrency = settings.executeConcurrency ?? 16;
  const recheckMs = settings.waitingRecheckMs ?? 5000;
  const queue = new Set<bigint>();
  const running = new Map<bigint, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const retries = new Map<bigint, number>();
  let stopped = true;
  let lastPollAt: number | null = null;
  let lastHead: bigint | null = null;
  let tickTimer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let lastRecheck = 0;
  /** The chain's genesis block at start; another one later means the chain was reset under us. */
  let genesisHash: Hex | undefined;
  /** Set when the chain was reset while running: nothing more is sent, `/health` fails. */
  let chainReset: ChainResetError | undefined;
  const idleWaiters: (() => void)[] = [];

  const submitter: Submitter = createSubmitter({
    client,
    signer: deps.signer,
    journal,
    logger,
    config: settings,
    events: {
      onMined: (tx, success, skipped) => {
        // Reverted, or skipped by the batch (answered by someone else in between, expired): process
        // again; the single-answer simulation decides.
        for (const id of success ? skipped : tx.requestIds) {
          void journal.get(id).then(async (rec) => {
            if (rec?.status === "sending" && rec.nonce === tx.nonce) {
              await journal.update(id, { status: "pending" });
              enqueue(id);
            }
          });
        }
      },
      onFunds: (insufficient) => metrics.walletInsufficientFunds.set(insufficient ? 1 : 0),
      onNonceDecreased: async () => {
        const genesis = await client.getBlock({ blockNumber: 0n });
        if (genesisHash === undefined || genesis.hash === genesisHash) return; // a reorg: the submitter re-sends
        throw new ChainResetError({
          file: journal.path,
          chainId: settings.chainId,
          journaled: genesisHash,
          actual: genesis.hash,
        });
      },
      onBalance: (wei) => {
        metrics.walletBalance.set(Number(formatEther(wei)));
        metrics.walletBalanceWei.set(Number(wei));
      },
    },
  });

  const checkIdle = () => {
    if (queue.size === 0 && running.size === 0 && submitter.inFlight() === 0) {
      while (idleWaiters.length > 0) idleWaiters.shift()?.();
    }
  };

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) fn();
    }, ms);
    timers.add(timer);
  };

  const enqueue = (id: bigint) => {
    if (stopped) return;
    queue.add(id);
    drain();
  };

  const drain = () => {
    while (!stopped && running.size < concurrency && queue.size > 0) {
      let next: bigint | undefined;
      for (const id of queue) if (!running.has(id) && (next === undefined || id < next)) next = id;
      if (next === undefined) return;
      const id = next;
      queue.delete(id);
      const job = process(id)
        .catch((error) => {
          logger.error({ ...errorFields(error), requestId: String(id) }, "request processing failed; retrying");
          retryLater(id);
        })
        .finally(() => {
          running.delete(id);
          drain();
          checkIdle();
        });
      running.set(id, job);
    }
  };

  const retryLater = (id: bigint) => {
    const attempt = (retries.get(id) ?? 0) + 1;
    retries.set(id, attempt);
    later(Math.min(250 * 2 ** attempt, 30_000), () => enqueue(id));
  };

  const answerFor = async (rec: RequestRecord): Promise<ExecutionOutcome | undefined> => {
    const outcome = await executeRequest(
      { runner: deps.runner, maxRows: settings.maxRows, maxResultBytes: settings.maxResultBytes },
      rec.request,
    );
    if (outcome.kind === "answer") return outcome;
    const grace = settings.unknownDatasetGraceSeconds;
    const reason = `Dataset not found: ${outcome.datasetId}`;
    if (grace === null || Date.now() - rec.seenAt < grace * 1000) {
      if (rec.status !== "waiting") {
        await journal.update(rec.requestId, { status: "waiting", reason });
        logger.info({ requestId: String(rec.requestId), datasetId: outcome.datasetId }, "dataset not held; waiting");
      }
      if (grace !== null) later(Math.max(0, rec.seenAt + grace * 1000 - Date.now()) + 10, () => enqueue(rec.requestId));
      return undefined;
    }
    return {
      kind: "answer",
      response: encodeResponse({ ok: false, errorMessage: reason }),
      error: { reason: "unknown_dataset", message: reason },
    };
  };

  const process = async (id: bigint): Promise<void> => {
    const rec = await journal.get(id);
    if (!rec || (rec.status !== "pending" && rec.status !== "waiting")) return;
    let outcome: ExecutionOutcome | undefined;
    try {
      outcome = await answerFor(rec);
    } catch (error) {
      if (!shouldRetry(error))
        logger.error({ ...errorFields(error), requestId: String(id) }, "executing the request failed");
      else logger.warn({ ...errorFields(error), requestId: String(id) }, "executing the request failed; retrying");
      retryLater(id);
      return;
    }
    if (outcome?.kind !== "answer") return;
    const response = bytesToHex(outcome.response);
    let result: Awaited<ReturnType<Submitter["submit"]>>;
    try {
      result = await submitter.submit({
        requestId: id,
        request: rec.request,
        response,
        requestError: outcome.error !== undefined,
        reason: outcome.error?.message ?? null,
        commitment: outcome.commitment ?? null,
      });
    } catch (error) {
      metrics.rpcErrors.inc({ operation: "submit" });
      logger.warn({ ...errorFields(error), requestId: String(id) }, "submitting the answer failed; retrying");
      retryLater(id);
      return;
    }
    retries.delete(id);
    if (result.kind === "sent") {
      if (outcome.error) metrics.requestsFailed.inc({ reason: outcome.error.reason });
      // "answer sent" is logged by the submitter once the node accepts the transaction.
      logger.info(
        { requestId: String(id), nonce: result.nonce, tx: result.hash, error: outcome.error?.message },
        "answer signed and journaled",
      );
    } else if (result.kind === "not_pending") {
      await journal.update(id, { status: "answered_elsewhere" });
      logger.info({ requestId: String(id) }, "request no longer pending (answered elsewhere); not sending");
    } else {
      await journal.update(id, { status: "failed", reason: `refused by the contract: ${result.errorName}` });
      metrics.requestsFailed.inc({ reason: result.errorName });
      logger.error({ requestId: String(id), error: result.errorName }, "the oracle refuses our answer");
    }
  };

  const onBatch = async (batch: LogBatch): Promise<void> => {
    const fresh = new Map(batch.sendRequests.map((l) => [l.requestId, l]));
    // Reorgs: journaled requests in the re-scanned range whose log is gone.
    for (const rec of await journal.listFromBlock(batch.fromBlock)) {
      const log = fresh.get(rec.requestId);
      if (rec.status === "dropped" && !log) continue;
      if (log && log.blockHash === rec.blockHash && log.logIndex === rec.logIndex) continue;
      if (log) continue; // replaced below
      await journal.update(rec.requestId, { status: "dropped", reason: "request log removed by a reorg" });
      metrics.reorgDrops.inc();
      queue.delete(rec.requestId);
      if (rec.nonce !== null && (rec.status === "sending" || rec.status === "answered")) {
        await submitter.cancel(rec.requestId, "dropped");
      }
      logger.warn({ requestId: String(rec.requestId), block: String(rec.blockNumber) }, "request dropped by a reorg");
    }
    // Requests are independent: their journal writes go out together (one group commit), not one
    // durable write after another.
    await Promise.all(
      batch.sendRequests.map(async (log) => {
        const existing = await journal.get(log.requestId);
        if (existing && existing.blockHash === log.blockHash && existing.logIndex === log.logIndex) {
          if (existing.status === "dropped") {
            await journal.update(log.requestId, { status: "pending", reason: null });
            enqueue(log.requestId);
          }
          return;
        }
        if (existing) {
          logger.warn({ requestId: String(log.requestId) }, "request log changed by a reorg; answering the new one");
          if (existing.status === "sending" || existing.status === "answered") {
            await submitter.cancel(log.requestId, "dropped");
          }
        } else {
          metrics.requestsSeen.inc();
        }
        await journal.put(newRequestRecord(log, existing?.seenAt ?? Date.now()));
        enqueue(log.requestId);
      }),
    );
    const answers = new Map(batch.provideResults.map((l) => [l.requestId, l]));
    await Promise.all(
      batch.provideResults.map(async (log) => {
        const rec = await journal.get(log.requestId);
        if (!rec || rec.status === "dropped") return;
        const ours = log.provider.toLowerCase() === address.toLowerCase();
        const status: RequestStatus = ours ? "answered" : "answered_elsewhere";
        if (rec.status === status && rec.answerBlock === log.blockNumber) return;
        const now = Date.now();
        await journal.update(log.requestId, {
          status,
          answeredAt: now,
          answerBlock: log.blockNumber,
          answeredBy: log.provider,
          ...(ours ? {} : { reason: "answered by another provider" }),
        });
        queue.delete(log.requestId);
        if (ours) {
          metrics.requestsAnswered.inc({ result: log.requestError ? "error" : "ok" });
          metrics.answerLatency.observe((now - rec.seenAt) / 1000);
        } else {
          metrics.answeredElsewhere.inc();
          if (rec.status === "sending") await submitter.cancel(log.requestId, "answered_elsewhere");
        }
      }),
    );
    // Reorgs of answers: an answer in the re-scanned range that is gone is no longer final.
    for (const rec of await journal.listAnsweredFrom(batch.fromBlock)) {
      if (answers.has(rec.requestId)) continue;
      const status: RequestStatus = rec.status === "answered" && rec.nonce !== null ? "sending" : "pending";
      await journal.update(rec.requestId, { status, answeredAt: null, answerBlock: null, answeredBy: null });
      if (status === "pending") enqueue(rec.requestId);
      logger.warn({ requestId: String(rec.requestId) }, "answer removed by a reorg");
    }
    // Finished requests below any later re-scan (the watcher widens it up to 4x after a reorg
    // below its cursor) no longer need to be held in memory.
    journal.settle(batch.toBlock + 1n - 4n * BigInt(settings.rescanBlocks));
  };

  const watcher: LogWatcher = createLogWatcher({
    client,
    journal,
    logger,
    oracleAddress: settings.oracleAddress,
    confirmations: settings.confirmations,
    startBlock: settings.startBlock,
    rescanBlocks: settings.rescanBlocks,
    maxBlockRange: settings.maxBlockRange,
    pollIntervalMs: settings.pollIntervalMs,
    onBatch,
    onPoll: ({ head, behind }) => {
      lastPollAt = Date.now();
      lastHead = head;
      metrics.headBlock.set(Number(head));
      metrics.blocksBehind.set(Number(behind));
      void tick();
    },
    onError: () => metrics.rpcErrors.inc({ operation: "poll" }),
  });

  const tick = (): Promise<void> => {
    if (ticking) return ticking;
    ticking = (async () => {
      try {
        await submitter.tick();
      } catch (error) {
        if (error instanceof ChainResetError) {
          halt(error);
          return;
        }
        metrics.rpcErrors.inc({ operation: "tick" });
        logger.warn(errorFields(error), "transaction check failed; retrying");
      }
      metrics.inFlight.set(submitter.inFlight());
      if (Date.now() - lastRecheck > recheckMs) {
        lastRecheck = Date.now();
        for (const rec of await journal.listByStatus(["waiting"])) enqueue(rec.requestId);
      }
      checkIdle();
    })().finally(() => {
      ticking = undefined;
    });
    return ticking;
  };

  /** Stops watching and sending for good: the journal belongs to a chain that is gone. */
  const halt = (error: ChainResetError) => {
    if (chainReset) return;
    chainReset = error;
    stopped = true;
    if (tickTimer) clearInterval(tickTimer);
    for (const timer of timers) clearTimeout(timer);
    queue.clear();
    void watcher.stop();
    logger.error(
      { ...errorFields(error), hints: error.hints },
      "the chain was reset under the provider; it stopped answering (restart it after removing the journal)",
    );
  };

  const scheduleTicks = () => {
    const interval = Math.min(settings.pollIntervalMs, 200);
    tickTimer = setInterval(() => {
      if (submitter.inFlight() > 0 || submitter.insufficientFunds) void tick();
    }, interval);
  };

  return {
    address,
    async start() {
      const chainId = await client.getChainId();
      if (chainId !== settings.chainId) {
        throw new ChainIdMismatchError({ expected: settings.chainId, actual: chainId, url: settings.rpcUrl });
      }
      const [code, genesis] = await Promise.all([
        client.getCode({ address: settings.oracleAddress }),
        client.getBlock({ blockNumber: 0n }),
      ]);
      if (code === undefined || code === "0x") {
        throw new OracleNotDeployedError({ oracle: settings.oracleAddress, chainId, url: settings.rpcUrl });
      }
      await journal.bind({ chainId, oracle: settings.oracleAddress, genesisHash: genesis.hash });
      genesisHash = genesis.hash;
      try {
        const allowed = await client.readContract({
          address: settings.oracleAddress,
          abi: providerOracleAbi,
          functionName: "canProvideResults",
          args: [address],
        });
        if (!allowed) logger.warn({ address }, "this address is not (yet) an authorized provider of the oracle");
      } catch (error) {
        logger.warn(errorFields(error), "canProvideResults could not be read");
      }
      await submitter.init();
      stopped = false;
      for (const rec of await journal.listByStatus(["pending", "waiting"])) enqueue(rec.requestId);
      watcher.start();
      scheduleTicks();
      logger.info({ address, oracle: settings.oracleAddress, chainId, runner: deps.runner.kind }, "provider started");
    },
    async stop() {
      stopped = true;
      if (tickTimer) clearInterval(tickTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      queue.clear();
      await watcher.stop();
      await Promise.allSettled([...running.values()]);
      await ticking;
      await tick().catch(() => undefined);
      logger.info({ inFlight: submitter.inFlight() }, "provider stopped; unsent answers stay journaled");
    },
    async status() {
      const [cursor, counts, answers] = await Promise.all([
        journal.getCursor(),
        journal.countByStatus(),
        journal.lastAnswers(10),
      ]);
      const backlog = (counts.pending ?? 0) + (counts.waiting ?? 0) + (counts.sending ?? 0);
      return {
        address,
        oracle: settings.oracleAddress,
        chainId: settings.chainId,
        cursor: cursor ? { blockNumber: String(cursor.blockNumber), blockHash: cursor.blockHash } : null,
        head: lastHead === null ? null : String(lastHead),
        blocksBehind: lastHead === null || !cursor ? null : Number(lastHead - cursor.blockNumber),
        requests: counts,
        backlog,
        transactionsInFlight: submitter.inFlight(),
        insufficientFunds: submitter.insufficientFunds,
        lastPollAt,
        lastAnswers: answers.map((r) => ({
          requestId: String(r.requestId),
          status: r.status,
          requestError: r.requestError,
          answeredAt: r.answeredAt,
        })),
      };
    },
    getRequest: (id) => journal.get(id),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      }),
    healthy: () =>
      !stopped &&
      chainReset === undefined &&
      lastPollAt !== null &&
      Date.now() - lastPollAt < Math.max(settings.pollIntervalMs * 5, 30_000),
  };
}
