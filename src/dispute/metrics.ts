import { Counter, Gauge, Registry } from "prom-client";

/** The watchtower's Prometheus metrics (in their own registry). */
export type WatchtowerMetrics = {
  registry: Registry;
  /** Answers checked by replay, by verdict (match, mismatch, cannot_replay). */
  checks: Counter<"verdict">;
  /** Disputes opened on chain. */
  disputes: Counter;
  /** Failures of a check or a dispute (RPC, engine), by stage. */
  errors: Counter<"stage">;
  /** Last block whose answers have all been checked. */
  cursorBlock: Gauge;
  /** Blocks between the chain head and the cursor at the last poll. */
  blocksBehind: Gauge;
};

/** Creates the watchtower metrics in a fresh registry. */
export function createWatchtowerMetrics(): WatchtowerMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    checks: new Counter({
      name: "odf_watchtower_checks_total",
      help: "Oracle answers checked by replay, by verdict",
      labelNames: ["verdict"],
      registers,
    }),
    disputes: new Counter({ name: "odf_watchtower_disputes_total", help: "Disputes opened on chain", registers }),
    errors: new Counter({
      name: "odf_watchtower_errors_total",
      help: "Failed checks or dispute submissions, by stage",
      labelNames: ["stage"],
      registers,
    }),
    cursorBlock: new Gauge({
      name: "odf_watchtower_cursor_block",
      help: "Last block whose answers have all been checked",
      registers,
    }),
    blocksBehind: new Gauge({
      name: "odf_watchtower_blocks_behind",
      help: "Blocks between the chain head and the cursor",
      registers,
    }),
  };
}
