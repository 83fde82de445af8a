import { shouldRetry } from "../errors/base";

/** Retry policy: attempts after the first, and the first backoff delay (doubled each time, with jitter). */
export type RetryPolicy = { retries: number; baseDelayMs: number; maxDelayMs?: number };

/**
 * Runs `operation` and repeats it after an exponential backoff while it throws an error that
 * `shouldRetry` accepts, up to `policy.retries` more times. `onRetry` hears about each retry.
 */
export async function withRetries<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.retries || !shouldRetry(error)) throw error;
      const exp = policy.baseDelayMs * 2 ** attempt;
      const delayMs = Math.min(policy.maxDelayMs ?? 10_000, exp) * (0.75 + Math.random() * 0.5);
      onRetry?.(error, attempt + 1, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
