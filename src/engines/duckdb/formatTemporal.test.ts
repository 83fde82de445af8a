import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatDate, formatInterval, formatTime, formatTimestamp, parseDate, parseTimestamp } from "./formatTemporal";

describe("formatTemporal", () => {
  test("formatTimestamp: RFC 3339 UTC, fraction only when non-zero", () => {
    expect(formatTimestamp(1_725_313_800_000_000_000n)).toBe("2024-09-02T21:50:00Z");
    expect(formatTimestamp(1_725_313_800_500_000_000n)).toBe("2024-09-02T21:50:00.5Z");
    expect(formatTimestamp(1_725_313_800_123_456_789n)).toBe("2024-09-02T21:50:00.123456789Z");
    expect(formatTimestamp(-1n)).toBe("1969-12-31T23:59:59.999999999Z");
    expect(formatTimestamp(0n)).toBe("1970-01-01T00:00:00Z");
  });

  test("formatTimestamp agrees with Date.toISOString over its range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms)
          .toISOString()
          .replace(/\.000Z$/, "Z")
          .replace(/(\.\d*?)0+Z$/, "$1Z");
        expect(formatTimestamp(BigInt(ms) * 1_000_000n)).toBe(iso);
      }),
    );
  });

  test("parseTimestamp and parseDate invert the formatters", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), (nanos) => {
        expect(parseTimestamp(formatTimestamp(nanos))).toBe(nanos);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -1_000_000n, max: 3_000_000n }), (days) => {
        expect(parseDate(formatDate(days))).toBe(days);
      }),
    );
  });

  test("formatTime and formatInterval", () => {
    expect(formatTime(43_201_250_000_000n)).toBe("12:00:01.25");
    expect(formatInterval(14, 3, 4_500_000n)).toBe("P1Y2M3DT4.5S");
    expect(formatInterval(0, 0, 0n)).toBe("PT0S");
    expect(formatInterval(0, 0, 3_723_000_000n)).toBe("PT1H2M3S");
    expect(formatInterval(0, -1, -1_000_000n)).toBe("P-1DT-1S");
  });
});
