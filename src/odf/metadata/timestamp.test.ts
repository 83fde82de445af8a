import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidTimestampError } from "../errors";
import { formatTimestamp, normalizeTimestamp, parseTimestamp } from "./timestamp";

describe("timestamp", () => {
  test("parseTimestamp: struct fields of known instants", () => {
    expect(parseTimestamp("2020-01-01T12:00:00Z")).toEqual({
      year: 2020,
      ordinal: 1,
      secondsFromMidnight: 43200,
      nanoseconds: 0,
    });
    expect(parseTimestamp("2024-12-31T23:59:59.999999999Z")).toEqual({
      year: 2024,
      ordinal: 366,
      secondsFromMidnight: 86399,
      nanoseconds: 999999999,
    });
    // An offset that crosses midnight and the year boundary.
    expect(parseTimestamp("2021-01-01T01:30:00+02:00")).toEqual({
      year: 2020,
      ordinal: 366,
      secondsFromMidnight: 84600,
      nanoseconds: 0,
    });
  });

  test("formatTimestamp: fractional seconds only when non-zero, in groups of 3", () => {
    expect(normalizeTimestamp("2020-01-01T12:00:00.000Z")).toBe("2020-01-01T12:00:00Z");
    expect(normalizeTimestamp("2020-01-01T12:00:00.5Z")).toBe("2020-01-01T12:00:00.500Z");
    expect(normalizeTimestamp("2020-01-01T12:00:00.0001Z")).toBe("2020-01-01T12:00:00.000100Z");
    expect(normalizeTimestamp("2020-01-01T12:00:00.000000001z")).toBe("2020-01-01T12:00:00.000000001Z");
  });

  test("agrees with Date over random instants", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        const expected = iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
        expect(formatTimestamp(parseTimestamp(iso))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test("rejects malformed and out-of-range values", () => {
    for (const bad of [
      "2020-02-30T00:00:00Z",
      "2020-01-01 00:00:00Z",
      "2020-01-01T24:00:00Z",
      "2020-01-01T00:00:60Z",
      "2020-01-01T00:00:00",
    ]) {
      expect(() => parseTimestamp(bad), bad).toThrow(InvalidTimestampError);
    }
    expect(() => formatTimestamp({ year: 2021, ordinal: 366, secondsFromMidnight: 0, nanoseconds: 0 })).toThrow(
      InvalidTimestampError,
    );
    expect(() => formatTimestamp({ year: 2021, ordinal: 1, secondsFromMidnight: 86400, nanoseconds: 0 })).toThrow(
      InvalidTimestampError,
    );
  });
});
