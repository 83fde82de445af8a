import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The provider's Prometheus metrics (in their own registry, served at `/metrics`). */
export type ProviderMetrics = {
  registry: Registry;
  requestsSeen: Counter;
  requestsAnswered: Counter<"result">;
  requestsFailed: Counter<"reason">;
  answeredElsewhere: Counter;
  answerLatency: Histogram;
  blocksBehind: Gauge;
  headBlock: Gauge;
  /** In ether; `walletBalanceWei` is kept for dashboards written against the old name. */
  walletBalance: Gauge;
  walletBalanceWei: Gauge;
  walletInsufficientFunds: Gauge;
  inFlight: Gauge;
  rpcErrors: Counter<"operation">;
  reorgDrops: Counter;
};

/** Creates the provider metrics in a fresh registry. */
export function createProviderMetrics(): ProviderMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requestsSeen: new Counter({
      name: "odf_provider_requests_seen_total",
      help: "Oracle requests seen on chain",
      registers,
    }),
    requestsAnswered: new Counter({
      name: "odf_provider_requests_answered_total",
      help: "Requests answered by this provider (result: ok or error response)",
      labelNames: ["result"],
      registers,
    }),
    requestsFailed: new Counter({
      name: "odf_provider_requests_failed_total",
      help: "Requests answered with an error response or not answered, by reason",
      labelNames: ["reason"],
      registers,
    }),
    answeredElsewhere: new Counter({
      name: "odf_provider_requests_answered_elsewhere_total",
      help: "Requests another provider answered first",
      registers,
    }),
    answerLatency: new Histogram({
      name: "odf_provider_answer_latency_seconds",
      help: "From the request seen on chain to our answer seen on chain",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    blocksBehind: new Gauge({
      name: "odf_provider_blocks_behind_head",
      help: "Chain head minus the scanned block",
      registers,
    }),
    headBlock: new Gauge({ name: "odf_provider_head_block", help: "Latest chain head seen", registers }),
    walletBalance: new Gauge({
      name: "odf_provider_wallet_balance_eth",
      help: "Balance of the provider address in ether",
      registers,
    }),
    walletBalanceWei: new Gauge({
      name: "odf_provider_wallet_balance_wei",
      help: "Balance of the provider address in wei (deprecated: a float, exact only up to 2^53 wei; use odf_provider_wallet_balance_eth)",
      registers,
    }),
    walletInsufficientFunds: new Gauge({
      name: "odf_provider_wallet_insufficient_funds",
      help: "1 while answers wait because the wallet cannot pay",
      registers,
    }),
    inFlight: new Gauge({
      name: "odf_provider_transactions_in_flight",
      help: "Signed, unmined transactions",
      registers,
    }),
    rpcErrors: new Counter({
      name: "odf_provider_rpc_errors_total",
      help: "Failed RPC operations (retried)",
      labelNames: ["operation"],
      registers,
    }),
    reorgDrops: new Counter({
      name: "odf_provider_reorg_dropped_requests_total",
      help: "Requests whose log a reorg removed",
      registers,
    }),
  };
}
