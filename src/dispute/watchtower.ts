import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import { z } from "zod";
import { formatErrorLine } from "../errors/base";
import { provideResultEvent } from "../oracle/provider/abi";
import { disputeOracleAbi, REQUEST_STATUS } from "./abi";
import { createWatchtowerMetrics, type WatchtowerMetrics } from "./metrics";
import { type OnChainAnswer, readAnswer } from "./readAnswer";
import { type ReplayDeps, type ReplayVerdict, replayAnswer } from "./replayAnswer";
import { submitDispute } from "./submitDispute";
import { toRpcError } from "./toRpcError";

/** Minimal logger (a pino logger fits). */
export type WatchtowerLogger = {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
};

/** One checked answer. */
export type WatchtowerCheck = {
  requestId: bigint;
  provider: Address;
  verdict: ReplayVerdict;
  /** Transaction of the dispute opened for a mismatch. */
  disputeTx?: `0x${string}`;
  /** Why a mismatch was not disputed (no wallet, no longer disputable, submission failed). */
  notDisputed?: string;
};

export type WatchtowerDeps = {
  client: PublicClient;
  oracle: Address;
  replay: ReplayDeps;
  /** Disputes mismatches with this wallet (paying the bond); without one the watchtower only reports. */
  wallet?: WalletClient<Transport, Chain | undefined, Account>;
  /** JSON file keeping the last fully checked block, so a restart resumes where it stopped. */
  cursorFile: string;
  /** First block when there is no cursor yet (default: the current head, i.e. only new answers). */
  startBlock?: bigint;
  /** Blocks an answer must be buried under before it is checked (default 0). */
  confirmations?: number;
  /** Largest block range of one `eth_getLogs` (default 2000). */
  maxBlockRange?: number;
  pollIntervalMs?: number;
  /** At most one warning per this interval while polls keep failing (default 30,000 ms). */
  warnIntervalMs?: number;
  logger?: WatchtowerLogger;
  metrics?: WatchtowerMetrics;
  /** Called after each check (the CLI prints it). */
  onCheck?: (check: WatchtowerCheck) => void;
};

/** A running watchtower. */
export type Watchtower = {
  metrics: WatchtowerMetrics;
  /** Checks every answer up to the current head (minus confirmations) once; returns what it checked. */
  poll(): Promise<WatchtowerCheck[]>;
  /** Polls every `pollIntervalMs` until `stop()`. */
  start(): void;
  /** Stops polling and waits for a poll in progress. */
  stop(): Promise<void>;
};

const cursorSchema = z.strictObject({ oracle: z.string(), block: z.string().regex(/^\d+$/) });

const quiet: WatchtowerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A watchtower: follows new `ProvideResult` events of an oracle, checks each answer by replay on
 * the local workspace and disputes mismatches automatically (when it has a wallet). The cursor is
 * persisted after every poll; answers it cannot replay are reported, never disputed. While polls
 * fail (RPC outage) it warns at most once per `warnIntervalMs`, naming the cause.
 */
