import {
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  type PublicClient,
  parseGwei,
  type TransactionSerializable,
} from "viem";
import { ODF_ORACLE_EIP712, ODF_RESULT_TYPES, providerOracleAbi } from "./abi";
import { classifyRpcError } from "./classifyRpcError";
import { InsufficientFundsError, RpcUnavailableError } from "./errors";
import type { Journal, TxRecord } from "./journal";
import { errorFields, type ProviderLogger } from "./logger";
import type { ProviderSigner } from "./signer";

/** Submission settings (the config's `submit` block plus the chain facts). */
export type SubmitterConfig = {
  chainId: number;
  oracleAddress: Address;
  /** Answer with `provideSignedResult` (EIP-712 attestation); false: plain v1 `provideResult`. */
  signedResults: boolean;
  maxInFlight: number;
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
  /** A transaction was mined (`success: false` when it reverted). */
  onMined?(tx: TxRecord, success: boolean): void;
  /** The wallet cannot pay (true) or can again (false). */
  onFunds?(insufficient: boolean): void;
  onBalance?(wei: bigint): void;
};

/** The nonce manager and transaction sender. */
export type Submitter = {
  readonly address: Address;
  /** Loads journaled transactions and the chain's nonce; re-sends what a previous run left in flight. */
  init(): Promise<void>;
  /** Simulates, signs, journals (intent) and broadcasts an answer; waits for a free in-flight slot first. */
  submit(answer: Answer): Promise<SubmitOutcome>;
  /** Replaces the transaction of a request removed by a reorg with a self-transfer (its nonce is still used). */
  cancel(requestId: bigint): Promise<void>;
  /** Checks mined nonces, reorged transactions, stuck transactions, unsent intents; refreshes the balance. */
  tick(): Promise<void>;
  /** Transactions signed and not yet mined. */
  inFlight(): number;
  /** Whether the last send failed for lack of funds. */
  readonly insufficientFunds: boolean;
};

/** Upper bound of gas estimation (below the per-transaction cap of recent forks, 2^24). */
const ESTIMATE_GAS_CAP = 15_000_000n;
/** Callback gas assumed when the oracle cannot tell (v1 contracts). */
const FALLBACK_CALLBACK_GAS = 2_000_000n;
const PRIORITY_FEE = 1_000_000_000n; // 1 gwei tip
const REPLACE_EXTRA = 10n; // extra percent kept above the node's replacement minimum when underpriced

