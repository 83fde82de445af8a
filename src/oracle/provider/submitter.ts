import {
  type Address,
  decodeFunctionResult,
  type Hex,
  keccak256,
  type PublicClient,
  parseGwei,
  type TransactionSerializable,
} from "viem";
import { fulfilmentGasLimit } from "../contracts/fulfilmentGasLimit";
import { resultTypedData } from "../contracts/signResult";
import { providerOracleAbi } from "./abi";
import { decodeAnswerBatch, encodeAnswerBatch, encodeAnswerCall, skippedRequests } from "./answerCalldata";
import { classifyRpcError } from "./classifyRpcError";
import { ChainResetError, InsufficientFundsError, RpcUnavailableError } from "./errors";
import type { AnswerIntent, Journal, TxRecord } from "./journal";
import { errorFields, type ProviderLogger } from "./logger";
import type { ProviderSigner } from "./signer";

/** Submission settings (the config's `submit` block plus the chain facts). */
export type SubmitterConfig = {
  chainId: number;
  oracleAddress: Address;
  /** Answer with `provideSignedResult` (EIP-712 attestation); false: plain v1 `provideResult`. */
  signedResults: boolean;
  maxInFlight: number;
  /**
   * Answers sent together in one `provideSignedResults` transaction at most (signed results only;
   * 1 sends each answer on its own). Answers are batched only when they queue up behind each other,
   * so a lone answer is never delayed.
   */
  maxBatch?: number | undefined;
  /** Gas limit a batch transaction stays under (default 12,000,000; below the 2^24 transaction cap). */
  maxBatchGas?: number | undefined;
  stuckAfterMs: number;
  feeBumpPercent: number;
  maxFeePerGasGwei: number;
  gasLimit?: number | undefined;
};

/** An answer to submit. */
export type Answer = {
  requestId: bigint;
  request: Hex;
  response: Hex;
  requestError: boolean;
  reason: string | null;
  commitment: string | null;
};

/** What submitting an answer did. */
export type SubmitOutcome =
  | { kind: "sent"; nonce: number; hash: Hex }
  /** The simulation says the request is no longer pending (answered by someone else, or cancelled). */
  | { kind: "not_pending" }
  /** The contract refuses this answer for good (unauthorized, expired, disabled...). */
  | { kind: "refused"; errorName: string };

/** Events the submitter reports to the provider (metrics, journal, re-processing). */
export type SubmitterEvents = {
  /**
   * A transaction was mined: `success: false` when it reverted; `skipped` lists the requests of a
   * batch that the contract passed over (answered by someone else in between, or expired).
   */
  onMined?(tx: TxRecord, success: boolean, skipped: readonly bigint[]): void;
  /** The wallet cannot pay (true) or can again (false). */
  onFunds?(insufficient: boolean): void;
  onBalance?(wei: bigint): void;
  /**
   * The chain's nonce of our address went down since the last check (a reorg, or a reset chain):
   * called before anything is re-sent; throwing stops the check (the provider halts on a reset chain).
   */
  onNonceDecreased?(): Promise<void>;
};

/** The nonce manager and transaction sender. */
export type Submitter = {
  readonly address: Address;
  /** Loads journaled transactions and the chain's nonce; re-sends what a previous run left in flight. */
  init(): Promise<void>;
  /**
   * Simulates, signs, journals (intent) and broadcasts an answer, batched with the answers queued
   * at the same time; waits for a free in-flight slot first.
   */
  submit(answer: Answer): Promise<SubmitOutcome>;
  /**
   * Takes a request out of its unmined transaction. `dropped` (its log was removed by a reorg): the
   * transaction is replaced by one without it (a self-transfer when nothing is left; the nonce stays
   * used). `answered_elsewhere`: only a transaction answering that request alone is replaced (a
   * batch simply skips it on chain).
   */
  cancel(requestId: bigint, why: "dropped" | "answered_elsewhere"): Promise<void>;
  /** Checks mined nonces, reorged transactions, stuck transactions, unsent intents; refreshes the balance. */
  tick(): Promise<void>;
  /** Transactions signed and not yet mined. */
  inFlight(): number;
  /** Whether the last send failed for lack of funds. */
  readonly insufficientFunds: boolean;
};

