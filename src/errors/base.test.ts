import { describe, expect, test } from "vitest";
import { BaseError, formatErrorLine, RetryableError, shouldRetry } from "./base";

describe("errors", () => {
  test("shouldRetry: follows the class, not the message", () => {
    expect(shouldRetry(new RetryableError("timeout"))).toBe(true);
    expect(shouldRetry(new BaseError("timeout"))).toBe(false);
    expect(shouldRetry(new Error("timeout"))).toBe(false);
  });
  test("formatErrorLine: one line, keeps the cause", () => {
    const cause = new Error("low level");
    const error = new BaseError("Dataset not found: x", { cause });
    expect(formatErrorLine(error)).toBe("Dataset not found: x");
    expect(error.cause).toBe(cause);
    expect(formatErrorLine(new Error("a\nb"))).toBe("a");
  });
});
