/** A parsed RFC 3339 UTC instant with nanosecond precision. */
export type Instant = { epochSeconds: bigint; nanos: number };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp (any offset) into UTC epoch seconds and nanoseconds. */
export function parseInstant(text: string): Instant {
  const m = RFC3339.exec(text);
  if (!m) throw new RangeError(`Not an RFC 3339 timestamp: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) throw new RangeError(`Not an RFC 3339 timestamp: ${JSON.stringify(text)}`);
  let offset = 0;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const nanos = frac ? Number(frac.padEnd(9, "0")) : 0;
  return { epochSeconds: BigInt(Math.floor(ms / 1000)) - BigInt(offset), nanos };
}

/** Compares two RFC 3339 timestamps: negative, zero or positive like a sort comparator. */
export function compareInstants(a: string, b: string): number {
  const x = parseInstant(a);
  const y = parseInstant(b);
  if (x.epochSeconds !== y.epochSeconds) return x.epochSeconds < y.epochSeconds ? -1 : 1;
  return x.nanos - y.nanos;
}

/** Formats a Date (millisecond precision) as RFC 3339 UTC, fractional seconds only when non-zero. */
export function formatInstant(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