/** Callback gas assumed when the oracle cannot tell (v1 contracts). */
const FALLBACK_CALLBACK_GAS = 2_000_000n;
/** Default gas budget of a batch (below the per-transaction cap of recent forks, 2^24). */
const DEFAULT_MAX_BATCH_GAS = 12_000_000n;
/** Batch simulations and signings run at once (later answers queue up and form the next batch). */
const FLUSH_CONCURRENCY = 2;

/** An answer waiting to be sent; `alone` ones go in a transaction of their own. */
type Queued = {
  answer: Answer;
  /** The EIP-712 signature (signed results). */
  signature: Hex | undefined;
  alone: boolean;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
};
const PRIORITY_FEE = 1_000_000_000n; // 1 gwei tip
const REPLACE_EXTRA = 10n; // extra percent kept above the node's replacement minimum when underpriced

/**
 * Creates the submitter: one nonce sequence per provider address, several transactions in flight,
 * broadcast strictly in nonce order (automining nodes refuse nonce gaps). Answers that queue up
 * while earlier ones are being simulated go out together in one `provideSignedResults` batch, so a
 * burst costs a few transactions instead of one per request. Every transaction is journaled before
 * it is broadcast and re-broadcast from the journal until its nonce is mined, so an answer is never
 * signed twice for one request, across restarts too. Stuck transactions are replaced with a higher
 * fee up to the cap; a lack of funds is reported and retried until funded.
 */
