/** Parameters shared by every error of the project. */
export type BaseErrorParameters = {
  /** Extra lines of context printed under the message (key: value). */
  details?: string | undefined;
  /** Lines that tell the user what to do about it. */
  hints?: readonly string[] | undefined;
  /** The lower-level error this one wraps. */
  cause?: unknown;
};

/**
 * Root of the project's error tree. Branch on the class (`instanceof`), never on the message.
 * `retryable` says whether the same call may succeed later (see `shouldRetry`).
 */
export class BaseError extends Error {
  override name = "OdfError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hints: readonly string[];
  /** Whether repeating the same operation may succeed (RPC timeouts, nonce races, a busy engine). */
  readonly retryable: boolean = false;

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    super(shortMessage, params.cause === undefined ? undefined : { cause: params.cause });
    this.shortMessage = shortMessage;
    this.details = params.details;
    this.hints = params.hints ?? [];
  }
}

/** A `BaseError` whose operation may succeed when repeated. */
export class RetryableError extends BaseError {
  override name = "RetryableError";
  override readonly retryable = true;
}

/** Decides whether an error is worth retrying: our own errors say so; unknown errors are not. */
export function shouldRetry(error: unknown): boolean {
  if (error instanceof BaseError) return error.retryable;
  return false;
}

/** Formats an error as one line for the CLI (no stack trace). */
export function formatErrorLine(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage;
  if (error instanceof Error) return error.message.split("\n")[0] ?? String(error);
  return String(error);
}