/**
 * Creates the submitter: one nonce sequence per provider address, several transactions in flight,
 * broadcast strictly in nonce order (automining nodes refuse nonce gaps). Every transaction is
 * journaled before it is broadcast and re-broadcast from the journal until its nonce is mined, so an
 * answer is never signed twice for one request, across restarts too. Stuck transactions are
 * replaced with a higher fee up to the cap; a lack of funds is reported and retried until funded.
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
  /** Unmined transactions by nonce. */
  const open = new Map<number, TxRecord>();
  /** Recently mined transactions (kept to notice reorgs that un-mine them). */
  const mined = new Map<number, TxRecord>();
  let nextNonce = 0;
  let insufficientFunds = false;
  let estimateWorks = true;
  /** Nonces whose answer must not be re-sent (their request was dropped or replaced by a reorg). */
  const cancelledNonces = new Set<number>();
  let feeCache: { at: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined;
  const slotWaiters: (() => void)[] = [];
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let pumpBlockedUntil = 0;

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

  /**
   * Simulates the answer and picks its gas limit: `eth_estimateGas` where the node supports it;
   * otherwise (some nodes fail estimation above the per-transaction gas cap) a bound computed from
   * the request's callback gas limit and the response size, checked with `eth_call`. Throws the
   * node's error for a revert (classified by the caller).
   */
  const gasFor = async (answer: Answer, data: Hex): Promise<bigint> => {
    if (config.gasLimit !== undefined) {
      await client.call({ account: address, to: config.oracleAddress, data, gas: BigInt(config.gasLimit) });
      return BigInt(config.gasLimit);
    }
    if (estimateWorks) {
      try {
        const estimate = await client.estimateGas({
          account: address,
          to: config.oracleAddress,
          data,
          gas: ESTIMATE_GAS_CAP,
        });
        return (estimate * 120n) / 100n;
      } catch (error) {
        const c = classifyRpcError(error);
        if (c.kind !== "unavailable" || !/gas limit .* cap/i.test(errorFields(error).cause ?? "")) throw error;
        estimateWorks = false;
        logger.info("eth_estimateGas is unusable on this node; computing gas limits from the request");
      }
    }
    let callbackGas = FALLBACK_CALLBACK_GAS;
    try {
      const stored = await client.readContract({
        address: config.oracleAddress,
        abi: providerOracleAbi,
        functionName: "getRequest",
        args: [answer.requestId],
      });
      callbackGas = BigInt(stored.callbackGasLimit);
    } catch {
      // A v1 oracle has no getRequest: assume the largest usual callback gas.
    }
    const responseBytes = BigInt((answer.response.length - 2) / 2);
    const gas = 150_000n + 100n * responseBytes + (callbackGas * 64n) / 63n + 10_000n;
    await client.call({ account: address, to: config.oracleAddress, data, gas });
    return gas;
  };

  const releaseSlots = () => {
    while (slotWaiters.length > 0 && open.size < config.maxInFlight) slotWaiters.shift()?.();
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
        await replace(tx, "underpriced");
        return false;
      } else if (c.kind === "revert") {
        // Some nodes simulate on submission; the nonce stays unused, so fill it.
        logger.warn(
          { nonce: tx.nonce, requestId: tx.requestId, error: c.errorName },
          "transaction refused; filling nonce",
        );
        await fill(tx);
        return false;
      } else {
        logger.warn({ nonce: tx.nonce, kind: c.kind, ...errorFields(error) }, "broadcast failed; will retry");
        return false;
      }
    }
    setFunds(false);
    // Kept in memory only: after a restart every unmined journaled transaction is broadcast again.
    const sent: TxRecord = { ...tx, status: "sent", sentAt: Date.now() };
    if (open.has(tx.nonce)) open.set(tx.nonce, sent);
    return true;
  };

  /** Broadcasts every unsent transaction in nonce order, stopping at the first failure. */
  const pump = (): Promise<void> => {
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        if (Date.now() < pumpBlockedUntil) break;
        const unsent = [...open.values()].filter((t) => t.status === "signed").sort((a, b) => a.nonce - b.nonce);
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

  /** Re-signs a transaction with fees raised by the bump (never above the cap). */
  const replace = async (tx: TxRecord, why: string, data?: Hex, to?: Address, gas?: bigint): Promise<void> => {
    const bump = BigInt(config.feeBumpPercent) + (why === "underpriced" ? REPLACE_EXTRA : 0n);
    const current = await fees().catch(() => undefined);
    let maxFeePerGas = (tx.maxFeePerGas * (100n + bump)) / 100n;
    let maxPriorityFeePerGas = (tx.maxPriorityFeePerGas * (100n + bump)) / 100n;
    if (current && current.maxFeePerGas > maxFeePerGas) maxFeePerGas = current.maxFeePerGas;
    if (maxFeePerGas > cap) maxFeePerGas = cap;
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    if (maxFeePerGas <= tx.maxFeePerGas && data === undefined) {
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
        requestId: data === undefined ? tx.requestId : null,
        to: to ?? tx.to,
        data: data ?? tx.data,
        gas: gas ?? tx.gas,
        maxFeePerGas,
        maxPriorityFeePerGas,
      },
      tx,
    );
    open.set(tx.nonce, next);
    await journal.putTx(next);
    logger.info(
      { nonce: tx.nonce, requestId: next.requestId, why, maxFeePerGas: String(maxFeePerGas) },
      "replacing transaction",
    );
  };

  /** Replaces a nonce's transaction with a 0-value self-transfer. */
  const fill = (tx: TxRecord) => replace(tx, "cancel", "0x", address, 21_000n);

  const settleMined = async (latest: number) => {
    for (const tx of [...open.values()].sort((a, b) => a.nonce - b.nonce)) {
      if (tx.nonce >= latest) continue;
      open.delete(tx.nonce);
      let success = true;
      let minedTx: TxRecord = { ...tx, status: "mined" };
      for (const hash of [...tx.hashes].reverse()) {
        const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt) {
          success = receipt.status === "success";
          minedTx = { ...minedTx, hash };
          break;
        }
      }
      mined.set(tx.nonce, minedTx);
      await journal.putTx(minedTx);
      events.onMined?.(minedTx, success);
    }
    // Reorgs: a transaction we saw mined whose nonce the chain no longer counts goes back in flight.
    for (const tx of [...mined.values()]) {
      if (tx.nonce >= latest) {
        mined.delete(tx.nonce);
        const back: TxRecord = { ...tx, status: "signed" };
        open.set(tx.nonce, back);
        if (cancelledNonces.has(tx.nonce)) {
          await fill(back);
          logger.warn(
            { nonce: tx.nonce, requestId: tx.requestId },
            "reorged answer of a dropped request; filling its nonce",
          );
        } else {
          await journal.putTx(back);
          logger.warn({ nonce: tx.nonce, requestId: tx.requestId }, "mined transaction removed by a reorg; re-sending");
        }
      } else if (tx.nonce < latest - 256) mined.delete(tx.nonce);
    }
    releaseSlots();
  };

  return {
    address,
    get insufficientFunds() {
      return insufficientFunds;
    },
    inFlight: () => open.size,
    async init() {
      const [pending, latest, journaled] = await Promise.all([
        client.getTransactionCount({ address, blockTag: "pending" }),
        client.getTransactionCount({ address, blockTag: "latest" }),
        journal.listOpenTxs(),
      ]);
      const max = await journal.maxNonce();
      nextNonce = Math.max(pending, max === undefined ? 0 : max + 1);
      for (const tx of journaled) open.set(tx.nonce, { ...tx, status: tx.nonce >= latest ? "signed" : tx.status });
      if (journaled.length > 0)
        logger.info({ count: journaled.length, nextNonce }, "re-sending journaled transactions");
      await settleMined(latest);
      await pump();
    },
    async submit(answer) {
      const data = config.signedResults
        ? encodeFunctionData({
            abi: providerOracleAbi,
            functionName: "provideSignedResult",
            args: [
              answer.requestId,
              answer.response,
              await signer.signTypedData({
                domain: { ...ODF_ORACLE_EIP712, chainId: config.chainId, verifyingContract: config.oracleAddress },
                types: ODF_RESULT_TYPES,
                primaryType: "OdfResult",
                message: {
                  requestId: answer.requestId,
                  requestHash: keccak256(answer.request),
                  responseHash: keccak256(answer.response),
                },
              }),
            ],
          })
        : encodeFunctionData({
            abi: providerOracleAbi,
            functionName: "provideResult",
            args: [answer.requestId, answer.response],
          });
      let gas: bigint;
      try {
        gas = await gasFor(answer, data);
      } catch (error) {
        const c = classifyRpcError(error);
        if (c.kind === "revert") {
          if (c.errorName === "RequestNotFound") return { kind: "not_pending" };
          return { kind: "refused", errorName: c.errorName };
        }
        if (c.kind === "insufficient_funds") {
          setFunds(true);
          throw new InsufficientFundsError({ address, cause: error });
        }
        throw new RpcUnavailableError("simulation (eth_call/eth_estimateGas)", { cause: error });
      }
      while (open.size >= config.maxInFlight) await new Promise<void>((resolve) => slotWaiters.push(resolve));
      let fee: Awaited<ReturnType<typeof fees>>;
      try {
        fee = await fees();
      } catch (error) {
        throw new RpcUnavailableError("eth_feeHistory", { cause: error });
      }
      const nonce = nextNonce++;
      const tx = await sign({
        nonce,
        requestId: answer.requestId,
        to: config.oracleAddress,
        data,
        gas,
        maxFeePerGas: fee.maxFeePerGas,
        maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
      });
      open.set(nonce, tx);
      await journal.recordIntent(tx, answer);
      void pump().catch((error) => logger.warn(errorFields(error), "broadcast failed"));
      return { kind: "sent", nonce, hash: tx.hash };
    },
    async cancel(requestId) {
      for (const tx of [...open.values()]) {
        if (tx.requestId !== requestId) continue;
        cancelledNonces.add(tx.nonce);
        await fill(tx);
      }
      // Answers seen mined may be un-mined by the same reorg: fill their nonces if they come back.
      for (const tx of mined.values()) if (tx.requestId === requestId) cancelledNonces.add(tx.nonce);
      await pump();
    },
    async tick() {
      const latest = await client.getTransactionCount({ address, blockTag: "latest" });
      await settleMined(latest);
      const now = Date.now();
      for (const tx of [...open.values()].sort((a, b) => a.nonce - b.nonce)) {
        if (tx.status === "sent" && now - tx.sentAt > config.stuckAfterMs) await replace(tx, "stuck");
      }
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
