import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sha3_256 } from "@noble/hashes/sha3.js";
import { createStaticResolver } from "../src/engines/createStaticResolver";
import { createDuckDbEngine } from "../src/engines/duckdb/createDuckDbEngine";
import { type DuckDb, openDuckDb } from "../src/engines/duckdb/openDuckDb";
import type { DatasetRef, ResultValue } from "../src/engines/types";
import { type Figure, percentile, report } from "./lib/report";
import { measureHttp } from "./queryHttp";

const ROWS = 1_000_000;
const SLICES = 4;
const DATASET_ID = `did:odf:fed01${"ab".repeat(32)}`;

function parseArgs(args: string[]): { rows: number; iterations: number } {
  const get = (flag: string, fallback: number) => {
    const i = args.indexOf(flag);
    const value = i >= 0 ? Number(args[i + 1]) : fallback;
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${flag} must be a positive integer`);
    return value;
  };
  return { rows: get("--rows", ROWS), iterations: get("--iterations", 200) };
}

/** What a caller of raw DuckDB does: run the SQL and read the rows as JS values. */
async function readAll(db: DuckDb, sql: string): Promise<unknown[][]> {
  return (await db.connection.runAndReadAll(sql)).getRows();
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

/** Hash of a result's exact bytes: floats by their IEEE bits, integers and text as written. */
function outputHash(rows: readonly (readonly ResultValue[])[]): string {
  const text = JSON.stringify(rows, (_k, v) =>
    typeof v === "bigint"
      ? `i${v}`
      : typeof v === "number"
        ? `f${Buffer.from(new Float64Array([v]).buffer).toString("hex")}`
        : v,
  );
  return Buffer.from(sha3_256(new TextEncoder().encode(text))).toString("hex");
}

/**
 * Query engine figures over a 1,000,000-row dataset in 4 Parquet slices: p50/p99 of a point lookup and
 * of a group-by aggregate through the sandboxed engine, the same queries on raw DuckDB over the
 * same files in the same run (1 thread, as the engine; also 2 threads for reference), the ratio of
 * the two, the cold cost of a new sandbox, and how many of 50 runs of a float aggregation give the
 * same output hash. Options: --rows N, --iterations N.
 */
export async function run(args: string[]): Promise<void> {
  const { rows, iterations } = parseArgs(args);
  const dir = mkdtempSync(path.join(tmpdir(), "odf-bench-query-"));
  try {
    const files: string[] = [];
    const writer = await openDuckDb({ threads: 2 });
    const perSlice = Math.ceil(rows / SLICES);
    for (let s = 0; s < SLICES; s++) {
      const file = path.join(dir, `slice-${s}.parquet`);
      const from = s * perSlice;
      const to = Math.min(rows, from + perSlice);
      await writer.connection.run(
        `COPY (SELECT range AS "offset", 0::TINYINT AS op, TIMESTAMP_MS '2026-01-01' AS system_time,
                 TIMESTAMP_MS '2025-01-01' + to_seconds(range) AS event_time,
                 'sym' || (range % 100)::VARCHAR AS symbol, (range % 1000)::INTEGER AS qty,
                 (hash(range) % 1000000) / 1000.0 + 0.1 AS price
               FROM range(${from}, ${to}) ORDER BY range)
         TO '${file}' (FORMAT parquet)`,
      );
      files.push(file);
    }
    writer.close();

    const blocks = files.map((file, i) => ({ blockHash: `f1620${String(i).repeat(64)}`, dataFiles: [file] }));
    const engine = await createDuckDbEngine({
      resolver: createStaticResolver([{ id: DATASET_ID, alias: "trades", blocks }]),
      limits: { maxRows: 1_000_000 },
    });
    const datasets: DatasetRef[] = [{ id: DATASET_ID, alias: "trades" }];
    const raw1 = await openDuckDb({ threads: 1 });
    const raw2 = await openDuckDb({ threads: 2 });
    const fileList = `read_parquet([${files.map((f) => `'${f}'`).join(", ")}])`;

    const [coldMs] = await time(() => engine.query({ sql: "SELECT count(*) FROM trades", datasets }));
    const pointSql = (offset: number, table: string) => `SELECT * FROM ${table} WHERE "offset" = ${offset}`;
    const groupSql = (table: string) =>
      `SELECT symbol, count(*) AS n, sum(qty) AS q, avg(price) AS p FROM ${table} GROUP BY symbol ORDER BY symbol`;

    const ours = { point: [] as number[], group: [] as number[] };
    const raw = { point: [] as number[], group: [] as number[] };
    const raw2t = { point: [] as number[], group: [] as number[] };
    for (const db of [raw1, raw2]) {
      await db.connection.runAndReadAll(groupSql(fileList)); // warm the file cache and the plan
    }
    await engine.query({ sql: groupSql("trades"), datasets });
    for (let i = 0; i < iterations; i++) {
      const offset = Math.floor(((i * 7919) % 1000) * (rows / 1000));
      // Alternate who runs first so neither side always meets a cold cache or a busy core.
      const steps = [
        async () => ours.point.push((await time(() => engine.query({ sql: pointSql(offset, "trades"), datasets })))[0]),
        async () => raw.point.push((await time(() => readAll(raw1, pointSql(offset, fileList))))[0]),
        async () => raw2t.point.push((await time(() => readAll(raw2, pointSql(offset, fileList))))[0]),
      ];
      if (i % 2 === 0) {
        steps.push(
          async () => ours.group.push((await time(() => engine.query({ sql: groupSql("trades"), datasets })))[0]),
          async () => raw.group.push((await time(() => readAll(raw1, groupSql(fileList))))[0]),
          async () => raw2t.group.push((await time(() => readAll(raw2, groupSql(fileList))))[0]),
        );
      }
      if (i % 2 === 1) steps.reverse();
      for (const step of steps) await step();
    }

    const floatSql =
      "SELECT sum(price) AS s, avg(price * qty) AS a, stddev_samp(price) AS sd, sum(price / (qty + 1)) AS r FROM trades";
    const hashes: string[] = [];
    for (let i = 0; i < 50; i++) hashes.push(outputHash((await engine.query({ sql: floatSql, datasets })).rows));
    const identicalRuns = hashes.filter((h) => h === hashes[0]).length;

    // The same queries through the HTTP API (p50/p99, and /verify time over signed /query time).
    const httpFigures = await measureHttp({
      engine,
      resolver: createStaticResolver([{ id: DATASET_ID, alias: "trades", blocks }]),
      datasets,
      pointSql: (offset) => pointSql(offset, "trades"),
      groupSql: groupSql("trades"),
      rows,
      iterations,
    });

    await engine.close();
    raw1.close();
    raw2.close();

    const p = (values: number[], q: number) => percentile(values, q);
    const pointRatio = p(ours.point, 50) / p(raw.point, 50);
    const groupRatio = p(ours.group, 50) / p(raw.group, 50);
    const figures: Figure[] = [
      { name: "rows", value: rows, unit: "rows" },
      { name: "pointLookupP50", value: p(ours.point, 50), unit: "ms" },
      { name: "pointLookupP99", value: p(ours.point, 99), unit: "ms" },
      { name: "groupByP50", value: p(ours.group, 50), unit: "ms" },
      { name: "groupByP99", value: p(ours.group, 99), unit: "ms" },
      { name: "rawPointLookupP50", value: p(raw.point, 50), unit: "ms", note: "raw DuckDB, 1 thread" },
      { name: "rawGroupByP50", value: p(raw.group, 50), unit: "ms", note: "raw DuckDB, 1 thread" },
      { name: "raw2tPointLookupP50", value: p(raw2t.point, 50), unit: "ms", note: "raw DuckDB, 2 threads" },
      { name: "raw2tGroupByP50", value: p(raw2t.group, 50), unit: "ms", note: "raw DuckDB, 2 threads" },
      { name: "pointOverheadRatio", value: pointRatio, unit: "x" },
      { name: "groupByOverheadRatio", value: groupRatio, unit: "x" },
      {
        name: "overheadRatio",
        value: (p(ours.point, 50) + p(ours.group, 50)) / (p(raw.point, 50) + p(raw.group, 50)),
        unit: "x",
        note: "sum of p50s, ours / raw 1-thread",
      },
      { name: "coldSandboxQuery", value: coldMs, unit: "ms", note: "first query: new sandbox + views" },
      { name: "identicalRuns", value: identicalRuns, unit: "of 50" },
      ...httpFigures,
    ];
    report("query", figures, { iterations, slices: SLICES, engineVersion: engine.version });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
