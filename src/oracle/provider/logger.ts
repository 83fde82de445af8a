import pino from "pino";

/** The structured logger the provider writes to (pino's interface; tests may pass `pino({ level: "silent" })`). */
export type ProviderLogger = Pick<pino.Logger, "info" | "warn" | "error" | "debug" | "fatal" | "child">;

/** A JSON-lines logger on standard error (structured logs for operators). */
export function createProviderLogger(level: string): pino.Logger {
  return pino({ level, base: { service: "odf-provider" } }, pino.destination(2));
}

/** Short log fields of an error: its one-line message and that of its innermost cause (no stack, no request dumps). */
export function errorFields(error: unknown): { error: string; cause?: string } {
  const line = (e: unknown): string => {
    const short = (e as { shortMessage?: unknown }).shortMessage;
    const details = (e as { details?: unknown }).details;
    const text =
      typeof short === "string"
        ? short
        : e instanceof Error
          ? e.message
          : typeof e === "object" && e !== null
            ? JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? String(v) : v))
            : String(e);
    const first = text.split("\n")[0] ?? text;
    return typeof details === "string" && details && !first.includes(details) ? `${first} (${details})` : first;
  };
  let inner: unknown = error;
  for (let depth = 0; depth < 8 && (inner as { cause?: unknown })?.cause; depth += 1) {
    inner = (inner as { cause: unknown }).cause;
  }
  return inner === error ? { error: line(error) } : { error: line(error), cause: line(inner) };
}