export function createSubmitter(params: {
  client: PublicClient;
  signer: ProviderSigner;
  journal: Journal;
  logger: ProviderLogger;
  config: SubmitterConfig;
  events?: SubmitterEvents;
}): Submitter {
  const { client, signer, journal, logger, config } = params;
  const events = params.events ?? {};
  const address = signer.address;
  const cap = parseGwei(String(config.maxFeePerGasGwei));
  let maxBatch = config.signedResults ? Math.max(1, config.maxBatch ?? 32) : 1;
  const maxBatchGas = BigInt(config.maxBatchGas ?? DEFAULT_MAX_BATCH_GAS);
  /** Unmined transactions by nonce. */
  const open = new Map<number, TxRecord>();
  /** Recently mined transactions (kept to notice reorgs that un-mine them). */
  const mined = new Map<number, TxRecord>();
  /** Nonces taken by a transaction being signed and journaled (not yet in `open`). */
  const reserved = new Set<number>();
  let nextNonce = 0;
  /** The chain's mined nonce of our address at the last check. */
  let lastLatest = 0;
  let insufficientFunds = false;
  /**
   * Requests whose answer must not be (re-)sent: their log was removed by a reorg. An id leaves the
   * set when the request is answered again (its log came back) or when no open or recently mined
   * transaction carries it any more, so the set stays as small as those.
   */
  const droppedRequests = new Set<bigint>();
  let feeCache: { at: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined;
  const slotWaiters: (() => void)[] = [];
  const queued: Queued[] = [];
  let flushes = 0;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let pumpBlockedUntil = 0;
  /**
   * Re-signings of a nonce (drops, stuck and underpriced bumps, fills) run one at a time, each on
   * the nonce's current transaction, so none is lost to another that started from the same version.
   */
  let replacing: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = replacing.then(task, task);
    replacing = run.catch(() => undefined);
    return run;
  };
  /** Applies `change` to the nonce's transaction, unless a replacement has superseded `tx` meanwhile. */
  const ifCurrent = (tx: TxRecord, change: (now: TxRecord) => Promise<void>) =>
    exclusive(async () => {
      const now = open.get(tx.nonce);
      if (now?.hash === tx.hash) await change(now);
    });

  const setFunds = (value: boolean) => {
    if (value === insufficientFunds) return;
    insufficientFunds = value;
    events.onFunds?.(value);
    if (value) logger.error({ address }, "provider wallet has insufficient funds; answers wait until it is funded");
    else logger.info({ address }, "provider wallet funded again; sending");
  };

  const fees = async () => {
    const now = Date.now();
    if (feeCache && now - feeCache.at < 1000) return feeCache;
    const block = await client.getBlock({ blockTag: "latest" });
    let maxPriorityFeePerGas = PRIORITY_FEE;
    let maxFeePerGas = (block.baseFeePerGas ?? 0n) * 2n + maxPriorityFeePerGas;
    if (maxFeePerGas > cap) maxFeePerGas = cap;
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    feeCache = { at: now, maxFeePerGas, maxPriorityFeePerGas };
    return feeCache;
  };

  const sign = async (tx: Omit<TxRecord, "raw" | "hash" | "hashes" | "status" | "sentAt">, previous?: TxRecord) => {
    const serializable: TransactionSerializable = {
      type: "eip1559",
      chainId: config.chainId,
      nonce: tx.nonce,
      to: tx.to,
      data: tx.data,
      gas: tx.gas,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      value: 0n,
    };
    const raw = await signer.signTransaction(serializable);
    const hash = keccak256(raw);
    const record: TxRecord = {
      ...tx,
      raw,
      hash,
      hashes: [...(previous?.hashes ?? []), hash],
      status: "signed",
      sentAt: 0,
    };
    return record;
  };

  const signAnswer = (answer: Answer): Promise<Hex> =>
    signer.signTypedData(
      resultTypedData({
        oracle: config.oracleAddress,
        chainId: config.chainId,
        requestId: answer.requestId,
        request: answer.request,
        response: answer.response,
      }),
    );

  /** Gas an answer needs: the configured limit, or the bound for its callback limit and response size. */
  const answerGas = (q: Queued, callbackGasLimit: number | bigint): bigint =>
    config.gasLimit !== undefined
      ? BigInt(config.gasLimit)
      : fulfilmentGasLimit({ callbackGasLimit, responseLength: (q.answer.response.length - 2) / 2 });

  /** The answer as the calldata encoders take it (batched answers are always signed). */
  const wire = (q: Queued) => ({ requestId: q.answer.requestId, response: q.answer.response, signature: q.signature });
  const signedWire = (q: Queued) => ({ ...wire(q), signature: q.signature as Hex });

  /**
   * Gas limit of a lone answer, checked with `eth_call` (which throws the node's error for a revert,
   * classified by the caller): the configured limit, or a bound computed from the request's callback
   * gas limit and the response size (`fulfilmentGasLimit`). Not `eth_estimateGas`: estimators
   * overshoot the transaction gas cap when a callback reverts, and a bound is always enough.
   */
  const simulateAlone = async (q: Queued, data: Hex): Promise<bigint> => {
    let callbackGasLimit = FALLBACK_CALLBACK_GAS;
    if (config.gasLimit === undefined) {
      try {
        const stored = await client.readContract({
          address: config.oracleAddress,
          abi: providerOracleAbi,
          functionName: "getRequest",
          args: [q.answer.requestId],
        });
        callbackGasLimit = BigInt(stored.callbackGasLimit);
      } catch {
        // A v1 oracle has no getRequest: assume the largest usual callback gas.
      }
    }
    const gas = answerGas(q, callbackGasLimit);
    await client.call({ account: address, to: config.oracleAddress, data, gas });
    return gas;
  };

  const releaseSlots = () => {
    while (slotWaiters.length > 0 && open.size + reserved.size < config.maxInFlight) slotWaiters.shift()?.();
  };

  /** Signs the transaction of a nonce's answers, journals the intent, and hands it to the pump. */
  const commit = async (items: readonly Queued[], data: Hex, gas: bigint): Promise<void> => {
    let fee: Awaited<ReturnType<typeof fees>>;
    try {
      fee = await fees();
    } catch (error) {
      throw new RpcUnavailableError("eth_getBlockByNumber (fees)", { cause: error });
    }
    const nonce = nextNonce++;
    reserved.add(nonce);
    try {
      const tx = await sign({
        nonce,
        requestIds: items.map((q) => q.answer.requestId),
        to: config.oracleAddress,
        data,
        gas,
        maxFeePerGas: fee.maxFeePerGas,
        maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
      });
      open.set(nonce, tx);
      await journal.recordIntent(
        tx,
        items.map(
          (q): AnswerIntent => ({
            requestId: q.answer.requestId,
            response: q.answer.response,
            requestError: q.answer.requestError,
            reason: q.answer.reason,
            commitment: q.answer.commitment,
          }),
        ),
      );
      for (const q of items) q.resolve({ kind: "sent", nonce, hash: tx.hash });
    } finally {
      reserved.delete(nonce);
    }
    void pump().catch((error) => logger.warn(errorFields(error), "broadcast failed"));
  };

  /** A simulation or send failure of a transaction: settles its answers (the provider retries). */
  const failAll = (items: readonly Queued[], error: unknown) => {
    const c = classifyRpcError(error);
    let reason: unknown = error;
    if (c.kind === "insufficient_funds") {
      setFunds(true);
      reason = new InsufficientFundsError({ address, cause: error });
    } else if (!(error instanceof RpcUnavailableError)) {
      reason = new RpcUnavailableError("simulation (eth_call)", { cause: error });
    }
    for (const q of items) q.reject(reason);
  };

  /** Sends one answer in a transaction of its own (`provideSignedResult` / `provideResult`). */
  const sendAlone = async (q: Queued): Promise<void> => {
    const data = encodeAnswerCall(wire(q));
    let gas: bigint;
    try {
      gas = await simulateAlone(q, data);
    } catch (error) {
      const c = classifyRpcError(error);
      if (c.kind === "revert") {
        q.resolve(
          c.errorName === "RequestNotFound" ? { kind: "not_pending" } : { kind: "refused", errorName: c.errorName },
        );
        return;
      }
      failAll([q], error);
      return;
    }
    await commit([q], data, gas);
  };

  /**
   * Sends answers together with `provideSignedResults`: sizes the gas from the requests' callback
   * limits (one `getRequests` call), trims the batch to the gas budget, and simulates it. Answers
   * the simulation skips, and all of a batch whose simulation reverts, are retried alone (where the
   * single-answer simulation names the reason).
   */
  const sendBatch = async (items: Queued[]): Promise<void> => {
    let requests: readonly { callbackGasLimit: number }[];
    try {
      requests = await client.readContract({
        address: config.oracleAddress,
        abi: providerOracleAbi,
        functionName: "getRequests",
        args: [items.map((q) => q.answer.requestId)],
      });
    } catch (error) {
      if (classifyRpcError(error).kind === "revert") {
        // An oracle without `getRequests` (an older deployment) cannot take batches either.
        maxBatch = 1;
        logger.warn("the oracle has no getRequests; sending one answer per transaction");
        queued.unshift(...items.map((q) => ({ ...q, alone: true })));
        return;
      }
      failAll(items, error);
      return;
    }
    const gasOf = items.map((q, i) => answerGas(q, requests[i]?.callbackGasLimit ?? 0));
    let gas = 0n;
    let take = 0;
    for (const one of gasOf) {
      if (take > 0 && gas + one > maxBatchGas) break;
      gas += one;
      take += 1;
    }
    // Over the gas budget: the rest goes back to the front of the queue (the next batch).
    queued.unshift(...items.splice(take));
    if (items.length === 1) {
      await sendAlone(items[0] as Queued);
      return;
    }
    const data = encodeAnswerBatch(items.map(signedWire));
    let fulfilled: readonly boolean[];
    try {
      const result = await client.call({ account: address, to: config.oracleAddress, data, gas });
      fulfilled = decodeFunctionResult({
        abi: providerOracleAbi,
        functionName: "provideSignedResults",
        data: result.data ?? "0x",
      });
    } catch (error) {
      const c = classifyRpcError(error);
      if (c.kind !== "revert") {
        failAll(items, error);
        return;
      }
      logger.info({ size: items.length, error: c.errorName }, "batch simulation reverted; sending its answers alone");
      queued.unshift(...items.map((q) => ({ ...q, alone: true })));
      return;
    }
    const kept = items.filter((_, i) => fulfilled[i] === true);
    queued.unshift(...items.filter((_, i) => fulfilled[i] !== true).map((q) => ({ ...q, alone: true })));
    if (kept.length === items.length) {
      await commit(items, data, gas);
      return;
    }
    // A skipped answer changes nothing on chain, so the others succeed without it: no second simulation.
    if (kept.length === 1) await sendAlone(kept[0] as Queued);
    else if (kept.length > 1) {
      const keptGas = items.reduce((sum, _, i) => (fulfilled[i] === true ? sum + (gasOf[i] as bigint) : sum), 0n);
      await commit(kept, encodeAnswerBatch(kept.map(signedWire)), keptGas);
    }
  };

  /** Takes the next transaction's answers off the queue: one `alone` answer, or up to `maxBatch`. */
  const takeBatch = (): Queued[] => {
    const first = queued.shift();
    if (!first) return [];
    if (first.alone || maxBatch === 1) return [first];
    const batch = [first];
    while (batch.length < maxBatch && queued.length > 0 && !(queued[0] as Queued).alone) {
      batch.push(queued.shift() as Queued);
    }
    return batch;
  };

  /**
   * Turns queued answers into transactions, at most FLUSH_CONCURRENCY at once. Workers start on the
   * next turn of the event loop, so answers submitted together join one batch.
   */
  let flushScheduled = false;
  const flush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(startFlushes);
  };
  const startFlushes = () => {
    flushScheduled = false;
    while (flushes < FLUSH_CONCURRENCY && queued.length > 0) {
      flushes += 1;
      void (async () => {
        try {
          while (queued.length > 0) {
            while (open.size + reserved.size >= config.maxInFlight) {
              await new Promise<void>((resolve) => slotWaiters.push(resolve));
            }
            const batch = takeBatch();
            if (batch.length === 0) break;
            try {
              if (batch.length === 1) await sendAlone(batch[0] as Queued);
              else await sendBatch(batch);
            } catch (error) {
              // Signing or journaling failed: nothing was broadcast; the provider retries these answers.
              for (const q of batch) q.reject(error);
            }
          }
        } finally {
          flushes -= 1;
        }
      })();
    }
  };

  /** Broadcasts one transaction; returns false when the pump must stop (funds, gap, RPC). */
  const broadcast = async (tx: TxRecord): Promise<boolean> => {
    try {
      await client.sendRawTransaction({ serializedTransaction: tx.raw });
    } catch (error) {
      const c = classifyRpcError(error);
      if (c.kind === "nonce_used") {
        // The same bytes were already accepted (a retried call), or the nonce is mined: tick() settles it.
      } else if (c.kind === "insufficient_funds") {
        setFunds(true);
        return false;
      } else if (c.kind === "underpriced") {
        await ifCurrent(tx, (now) => replace(now, "underpriced"));
        return false;
      } else if (c.kind === "revert") {
        // Some nodes simulate on submission; the nonce stays unused, so fill it.
        logger.warn(
          { nonce: tx.nonce, requestIds: tx.requestIds.map(String), error: c.errorName },
          "transaction refused; filling nonce",
        );
        await ifCurrent(tx, fill);
        return false;
      } else {
        logger.warn({ nonce: tx.nonce, kind: c.kind, ...errorFields(error) }, "broadcast failed; will retry");
        return false;
      }
    }
    setFunds(false);
    // Logged once the node accepted the transaction (not when it was signed: the node may refuse it).
    logger.info(
      { nonce: tx.nonce, tx: tx.hash, requestIds: tx.requestIds.map(String) },
      tx.requestIds.length > 0 ? "answer sent" : "nonce filled",
    );
    // Kept in memory only: after a restart every unmined journaled transaction is broadcast again.
    const sent: TxRecord = { ...tx, status: "sent", sentAt: Date.now() };
    if (open.has(tx.nonce)) open.set(tx.nonce, sent);
    return true;
  };

  /**
   * Broadcasts every unsent transaction in nonce order, stopping at the first failure, and before a
   * nonce that is still being signed (never leaving a gap).
   */
  const pump = (): Promise<void> => {
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        if (Date.now() < pumpBlockedUntil) break;
        const firstReserved = reserved.size > 0 ? Math.min(...reserved) : Number.POSITIVE_INFINITY;
        const unsent = [...open.values()]
          .filter((t) => t.status === "signed" && t.nonce < firstReserved)
          .sort((a, b) => a.nonce - b.nonce);
        for (const tx of unsent) {
          const current = open.get(tx.nonce);
          if (current?.status !== "signed") continue;
          if (!(await broadcast(current))) {
            pumpBlockedUntil = Date.now() + 500;
            break;
          }
        }
      } while (pumpAgain);
    })().finally(() => {
      pumping = undefined;
    });
    return pumping;
  };

  /** Re-signs a transaction with fees raised by the bump (never above the cap), optionally with new contents. */
  const replace = async (
    tx: TxRecord,
    why: string,
    contents?: { data: Hex; to: Address; gas: bigint; requestIds: bigint[] },
  ): Promise<void> => {
    const bump = BigInt(config.feeBumpPercent) + (why === "underpriced" ? REPLACE_EXTRA : 0n);
    const current = await fees().catch(() => undefined);
    let maxFeePerGas = (tx.maxFeePerGas * (100n + bump)) / 100n;
    let maxPriorityFeePerGas = (tx.maxPriorityFeePerGas * (100n + bump)) / 100n;
    if (current && current.maxFeePerGas > maxFeePerGas) maxFeePerGas = current.maxFeePerGas;
    if (maxFeePerGas > cap) maxFeePerGas = cap;
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    if (maxFeePerGas <= tx.maxFeePerGas && contents === undefined) {
      logger.warn(
        { nonce: tx.nonce, maxFeePerGas: String(maxFeePerGas) },
        "fee cap reached; re-sending without a bump",
      );
      const again: TxRecord = { ...tx, status: "signed" };
      open.set(tx.nonce, again);
      return;
    }
    const next = await sign(
      {
        nonce: tx.nonce,
        requestIds: contents?.requestIds ?? tx.requestIds,
        to: contents?.to ?? tx.to,
        data: contents?.data ?? tx.data,
        gas: contents?.gas ?? tx.gas,
        maxFeePerGas,
        maxPriorityFeePerGas,
      },
      tx,
    );
    open.set(tx.nonce, next);
    await journal.putTx(next);
    logger.info(
      { nonce: tx.nonce, requestIds: next.requestIds.map(String), why, maxFeePerGas: String(maxFeePerGas) },
      "replacing transaction",
    );
  };

  /** Replaces a nonce's transaction with a 0-value self-transfer. */
  const fill = (tx: TxRecord) => replace(tx, "cancel", { data: "0x", to: address, gas: 21_000n, requestIds: [] });

  /**
   * Replaces a transaction by one without the dropped requests: the same batch minus them, or a
   * self-transfer when nothing is left (or the transaction answers a single request).
   */
  const withoutDropped = async (tx: TxRecord): Promise<void> => {
    if (!tx.requestIds.some((id) => droppedRequests.has(id))) return;
    // Anything but one of our batches (a single answer) has nothing left: fill the nonce.
    const batch = decodeAnswerBatch(tx.data);
    const rest = (batch ?? []).filter((item) => !droppedRequests.has(item.requestId));
    if (rest.length === 0) {
      await fill(tx);
      return;
    }
    await replace(tx, "drop reorged request", {
      data: encodeAnswerBatch(rest),
      to: tx.to,
      gas: tx.gas,
      requestIds: rest.map((item) => item.requestId),
    });
  };

  const settleMined = async (latest: number) => {
    for (const tx of [...open.values()].sort((a, b) => a.nonce - b.nonce)) {
      if (tx.nonce >= latest) continue;
      open.delete(tx.nonce);
      let success = true;
      let skipped: bigint[] = [];
      let minedTx: TxRecord = { ...tx, status: "mined" };
      for (const hash of [...tx.hashes].reverse()) {
        const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt) {
          success = receipt.status === "success";
          skipped = success && tx.requestIds.length > 1 ? skippedRequests(receipt.logs, config.oracleAddress) : [];
          minedTx = { ...minedTx, hash };
          break;
        }
      }
      mined.set(tx.nonce, minedTx);
      await journal.putTx(minedTx);
      events.onMined?.(minedTx, success, skipped);
    }
    // Reorgs: a transaction we saw mined whose nonce the chain no longer counts goes back in flight.
    for (const tx of [...mined.values()]) {
      if (tx.nonce >= latest) {
        mined.delete(tx.nonce);
        const back: TxRecord = { ...tx, status: "signed" };
        open.set(tx.nonce, back);
        if (tx.requestIds.some((id) => droppedRequests.has(id))) {
          await withoutDropped(back);
          logger.warn(
            { nonce: tx.nonce, requestIds: tx.requestIds.map(String) },
            "reorged answer of a dropped request; replacing it",
          );
        } else {
          await journal.putTx(back);
          logger.warn(
            { nonce: tx.nonce, requestIds: tx.requestIds.map(String) },
            "mined transaction removed by a reorg; re-sending",
          );
        }
      } else if (tx.nonce < latest - 256) mined.delete(tx.nonce);
    }
    if (droppedRequests.size > 0) {
      const carried = new Set<bigint>();
      for (const tx of [...open.values(), ...mined.values()]) for (const id of tx.requestIds) carried.add(id);
      for (const id of droppedRequests) if (!carried.has(id)) droppedRequests.delete(id);
    }
    releaseSlots();
  };

  return {
    address,
    get insufficientFunds() {
      return insufficientFunds;
    },
    inFlight: () => open.size + reserved.size,
    async init() {
      const [pending, latest, journaled] = await Promise.all([
        client.getTransactionCount({ address, blockTag: "pending" }),
        client.getTransactionCount({ address, blockTag: "latest" }),
        journal.listOpenTxs(),
      ]);
      // A transaction journaled as mined at a nonce the chain has not reached: the chain forgot it
      // (reset to a fresh state with the same genesis). Sending on would leave a nonce gap for good.
      const lost = (await journal.listTxsFrom(latest)).find((tx) => tx.status === "mined");
      if (lost) throw new ChainResetError({ file: journal.path, address, chainNonce: latest, lostNonce: lost.nonce });
      lastLatest = latest;
      const max = await journal.maxNonce();
      nextNonce = Math.max(pending, max === undefined ? 0 : max + 1);
      for (const tx of journaled) open.set(tx.nonce, { ...tx, status: tx.nonce >= latest ? "signed" : tx.status });
      if (journaled.length > 0)
        logger.info({ count: journaled.length, nextNonce }, "re-sending journaled transactions");
      await settleMined(latest);
      await pump();
    },
    async submit(answer) {
      // An answer to a request dropped by a reorg means its log is back on the canonical chain.
      droppedRequests.delete(answer.requestId);
      const signature = config.signedResults ? await signAnswer(answer) : undefined;
      return new Promise<SubmitOutcome>((resolve, reject) => {
        queued.push({ answer, signature, alone: maxBatch === 1, resolve, reject });
        flush();
      });
    },
    async cancel(requestId, why) {
      if (why === "dropped") droppedRequests.add(requestId);
      await exclusive(async () => {
        for (const nonce of [...open.keys()]) {
          const tx = open.get(nonce);
          if (!tx?.requestIds.includes(requestId)) continue;
          if (why === "dropped") await withoutDropped(tx);
          else if (tx.requestIds.length === 1) await fill(tx);
        }
      });
      await pump();
    },
    async tick() {
      const latest = await client.getTransactionCount({ address, blockTag: "latest" });
      if (latest < lastLatest) await events.onNonceDecreased?.();
      lastLatest = latest;
      await exclusive(async () => {
        await settleMined(latest);
        const now = Date.now();
        for (const nonce of [...open.keys()].sort((a, b) => a - b)) {
          const tx = open.get(nonce);
          if (tx?.status === "sent" && now - tx.sentAt > config.stuckAfterMs) await replace(tx, "stuck");
        }
      });
      pumpBlockedUntil = 0;
      await pump();
      try {
        events.onBalance?.(await client.getBalance({ address }));
      } catch {
        // The balance is informative only; the next tick tries again.
      }
    },
  };
}
