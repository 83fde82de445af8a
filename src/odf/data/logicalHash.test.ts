import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import vectors from "../../../test/vectors/logical-hash.json";
import { type DuckDb, openDuckDb } from "../../engines/duckdb/openDuckDb";
import { SliceReadError, UnsupportedColumnTypeError } from "./errors";
import { logicalDigest, logicalHash } from "./logicalHash";

let db: DuckDb;
let dir: string;
let files = 0;
beforeAll(async () => {
  db = await openDuckDb();
  dir = await mkdtemp(join(tmpdir(), "odf-logical-"));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes `sql`'s rows to a new Parquet file with the given COPY options. */
async function parquet(sql: string, options = "COMPRESSION ZSTD"): Promise<string> {
  const path = join(dir, `f${files++}.parquet`);
  await db.connection.run(`COPY (${sql}) TO '${path}' (FORMAT PARQUET, ${options})`);
  return path;
}

/**
 * The hand-built leaf preimage of a Utf8 column (docs/logical-hash.md): the descriptor, then per
 * row a 0 byte for NULL or the u64 little-endian length and the UTF-8 bytes.
 */
function utf8Leaf(rows: number, value: (i: number) => string | null): Uint8Array[] {
  const leaf = [Uint8Array.of(0x04, 0x00)];
  for (let i = 0; i < rows; i++) {
    const v = value(i);
    if (v === null) leaf.push(Uint8Array.of(0));
    else {
      const bytes = new TextEncoder().encode(v);
      const len = new Uint8Array(8);
      new DataView(len.buffer).setBigUint64(0, BigInt(bytes.length), true);
      leaf.push(len, bytes);
    }
  }
  return leaf;
}

const vector = vectors.vectors[0]!;

describe("logicalHash", () => {
  test("logicalHash: known answer from hand-written preimages (test/vectors/logical-hash.json)", async () => {
    // Recompute the vector from its preimages with an independent SHA3 implementation.
    const leafDigests = vector.leaves.map((l) => sha3_256(hexToBytes(l.descriptor + l.values)));
    expect(leafDigests.map(bytesToHex)).toEqual(vector.leaves.map((l) => l.digest));
    expect(bytesToHex(sha3_256(concatBytes(hexToBytes(vector.fieldHeaders), ...leafDigests)))).toBe(vector.digest);

    const path = await parquet(String(vector.sql));
    expect(bytesToHex(await logicalDigest(db.connection, path))).toBe(vector.digest);
    expect(await logicalHash(db.connection, path)).toBe(vector.logicalHash);
    expect(await logicalHash(db.connection, path, { worker: true })).toBe(vector.logicalHash);
  });

  test("logicalHash: long, repeated (dictionary) and huge strings match the hand-built preimage", async () => {
    const values = ["a fairly long string value", "another one that is long", "short", null, "x".repeat(70_000)];
    const rows = 3000;
    const pick = (i: number) => values[(i * 7) % values.length] ?? null;
    const expected = utf8Leaf(rows, pick);
    const header = concatBytes(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0x73), new Uint8Array(8)); // str("s") u64(0)
    const digest = sha3_256(concatBytes(header, sha3_256(concatBytes(...expected))));
    const list = values.map((v) => (v === null ? "NULL" : `'${v}'`)).join(", ");
    const sql = `SELECT ([${list}])[(range * 7) % 5 + 1] AS s FROM range(${rows}) ORDER BY range`;
    for (const options of ["COMPRESSION SNAPPY", "COMPRESSION UNCOMPRESSED, ROW_GROUP_SIZE 2048"]) {
      const path = await parquet(sql, options);
      expect(bytesToHex(await logicalDigest(db.connection, path))).toBe(bytesToHex(digest));
      expect(bytesToHex(await logicalDigest(db.connection, path, { worker: true }))).toBe(bytesToHex(digest));
    }
  });

  test("logicalHash: strings larger than the staging buffer, between NULLs and short values, match the preimage", async () => {
    const values = ["y".repeat(300_000), null, "tiny", "a long string of thirty bytes!", "z".repeat(262_140)];
    const expected = [Uint8Array.of(0x03, 0x00)]; // descriptor: Binary
    for (const v of values) {
      if (v === null) expected.push(Uint8Array.of(0));
      else {
        const len = new Uint8Array(8);
        new DataView(len.buffer).setBigUint64(0, BigInt(v.length), true);
        expected.push(len, new TextEncoder().encode(v));
      }
    }
    const header = concatBytes(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0x62), new Uint8Array(8)); // str("b") u64(0)
    const digest = bytesToHex(sha3_256(concatBytes(header, sha3_256(concatBytes(...expected)))));
    const list = values.map((v) => (v === null ? "NULL" : `'${v}'::BLOB`)).join(", ");
    const path = await parquet(`SELECT unnest([${list}]) AS b`);
    expect(bytesToHex(await logicalDigest(db.connection, path))).toBe(digest);
    expect(bytesToHex(await logicalDigest(db.connection, path, { worker: true }))).toBe(digest);
  });

  test("logicalHash: a wide schema (smaller staging buffers) with a 100 KB value matches the preimage", async () => {
    const columns = 300;
    const big = "w".repeat(100_000);
    const u64 = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      return b;
    };
    const enc = (text: string) => new TextEncoder().encode(text);
    const headers: Uint8Array[] = [];
    const leafDigests: Uint8Array[] = [];
    for (let i = 0; i < columns; i++) {
      const name = `c${i}`;
      headers.push(u64(name.length), enc(name), u64(0));
      const value = new Uint8Array(4);
      new DataView(value.buffer).setInt32(0, i, true);
      leafDigests.push(sha3_256(concatBytes(hexToBytes("0100012000000000000000"), value)));
    }
    headers.push(u64(1), enc("s"), u64(0));
    leafDigests.push(sha3_256(concatBytes(Uint8Array.of(0x04, 0x00), u64(big.length), enc(big))));
    const digest = bytesToHex(sha3_256(concatBytes(...headers, ...leafDigests)));
    const list = Array.from({ length: columns }, (_, i) => `${i}::INTEGER AS c${i}`).join(", ");
    const path = await parquet(`SELECT ${list}, '${big}' AS s`);
    expect(bytesToHex(await logicalDigest(db.connection, path))).toBe(digest);
    expect(bytesToHex(await logicalDigest(db.connection, path, { worker: true }))).toBe(digest);
  });

  test("logicalHash: long strings from many small row groups and pages (scattered in memory) match the preimage", async () => {
    const rows = 5000;
    const value = (i: number) => (i % 11 === 0 ? null : `long string value number ${i} ${"#".repeat(i % 40)}`);
    const expected = utf8Leaf(rows, value);
    const header = concatBytes(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0x73), new Uint8Array(8));
    const digest = bytesToHex(sha3_256(concatBytes(header, sha3_256(concatBytes(...expected)))));
    const sql = `SELECT CASE WHEN range % 11 = 0 THEN NULL ELSE 'long string value number ' || range || ' ' || repeat('#', (range % 40)::INTEGER) END AS s FROM range(${rows}) ORDER BY range`;
    for (const options of ["ROW_GROUP_SIZE 300, COMPRESSION UNCOMPRESSED", "ROW_GROUP_SIZE 100000"]) {
      const path = await parquet(sql, options);
      expect(bytesToHex(await logicalDigest(db.connection, path))).toBe(digest);
      expect(bytesToHex(await logicalDigest(db.connection, path, { worker: true }))).toBe(digest);
    }
  });

  test("logicalHash: all-NULL and constant columns (constant vectors in DuckDB) match the hand-built preimage", async () => {
    const rows = 5000;
    const path = await parquet(`SELECT NULL::INTEGER AS n, 7::SMALLINT AS k FROM range(${rows})`);
    const header = (name: string) =>
      concatBytes(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0), new TextEncoder().encode(name), new Uint8Array(8));
    const nDigest = sha3_256(concatBytes(hexToBytes("0100012000000000000000"), new Uint8Array(rows)));
    const kValues = new Uint8Array(rows * 2);
    for (let i = 0; i < rows; i++) kValues[i * 2] = 7;
    const kDigest = sha3_256(concatBytes(hexToBytes("0100011000000000000000"), kValues));
    const expected = sha3_256(concatBytes(header("n"), header("k"), nDigest, kDigest));
    expect(bytesToHex(await logicalDigest(db.connection, path))).toBe(bytesToHex(expected));
  });

  test("logicalHash: independent of compression, row group size and Parquet version", async () => {
    const sql = `SELECT range::BIGINT AS id, CASE WHEN range % 7 = 0 THEN NULL ELSE 'value number ' || range END AS s,
      range * 0.5 AS d, {'k': range % 3, 'n': NULL::INTEGER} AS st, [range, range + 1] AS l FROM range(3000)`;
    const encodings = [
      "COMPRESSION UNCOMPRESSED, ROW_GROUP_SIZE 100",
      "COMPRESSION SNAPPY, ROW_GROUP_SIZE 2048",
      "COMPRESSION ZSTD, ROW_GROUP_SIZE 1000000, PARQUET_VERSION V2",
    ];
    const hashes: string[] = [];
    for (const o of encodings) hashes.push(await logicalHash(db.connection, await parquet(sql, o)));
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).toMatch(/^f9680c00120[0-9a-f]{64}$/);
  });

  test("logicalHash: property: same records in two encodings hash equal, a changed value does not", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.option(fc.integer()), fc.option(fc.string({ maxLength: 30 }))), {
          minLength: 1,
          maxLength: 40,
        }),
        async (rows) => {
          const lit = (v: string | number | null) =>
            v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replaceAll("'", "''")}'`;
          const values = rows.map(([i, s], n) => `(${n}, (${lit(i)})::INTEGER, ${lit(s)}::VARCHAR)`).join(", ");
          const sql = `SELECT * FROM (VALUES ${values}) AS v(n, i, s) ORDER BY n`;
          const a = await logicalHash(db.connection, await parquet(sql, "COMPRESSION SNAPPY, ROW_GROUP_SIZE 3"));
          const b = await logicalHash(db.connection, await parquet(sql, "COMPRESSION ZSTD"));
          const changed = await logicalHash(
            db.connection,
            await parquet(
              `SELECT n, CASE WHEN n = 0 THEN (CASE WHEN i = 0 THEN 1 ELSE 0 END) ELSE i END AS i, s FROM (${sql})`,
            ),
          );
          expect(a).toBe(b);
          expect(changed).not.toBe(a);
        },
      ),
      { numRuns: 15 },
    );
  });

  test("logicalHash: concurrent calls on one connection are queued, not interleaved", async () => {
    const sql = (n: number) => `SELECT range AS id, 'row ' || range AS s FROM range(${n})`;
    const paths = [await parquet(sql(5000)), await parquet(sql(6000)), await parquet(sql(5000), "COMPRESSION SNAPPY")];
    const sequential: string[] = [];
    for (const p of paths) sequential.push(await logicalHash(db.connection, p));
    const concurrent = await Promise.all(paths.map((p) => logicalHash(db.connection, p)));
    expect(concurrent).toEqual(sequential);
    expect(sequential[0]).toBe(sequential[2]);
    expect(sequential[0]).not.toBe(sequential[1]);
  });

  test("logicalHash: column names, order, nesting and types are part of the hash", async () => {
    const hashOf = async (sql: string) => logicalHash(db.connection, await parquet(sql));
    const base = await hashOf("SELECT 1::INTEGER AS a, 'x' AS b");
    const variants = await Promise.all([
      hashOf("SELECT 1::INTEGER AS c, 'x' AS b"), // renamed
      hashOf("SELECT 'x' AS b, 1::INTEGER AS a"), // reordered
      hashOf("SELECT 1::BIGINT AS a, 'x' AS b"), // wider type
      hashOf("SELECT 1::UINTEGER AS a, 'x' AS b"), // unsigned
      hashOf("SELECT 1::INTEGER AS a, 'x'::BLOB AS b"), // binary, not text
      hashOf("SELECT {'a': 1::INTEGER} AS s, 'x' AS b"), // nested one level
      hashOf("SELECT 2::INTEGER AS a, 'x' AS b"), // changed value
    ]);
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  test("logicalHash: a null struct equals a struct of nulls (nulls propagate to leaves)", async () => {
    const a = await logicalHash(db.connection, await parquet("SELECT NULL::STRUCT(x INTEGER) AS s"));
    const b = await logicalHash(db.connection, await parquet("SELECT {'x': NULL::INTEGER} AS s"));
    expect(a).toBe(b);
  });

  test("logicalHash: maps and lists of structs are hashed", async () => {
    const sql = "SELECT MAP {'a': 1, 'b': NULL} AS m, [{'p': 1.5::DOUBLE, 'q': DATE '2024-01-02'}, NULL] AS ls";
    const other = "SELECT MAP {'a': 1, 'b': 2} AS m, [{'p': 1.5::DOUBLE, 'q': DATE '2024-01-02'}, NULL] AS ls";
    const [a, a2, b] = await Promise.all([
      logicalHash(db.connection, await parquet(sql)),
      logicalHash(db.connection, await parquet(sql, "COMPRESSION UNCOMPRESSED")),
      logicalHash(db.connection, await parquet(other)),
    ]);
    expect(a).toBe(a2);
    expect(a).not.toBe(b);
  });

  test("logicalHash: unsupported types and unreadable files are typed errors", async () => {
    const interval = await parquet("SELECT INTERVAL 1 DAY AS i");
    await expect(logicalHash(db.connection, interval)).rejects.toBeInstanceOf(UnsupportedColumnTypeError);
    const garbage = join(dir, "garbage.parquet");
    await writeFile(garbage, "not a parquet file at all");
    await expect(logicalHash(db.connection, garbage)).rejects.toBeInstanceOf(SliceReadError);
    await expect(logicalHash(db.connection, join(dir, "missing.parquet"))).rejects.toBeInstanceOf(SliceReadError);
  });
});
