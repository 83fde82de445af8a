import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { createStaticResolver } from "../src/engines/createStaticResolver";
import { createDuckDbEngine } from "../src/engines/duckdb/createDuckDbEngine";
import { openDuckDb } from "../src/engines/duckdb/openDuckDb";
import type { DatasetResolver, QueryEngine } from "../src/engines/types";
import { nodeKeyFromSecret } from "../src/query/proof";
import { createServer } from "../src/server/createServer";
import { type Figure, percentile, report } from "./lib/report";

/** What `measureHttp` runs against: an engine over a dataset, and the two benchmark queries. */
export type MeasureHttpParameters = {
  engine: QueryEngine;
  resolver: DatasetResolver;
  datasets: readonly { id: string; alias: string }[];
  /** A point lookup of one row at `offset` (varied per iteration). */
  pointSql(offset: number): string;
  groupSql: string;
  rows: number;
  iterations: number;
};

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

/**
 * HTTP figures of the query API on a real listening server (loopback, keep-alive fetch): p50/p99
 * of the point lookup and of the group-by through `POST /query`, and `replayRatio`: the median
 * time of `POST /verify` over the median time of the signed `POST /query` it verifies (the
 * group-by, with `include: [Proof]`).
 */
export async function measureHttp(params: MeasureHttpParameters): Promise<Figure[]> {
  const app = await createServer({
    engine: params.engine,
    resolver: params.resolver,
    nodeKey: nodeKeyFromSecret(new Uint8Array(32).fill(1)),
    metrics: new Registry(),
    limits: { maxRows: 1_000_000 },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  const post = async (route: string, body: string): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await res.text();
    if (route === "/query" && res.status !== 200) throw new Error(`${route} answered ${res.status}: ${text}`);
    return text;
  };
  const datasets = params.datasets.map((d) => ({ id: d.id, alias: d.alias }));
  const queryBody = (query: string, include: string[] = []) =>
    JSON.stringify({ query, datasets, include, limit: 1000 });
  try {
    await post("/query", queryBody(params.groupSql));
    const point: number[] = [];
    const group: number[] = [];
    const signed: number[] = [];
    const verify: number[] = [];
    for (let i = 0; i < params.iterations; i++) {
      const offset = Math.floor(((i * 7919) % 1000) * (params.rows / 1000));
      point.push((await time(() => post("/query", queryBody(params.pointSql(offset)))))[0]);
      if (i % 2 === 0) group.push((await time(() => post("/query", queryBody(params.groupSql))))[0]);
      if (i % 4 === 0) {
        const [queryMs, response] = await time(() => post("/query", queryBody(params.groupSql, ["Proof"])));
        const [verifyMs, verdict] = await time(() => post("/verify", response));
        if (!verdict.includes('"ok":true')) throw new Error(`/verify refused our own response: ${verdict}`);
        signed.push(queryMs);
        verify.push(verifyMs);
      }
    }
    const p = percentile;
    return [
      { name: "httpPointLookupP50", value: p(point, 50), unit: "ms", note: "POST /query over loopback" },
      { name: "httpPointLookupP99", value: p(point, 99), unit: "ms" },
      { name: "httpGroupByP50", value: p(group, 50), unit: "ms" },
      { name: "httpGroupByP99", value: p(group, 99), unit: "ms" },
      { name: "httpSignedGroupByP50", value: p(signed, 50), unit: "ms", note: "include: [Proof]" },
      { name: "httpVerifyP50", value: p(verify, 50), unit: "ms" },
      { name: "replayRatio", value: p(verify, 50) / p(signed, 50), unit: "x", note: "/verify p50 / signed /query p50" },
    ];
  } finally {
    await app.close();
  }
}

/**
 * Standalone HTTP benchmark (`npm run bench -- queryHttp`): writes a dataset of `--rows` rows
 * (default 1,000,000) in 4 Parquet slices, serves it and reports `measureHttp`'s figures in
 * `bench/results/queryHttp.json`. `npm run bench -- query` reports the same figures with the
 * engine's.
 */
export async function run(args: string[]): Promise<void> {
  const get = (flag: string, fallback: number) => {
    const i = args.indexOf(flag);
    const value = i >= 0 ? Number(args[i + 1]) : fallback;
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${flag} must be a positive integer`);
    return value;
  };
  const rows = get("--rows", 1_000_000);
  const iterations = get("--iterations", 200);
  const dir = mkdtempSync(path.join(tmpdir(), "odf-bench-http-"));
  try {
    const writer = await openDuckDb({ threads: 2 });
    const blocks: { blockHash: string; dataFiles: string[] }[] = [];
    const perSlice = Math.ceil(rows / 4);
    for (let s = 0; s < 4; s++) {
      const file = path.join(dir, `slice-${s}.parquet`);
      await writer.connection.run(
        `COPY (SELECT range AS "offset", 0::TINYINT AS op, TIMESTAMP_MS '2026-01-01' AS system_time,
                 TIMESTAMP_MS '2025-01-01' + to_seconds(range) AS event_time,
                 'sym' || (range % 100)::VARCHAR AS symbol, (range % 1000)::INTEGER AS qty,
                 (hash(range) % 1000000) / 1000.0 + 0.1 AS price
               FROM range(${s * perSlice}, ${Math.min(rows, (s + 1) * perSlice)}) ORDER BY range)
         TO '${file}' (FORMAT parquet)`,
      );
      blocks.push({ blockHash: `f1620${String(s).repeat(64)}`, dataFiles: [file] });
    }
    writer.close();
    const id = `did:odf:fed01${"cd".repeat(32)}`;
    const resolver = createStaticResolver([{ id, alias: "trades", blocks }]);
    const engine = await createDuckDbEngine({ resolver, limits: { maxRows: 1_000_000 } });
    try {
      const figures = await measureHttp({
        engine,
        resolver,
        datasets: [{ id, alias: "trades" }],
        pointSql: (offset) => `SELECT * FROM trades WHERE "offset" = ${offset}`,
        groupSql:
          "SELECT symbol, count(*) AS n, sum(qty) AS q, avg(price) AS p FROM trades GROUP BY symbol ORDER BY symbol",
        rows,
        iterations,
      });
      report("queryHttp", [{ name: "rows", value: rows, unit: "rows" }, ...figures], {
        iterations,
        engineVersion: engine.version,
      });
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
