import { Counter, Histogram, type Registry } from "prom-client";

/** The HTTP server's Prometheus metrics, registered on a registry the caller owns. */
export type ServerMetrics = {
  readonly registry: Registry;
  /** Requests by method, route pattern and status code. */
  readonly requests: Counter<"method" | "route" | "status">;
  /** Request latency in seconds by method and route pattern. */
  readonly latency: Histogram<"method" | "route">;
  /** `/verify` outcomes by result (`ok` or the error kind). */
  readonly verifications: Counter<"result">;
};

/** Creates the server's metrics on `registry` (never the global registry). */
export function createServerMetrics(registry: Registry): ServerMetrics {
  return {
    registry,
    requests: new Counter({
      name: "odf_http_requests_total",
      help: "HTTP requests served, by method, route and status code",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: "odf_http_request_duration_seconds",
      help: "HTTP request latency in seconds, by method and route",
      labelNames: ["method", "route"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    verifications: new Counter({
      name: "odf_verify_total",
      help: "Verification requests by result (ok or the error kind)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
  };
}
