import { BaseError, formatErrorLine } from "../errors/base";

/**
 * How the CLI reports a failure on standard error: `odf: <one line>` (after `prefix`, e.g.
 * `CANNOT-REPLAY `), then a `hint: ...` line for each hint of the error and of the errors it wraps
 * (`cause`), each once.
 */
export function errorLines(error: unknown, prefix = ""): string[] {
  const hints = new Set<string>();
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof BaseError) for (const hint of e.hints) hints.add(hint);
  }
  return [`odf: ${prefix}${formatErrorLine(error)}`, ...[...hints].map((hint) => `hint: ${hint}`)];
}
