import { InvalidTimestampError } from "../errors";

/** The fields of FlatBuffers `struct Timestamp` (16 bytes). */
export type TimestampParts = {
  year: number;
  /** 1-based day of the year. */
  ordinal: number;
  secondsFromMidnight: number;
  nanoseconds: number;
};

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const DAY = 86_400;

/**
 * Parses an RFC 3339 timestamp (any offset, up to 9 fractional digits, no leap seconds) into the UTC
 * fields of `struct Timestamp`. Throws `InvalidTimestampError`.
 */
export function parseTimestamp(text: string): TimestampParts {
  const m = typeof text === "string" ? RFC3339.exec(text) : null;
  if (!m) throw new InvalidTimestampError(`Not an RFC 3339 timestamp: ${JSON.stringify(text)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new InvalidTimestampError(`Not a valid date and time: ${JSON.stringify(text)}`);
  }
  const nanoseconds = m[7] ? Number(m[7].padEnd(9, "0")) : 0;
  const zone = m[8]!;
  let offset = 0;
  if (zone !== "Z" && zone !== "z") {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) throw new InvalidTimestampError(`Invalid UTC offset in ${JSON.stringify(text)}`);
    offset = (zone[0] === "-" ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  let days = daysFromCivil(year, month, day);
  let seconds = hour * 3600 + minute * 60 + second - offset;
  if (seconds < 0) {
    days -= 1;
    seconds += DAY;
  } else if (seconds >= DAY) {
    days += 1;
    seconds -= DAY;
  }
  const civil = civilFromDays(days);
  if (civil.year < 0 || civil.year > 9999) throw new InvalidTimestampError(`Timestamp out of range: ${text}`);
  return {
    year: civil.year,
    ordinal: days - daysFromCivil(civil.year, 1, 1) + 1,
    secondsFromMidnight: seconds,
    nanoseconds,
  };
}

/**
 * Formats `struct Timestamp` fields as RFC 3339 UTC ending in `Z`, with fractional seconds only when
 * non-zero, in groups of 3, 6 or 9 digits (like chrono's `SecondsFormat::AutoSi`).
 * Throws `InvalidTimestampError` when a field is out of range.
 */
export function formatTimestamp(parts: TimestampParts): string {
  const { year, ordinal, secondsFromMidnight, nanoseconds } = parts;
  if (
    !Number.isInteger(year) ||
    year < 0 ||
    year > 9999 ||
    !Number.isInteger(ordinal) ||
    ordinal < 1 ||
    ordinal > (isLeapYear(year) ? 366 : 365) ||
    !Number.isInteger(secondsFromMidnight) ||
    secondsFromMidnight < 0 ||
    secondsFromMidnight >= DAY ||
    !Number.isInteger(nanoseconds) ||
    nanoseconds < 0 ||
    nanoseconds >= 1e9
  ) {
    throw new InvalidTimestampError(
      `Timestamp out of range (year ${year}, day ${ordinal}, second ${secondsFromMidnight}, ns ${nanoseconds})`,
    );
  }
  const civil = civilFromDays(daysFromCivil(year, 1, 1) + ordinal - 1);
  const hh = Math.floor(secondsFromMidnight / 3600);
  const mm = Math.floor((secondsFromMidnight % 3600) / 60);
  const ss = secondsFromMidnight % 60;
  let frac = "";
  if (nanoseconds !== 0) {
    const digits = String(nanoseconds).padStart(9, "0");
    if (nanoseconds % 1_000_000 === 0) frac = `.${digits.slice(0, 3)}`;
    else if (nanoseconds % 1000 === 0) frac = `.${digits.slice(0, 6)}`;
    else frac = `.${digits}`;
  }
  return `${pad(civil.year, 4)}-${pad(civil.month, 2)}-${pad(civil.day, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}${frac}Z`;
}

/** Normalizes an RFC 3339 timestamp to the canonical UTC form used in metadata objects. */
export function normalizeTimestamp(text: string): string {
  return formatTimestamp(parseTimestamp(text));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): { year: number; month: number; day: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
