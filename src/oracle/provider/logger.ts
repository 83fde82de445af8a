import pino from "pino";

/** The structured logger the provider writes to (pino's interface; tests may pass `pino({ level: "silent" })`). */
export type ProviderLogger = Pick<pino.Logger, "info" | "warn" | "error" | "debug" | "fatal" | "child">;

/** A JSON-lines logger on standard error (structured logs for operators). */
export function createProviderLogger(level: string): pino.Logger {
  return pino({ level, base: { service: "odf-provider" } }, pino.destination(2));
}
