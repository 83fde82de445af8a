/** Text forms of DuckDB's temporal values: RFC 3339 UTC timestamps, ISO dates, times, durations. */

const NANOS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;

/** Civil date (proleptic Gregorian) of a day count since 1970-01-01 (Howard Hinnant's algorithm). */
function civilFromDays(days: bigint): { year: bigint; month: number; day: number } {
  const z = days + 719_468n;
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n;
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1_460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = Number(doy - (153n * mp + 2n) / 5n + 1n);
  const month = Number(mp < 10n ? mp + 3n : mp - 9n);
  const year = yoe + era * 400n + (month <= 2 ? 1n : 0n);
  return { year, month, day };
}

function pad(value: number | bigint, width: number): string {
  return String(value).padStart(width, "0");
}

function formatYear(year: bigint): string {
  if (year >= 0n && year <= 9999n) return pad(year, 4);
  return year < 0n ? `-${pad(-year, 4)}` : `+${year}`;
}

/** Fractional seconds without trailing zeros (`.5`, `.123456789`), empty when zero. */
function formatFraction(nanos: bigint): string {
  if (nanos === 0n) return "";
  return `.${pad(nanos, 9).replace(/0+$/, "")}`;
}

/** Floor division and non-negative remainder of bigints. */
function divMod(a: bigint, b: bigint): [bigint, bigint] {
  const q = a / b;
  const r = a % b;
  return r < 0n ? [q - 1n, r + b] : [q, r];
}

/** `YYYY-MM-DD` of a day count since the Unix epoch. */
export function formatDate(days: bigint): string {
  const { year, month, day } = civilFromDays(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `HH:MM:SS[.fffffffff]` of nanoseconds since midnight. */
export function formatTime(nanosOfDay: bigint): string {
  const [seconds, nanos] = divMod(nanosOfDay, NANOS_PER_SECOND);
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  const s = seconds % 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${formatFraction(nanos)}`;
}

/**
 * RFC 3339 UTC text of nanoseconds since the Unix epoch: `2024-09-02T21:50:00Z`, fractional seconds
 * only when non-zero and without trailing zeros (up to 9 digits).
 */
export function formatTimestamp(nanosSinceEpoch: bigint): string {
  const [seconds, nanos] = divMod(nanosSinceEpoch, NANOS_PER_SECOND);
  const [days, secondOfDay] = divMod(seconds, SECONDS_PER_DAY);
  return `${formatDate(days)}T${formatTime(secondOfDay * NANOS_PER_SECOND + nanos)}Z`;
}

/** ISO 8601 duration of a DuckDB interval: `P1Y2M3DT4H5M6.5S`; `PT0S` when zero. */
export function formatInterval(months: number, days: number, micros: bigint): string {
  const years = Math.trunc(months / 12);
  const restMonths = months % 12;
  let date = "";
  if (years !== 0) date += `${years}Y`;
  if (restMonths !== 0) date += `${restMonths}M`;
  if (days !== 0) date += `${days}D`;
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const totalSeconds = abs / 1_000_000n;
  const fraction = abs % 1_000_000n;
  const h = totalSeconds / 3600n;
  const m = (totalSeconds % 3600n) / 60n;
  const s = totalSeconds % 60n;
  const sign = negative ? "-" : "";
  let time = "";
  if (h !== 0n) time += `${sign}${h}H`;
  if (m !== 0n) time += `${sign}${m}M`;
  if (s !== 0n || fraction !== 0n) time += `${sign}${s}${formatFraction(fraction * 1000n)}S`;
  if (date === "" && time === "") return "PT0S";
  return `P${date}${time === "" ? "" : `T${time}`}`;
}

function daysFromCivil(year: bigint, month: number, day: number): bigint {
  const y = month <= 2 ? year - 1n : year;
  const era = (y >= 0n ? y : y - 399n) / 400n;
  const yoe = y - era * 400n;
  const m = BigInt(month);
  const doy = (153n * (m > 2n ? m - 3n : m + 9n) + 2n) / 5n + BigInt(day) - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146_097n + doe - 719_468n;
}

const DATE_TEXT = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_TEXT = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Day count since the Unix epoch of a `formatDate` text; `undefined` if it is not one. */
export function parseDate(text: string): bigint | undefined {
  const m = DATE_TEXT.exec(text);
  if (!m) return undefined;
  return daysFromCivil(BigInt(m[1] as string), Number(m[2]), Number(m[3]));
}

/** Nanoseconds since midnight of a `formatTime` text; `undefined` if it is not one. */
export function parseTime(text: string): bigint | undefined {
  const m = TIME_TEXT.exec(text);
  if (!m) return undefined;
  const fraction = BigInt((m[4] ?? "").padEnd(9, "0"));
  return (
    (BigInt(m[1] as string) * 3600n + BigInt(m[2] as string) * 60n + BigInt(m[3] as string)) * NANOS_PER_SECOND +
    fraction
  );
}

/** Nanoseconds since the Unix epoch of a `formatTimestamp` text; `undefined` if it is not one. */
export function parseTimestamp(text: string): bigint | undefined {
  if (!text.endsWith("Z")) return undefined;
  const at = text.indexOf("T");
  if (at < 0) return undefined;
  const days = parseDate(text.slice(0, at));
  const time = parseTime(text.slice(at + 1, -1));
  if (days === undefined || time === undefined) return undefined;
  return days * SECONDS_PER_DAY * NANOS_PER_SECOND + time;
}
