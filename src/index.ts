/** Public API of odf-oracle. */
export { BaseError, RetryableError, shouldRetry } from "./errors/base";
