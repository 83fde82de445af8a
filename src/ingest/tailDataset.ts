import { quoteIdent, quoteLiteral } from "../engines/duckdb/ingest/sqlText";
import { openDuckDb } from "../engines/duckdb/openDuckDb";
import type { Dataset } from "../odf/workspace/workspace";

/**
 * The last records of a dataset: column names, rows as display strings (a null stays `null`,
 * nested values are JSON text) and `values`, the same records as JSON values.
 */
export type TailReturnType = { columns: string[]; rows: (string | null)[][]; values: Record<string, unknown>[] };

const OPS = "CASE op WHEN 0 THEN '+A' WHEN 1 THEN '-R' WHEN 2 THEN '-C' WHEN 3 THEN '+C' ELSE CAST(op AS VARCHAR) END";
const NUMBERS =
  /^(BIGINT|UBIGINT|HUGEINT|UHUGEINT|INTEGER|SMALLINT|TINYINT|UINTEGER|USMALLINT|UTINYINT|DOUBLE|FLOAT|BOOLEAN)$/;
const INTEGERS = /^U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?$/;
const NESTED = /^(STRUCT|MAP|UNION)\(|\]$/;

/**
 * Reads the last `n` records (by offset) of a dataset's data slices with DuckDB. Timestamps print as
 * RFC 3339 UTC (`2020-01-01T00:00:00.000Z`), `op` as `+A`/`-R`/`-C`/`+C`, binary as hex.
 * `values` holds the same records as JSON values: numbers stay numbers when safe (else strings),
 * structs, maps and lists are objects and arrays, and NaN and infinities are the strings `"NaN"`,
 * `"Infinity"`, `"-Infinity"`. With `n` 0 the columns come without records.
 */
export async function tailDataset(dataset: Dataset, n: number): Promise<TailReturnType> {
  const state = await dataset.chain.state();
  if (state.slices.length === 0) return { columns: [], rows: [], values: [] };
  // Only the newest slices that can hold the last n records (at least one, for the columns).
  const slices = [];
  let count = 0;
  for (let i = state.slices.length - 1; i >= 0 && (count < n || slices.length === 0); i--) {
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
      if (NUMBERS.test(c.type) || NESTED.test(c.type)) return q;
      return `CAST(${q} AS VARCHAR) AS ${q}`;
    });
    const reader = await db.connection.runAndReadAll(
      `SELECT * FROM (SELECT ${select.join(", ")} FROM ${source} ORDER BY "offset" DESC LIMIT ${Math.max(0, Math.floor(n))}) ORDER BY "offset"`,
    );
    // DuckDB's JSON conversion: nested values as objects and arrays, non-finite floats as strings,
    // 64-bit and wider integers as strings (turned back into numbers below when safe).
    const integers = new Set(cols.filter((c) => INTEGERS.test(c.type)).map((c) => c.name));
    const values = reader.getRowObjectsJson().map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        out[k] = integers.has(k) && typeof v === "string" && Number.isSafeInteger(Number(v)) ? Number(v) : v;
      }
      return out;
    });
    const names = cols.map((c) => c.name);
    const rows = values.map((v) =>
      names.map((k) => {
        const value = v[k];
        if (value === null || value === undefined) return null;
        return typeof value === "object" ? JSON.stringify(value) : String(value);
      }),
    );
    return { columns: names, rows, values };
  } finally {
    db.close();
  }
}
