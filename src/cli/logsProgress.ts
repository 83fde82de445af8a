import type { ChainSourceProgress, ChainSourcePullResult } from "../chain-source/createChainSource";
import type { Output } from "./output";

/** Renders chain-source pull progress: a bar on a terminal, periodic plain lines otherwise. */
export type LogsProgressRenderer = {
  update(progress: ChainSourceProgress): void;
  /** Stops the bar and prints the one-line summary. */
  finish(alias: string, result: ChainSourcePullResult): void;
};

function rate(count: number, ms: number): string {
  return ms > 0 ? `${Math.round((count * 1000) / ms)}` : "0";
}

function eta(done: number, total: number, ms: number): string {
  if (done <= 0 || done >= total) return "0s";
  const s = Math.round(((total - done) * ms) / done / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

/** Summary line of a finished pull. */
export function formatPullSummary(alias: string, r: ChainSourcePullResult, elapsedMs: number): string {
  if (!r.updated) return `${alias}: up to date${r.lastBlock ? ` (block ${r.lastBlock.number})` : ""}`;
  const blocks = Math.max(0, r.toBlock - r.fromBlock + 1);
  const parts = [
    `${r.logs} logs added`,
    ...(r.retracted > 0 ? [`${r.retracted} retracted (reorg at block ${r.reorgForkBlock})`] : []),
    ...(r.mismatched > 0 ? [`${r.mismatched} foreign logs skipped`] : []),
    `${blocks} blocks ${r.fromBlock}..${r.toBlock}`,
    `${r.commits} commits`,
    `${rate(r.logs, elapsedMs)} logs/s`,
  ];
  return `${alias}: ${parts.join(", ")} in ${(elapsedMs / 1000).toFixed(1)}s`;
}

/**
 * Creates the renderer. On a TTY it draws a `cli-progress` bar (blocks scanned of total, logs/s,
 * ETA); elsewhere it prints a plain line at most every `intervalMs` (default 5 s).
 */
export function createLogsProgress(out: Output, options: { intervalMs?: number } = {}): LogsProgressRenderer {
  const interval = options.intervalMs ?? 5_000;
  const started = performance.now();
  let lastLine = 0;
  let bar: import("cli-progress").SingleBar | undefined;
  let barTotal = 0;

  return {
    update(p) {
      const total = Math.max(0, p.toBlock - p.fromBlock + 1);
      const done = Math.max(0, Math.min(total, p.scannedTo - p.fromBlock + 1));
      const payload = { logs: p.logs, rate: rate(p.logs, p.elapsedMs), etaText: eta(done, total, p.elapsedMs) };
      if (out.isTty) {
        if (!bar) {
          const { SingleBar, Presets } = require("cli-progress") as typeof import("cli-progress");
          bar = new SingleBar(
            {
              format: "blocks {bar} {value}/{total} | {logs} logs | {rate} logs/s | ETA {etaText}",
              hideCursor: true,
              clearOnComplete: true,
            },
            Presets.shades_classic,
          );
          bar.start(total, done, payload);
          barTotal = total;
        }
        if (total !== barTotal) {
          bar.setTotal(total);
          barTotal = total;
        }
        bar.update(done, payload);
        return;
      }
      const now = performance.now();
      if (p.phase === "scan" && now - lastLine < interval) return;
      if (p.phase === "done") return;
      lastLine = now;
      const pct = total > 0 ? ((100 * done) / total).toFixed(1) : "100.0";
      out.line(
        `[${p.phase}] blocks ${done}/${total} (${pct}%) | ${p.logs} logs | ${payload.rate} logs/s | ETA ${payload.etaText}`,
      );
    },
    finish(alias, result) {
      bar?.stop();
      bar = undefined;
      out.line(formatPullSummary(alias, result, performance.now() - started));
    },
  };
}
