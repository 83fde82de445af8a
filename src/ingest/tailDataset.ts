import { quoteIdent, quoteLiteral } from "../engines/duckdb/ingest/sqlText";
import { openDuckDb } from "../engines/duckdb/openDuckDb";
import type { Dataset } from "../odf/workspace/workspace";

/** The last records of a dataset: column names and rows as display strings (null as `null`). */
export type TailReturnType = { columns: string[]; rows: (string | null)[][]; values: Record<string, unknown>[] };

const OPS = "CASE op WHEN 0 THEN '+A' WHEN 1 THEN '-R' WHEN 2 THEN '-C' WHEN 3 THEN '+C' ELSE CAST(op AS VARCHAR) END";

/**
 * Reads the last `n` records (by offset) of a dataset's data slices with DuckDB. Timestamps print as
 * RFC 3339 UTC (`2020-01-01T00:00:00.000Z`), `op` as `+A`/`-R`/`-C`/`+C`, binary as hex.
 * `values` holds the same records as JSON-friendly values (numbers stay numbers when safe).
 */
export async function tailDataset(dataset: Dataset, n: number): Promise<TailReturnType> {
  const state = await dataset.chain.state();
  if (state.slices.length === 0) return { columns: [], rows: [], values: [] };
  // Only the newest slices that can hold the last n records.
  const slices = [];
  let count = 0;
  for (let i = state.slices.length - 1; i >= 0 && count < n; i--) {
    const s = state.slices[i];
    if (!s) continue;
    slices.unshift(s);
    count += s.slice.offsetInterval.end - s.slice.offsetInterval.start + 1;
  }
  const files = slices.map((s) => quoteLiteral(dataset.store.objectPath("data", s.slice.physicalHash)));
  const db = await openDuckDb({ threads: 1 });
  try {
    await db.connection.run("SET TimeZone = 'UTC'");
    const source = `read_parquet([${files.join(", ")}], union_by_name = true)`;
    const described = await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const cols = described.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    const select = cols.map((c) => {
      const q = quoteIdent(c.name);
      if (c.name === "op") return `${OPS} AS ${q}`;
      if (c.type.startsWith("TIMESTAMP")) return `strftime(${q}, '%Y-%m-%dT%H:%M:%S.%gZ') AS ${q}`;
      if (c.type === "BLOB") return `hex(${q}) AS ${q}`;
      if (
        /^(BIGINT|UBIGINT|HUGEINT|INTEGER|SMALLINT|TINYINT|UINTEGER|USMALLINT|UTINYINT|DOUBLE|FLOAT|BOOLEAN)$/.test(
          c.type,
        )
      )
        return q;
      return `CAST(${q} AS VARCHAR) AS ${q}`;
    });
    const reader = await db.connection.runAndReadAll(
      `SELECT * FROM (SELECT ${select.join(", ")} FROM ${source} ORDER BY "offset" DESC LIMIT ${Math.max(0, Math.floor(n))}) ORDER BY "offset"`,
    );
    const values = reader.getRowObjectsJS().map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        out[k] = typeof v === "bigint" ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v;
      }
      return out;
    });
    const names = cols.map((c) => c.name);
    const rows = values.map((v) => names.map((k) => (v[k] === null || v[k] === undefined ? null : String(v[k]))));
    return { columns: names, rows, values };
  } finally {
    db.close();
  }
}
