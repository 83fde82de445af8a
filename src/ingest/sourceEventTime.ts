import path from "node:path";
import type { EventTimeSource } from "../odf/metadata/types";
import { formatInstant } from "../odf/time";
import { IngestError } from "./errors";

// Java SimpleDateFormat fields we understand in FromPath patterns, as regex groups.
const FIELDS: [string, string, string][] = [
  ["yyyy", "(\\d{4})", "Y"],
  ["MM", "(\\d{2})", "M"],
  ["dd", "(\\d{2})", "D"],
  ["HH", "(\\d{2})", "h"],
  ["mm", "(\\d{2})", "m"],
  ["ss", "(\\d{2})", "s"],
];

function parseWithFormat(text: string, format: string): Date | undefined {
  let re = "";
  const order: string[] = [];
  for (let i = 0; i < format.length; ) {
    const field = FIELDS.find(([f]) => format.startsWith(f, i));
    if (field) {
      re += field[1];
      order.push(field[2]);
      i += field[0].length;
    } else {
      re += (format[i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i++;
    }
  }
  const m = new RegExp(`^${re}$`).exec(text);
  if (!m) return undefined;
  const v: Record<string, number> = { Y: 1970, M: 1, D: 1, h: 0, m: 0, s: 0 };
  order.forEach((k, i) => {
    v[k] = Number(m[i + 1]);
  });
  const ms = Date.UTC(v.Y as number, (v.M as number) - 1, v.D as number, v.h as number, v.m as number, v.s as number);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * The event time a source gives the records of one file, per its `EventTimeSource`:
 * `FromMetadata` the source's modification time (Last-Modified / mtime; the system time when it
 * has none), `FromSystemTime` the system time, `FromPath` a timestamp in the file name (first
 * regex group, parsed with `timestampFormat`, default RFC 3339 / `yyyy-MM-dd`). The default is
 * `FromMetadata`. Used only when the data itself has no `event_time` column.
 */
export function sourceEventTime(
  source: EventTimeSource | undefined,
  facts: { path: string; lastModified: string | undefined; systemTime: string },
): string {
  const kind = source?.kind ?? "FromMetadata";
  if (kind === "FromSystemTime") return facts.systemTime;
  if (kind === "FromMetadata" || !source || source.kind !== "FromPath") return facts.lastModified ?? facts.systemTime;
  const name = path.basename(facts.path);
  const m = new RegExp(source.pattern).exec(name) ?? new RegExp(source.pattern).exec(facts.path);
  const text = m?.[1];
  if (text === undefined) throw new IngestError(`Event time pattern ${source.pattern} does not match ${name}`);
  const parsed = source.timestampFormat ? parseWithFormat(text, source.timestampFormat) : undefined;
  const date = parsed ?? new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) {
    throw new IngestError(
      `Event time ${JSON.stringify(text)} in ${name} does not parse${source.timestampFormat ? ` as ${source.timestampFormat}` : ""}`,
    );
  }
  return formatInstant(date);
}
