import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One measured figure of a benchmark. */
export type Figure = { name: string; value: number; unit: string; note?: string };

/** Prints the figures as a table and writes `bench/results/<name>.json` (with machine facts). */
export function report(name: string, figures: readonly Figure[], extra: Record<string, unknown> = {}): void {
  const width = Math.max(...figures.map((f) => f.name.length), 6);
  const lines = [`benchmark: ${name}`, `${"figure".padEnd(width)}  ${"value".padStart(14)}  unit`];
  for (const f of figures) {
    const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(3);
    lines.push(`${f.name.padEnd(width)}  ${value.padStart(14)}  ${f.unit}${f.note ? `  (${f.note})` : ""}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  const dir = path.resolve(__dirname, "..", "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  const json = {
    benchmark: name,
    at: new Date().toISOString(),
    node: process.version,
    cpus: require("node:os").cpus().length,
    figures: Object.fromEntries(figures.map((f) => [f.name, f.value])),
    units: Object.fromEntries(figures.map((f) => [f.name, f.unit])),
    ...extra,
  };
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
}

/** Percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