export function createWatchtower(deps: WatchtowerDeps): Watchtower {
  const metrics = deps.metrics ?? createWatchtowerMetrics();
  const logger = deps.logger ?? quiet;
  const confirmations = BigInt(deps.confirmations ?? 0);
  const maxRange = BigInt(deps.maxBlockRange ?? 2000);
  let cursor: bigint | undefined = readCursor();
  if (cursor !== undefined) metrics.cursorBlock.set(Number(cursor));
  let timer: NodeJS.Timeout | undefined;
  /** Failed polls in a row, and how many of them have not been warned about yet. */
  let failures = 0;
  let unwarned = 0;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  function readCursor(): bigint | undefined {
    if (!existsSync(deps.cursorFile)) return undefined;
    const saved = cursorSchema.parse(JSON.parse(readFileSync(deps.cursorFile, "utf8")));
    if (saved.oracle.toLowerCase() !== deps.oracle.toLowerCase()) return undefined;
    return BigInt(saved.block);
  }

  function writeCursor(block: bigint) {
    const tmp = `${deps.cursorFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ oracle: deps.oracle, block: block.toString() })}\n`);
    renameSync(tmp, deps.cursorFile);
    metrics.cursorBlock.set(Number(block));
  }

  async function check(requestId: bigint): Promise<WatchtowerCheck> {
    let answer: OnChainAnswer;
    try {
      answer = await readAnswer(deps.client, { oracle: deps.oracle, requestId });
    } catch (error) {
      metrics.errors.inc({ stage: "read" });
      throw error;
    }
    const verdict = await replayAnswer(deps.replay, answer);
    metrics.checks.inc({ verdict: verdict.verdict.toLowerCase() });
    const result: WatchtowerCheck = { requestId, provider: answer.provider, verdict };
    if (verdict.verdict !== "MISMATCH") return result;
    if (!deps.wallet) return { ...result, notDisputed: "no disputer wallet" };
    const status = await deps.client.readContract({
      address: deps.oracle,
      abi: disputeOracleAbi,
      functionName: "requestStatus",
      args: [requestId],
    });
    if (REQUEST_STATUS[status] !== "Fulfilled") {
      return { ...result, notDisputed: `request is ${REQUEST_STATUS[status] ?? status}` };
    }
    try {
      const { hash } = await submitDispute(deps.wallet, deps.client, { oracle: deps.oracle, requestId });
      metrics.disputes.inc();
      logger.warn({ requestId: `${requestId}`, tx: hash, provider: answer.provider }, "disputed a wrong answer");
      return { ...result, disputeTx: hash };
    } catch (error) {
      metrics.errors.inc({ stage: "dispute" });
      logger.error({ requestId: `${requestId}`, error: (error as Error).message }, "dispute failed");
      return { ...result, notDisputed: (error as Error).message };
    }
  }

  async function pollOnce(): Promise<WatchtowerCheck[]> {
    const head = await deps.client.getBlockNumber({ cacheTime: 0 });
    const safe = head - confirmations;
    if (cursor === undefined) {
      cursor = deps.startBlock === undefined ? safe : deps.startBlock - 1n;
      if (cursor >= 0n) writeCursor(cursor);
    }
    let at: bigint = cursor;
    metrics.blocksBehind.set(Number(head - at));
    const checks: WatchtowerCheck[] = [];
    while (at < safe && !stopped) {
      const from: bigint = at + 1n;
      const to: bigint = from + maxRange - 1n < safe ? from + maxRange - 1n : safe;
      const logs = await deps.client.getLogs({
        address: deps.oracle,
        event: provideResultEvent,
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        const requestId = log.args.requestId;
        if (requestId === undefined) continue;
        const result = await check(requestId);
        logger.info({ requestId: `${requestId}`, verdict: result.verdict.verdict }, "checked an answer");
        deps.onCheck?.(result);
        checks.push(result);
      }
      at = to;
      cursor = to;
      writeCursor(to);
    }
    return checks;
  }

  function poll(): Promise<WatchtowerCheck[]> {
    const once = () =>
      pollOnce().catch((error: unknown) => {
        throw toRpcError(error);
      });
    const p = (running ?? Promise.resolve()).then(once, once);
    running = p.catch(() => undefined);
    return p;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      poll()
        .then(
          () => {
            if (failures > 0) logger.info({ failures }, "polling recovered");
            failures = 0;
            unwarned = 0;
          },
          (error: unknown) => {
            metrics.errors.inc({ stage: "poll" });
            failures++;
            unwarned++;
            // One line per failed poll would flood the log during an outage: at most one per interval.
            if (performance.now() - lastWarning < (deps.warnIntervalMs ?? 30_000)) return;
            lastWarning = performance.now();
            logger.warn({ error: formatErrorLine(error), failures: unwarned }, "poll failed");
            unwarned = 0;
          },
        )
        .finally(schedule);
    }, deps.pollIntervalMs ?? 1000);
  }

  return {
    metrics,
    poll,
    start: () => {
      stopped = false;
      schedule();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
