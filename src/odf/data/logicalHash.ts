import { endianness } from "node:os";
import {
  type DuckDBArrayValue,
  type DuckDBBlobValue,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  type DuckDBListValue,
  type DuckDBMapValue,
  type DuckDBStructValue,
  type DuckDBTimeNSValue,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampValue,
  type DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBValue,
} from "@duckdb/node-api";
// The raw C API bindings that @duckdb/node-api itself is built on (an exact-pinned dependency of it):
// they give zero-copy views of vector memory, which the logical hash needs to run at scan speed.
import bindings from "@duckdb/node-bindings";
import { encodeMultihash, LOGICAL_HASH_CODE, multihashToString } from "../multihash";
import { orderByAddress } from "./addressOrder";
import { SliceReadError } from "./errors";
import { buildHashPlan, type Codec, type Leaf, type ParquetNode, type TimeUnit } from "./hashPlan";
import { createLocalLeafHashers, createWorkerLeafHashers, type LeafHashers } from "./leafHashers";
import { createSha3 } from "./sha3";

if (endianness() !== "LE") throw new Error("logicalHash: only little-endian hosts are supported");

/** Staging buffer per leaf: 256 KiB, less for wide schemas (16 MiB over all leaves), at least 64 KiB. */
const MAX_STAGE = 1 << 18;
const MIN_STAGE = 1 << 16;
const ALL_STAGES = 1 << 24;
const NULL_MARKER = 0;

/**
 * ODF logical hash of a Parquet data slice: a hash of its records independent of the file encoding
 * (compression, row groups, page layout, writer), as multihash code 0x300016 (`f9680c00120...`).
 * The exact bytes hashed are specified in docs/logical-hash.md.
 *
 * Reads the file through `connection` chunk by chunk; values are fed to per-column SHA3-256 hashers
 * from DuckDB's vector memory through one staging buffer per leaf (no per-value allocation except
 * for nested LIST/MAP values).
 * Throws `SliceReadError` (unreadable file) or `UnsupportedColumnTypeError`.
 */
export async function logicalHash(
  connection: DuckDBConnection,
  parquetPath: string,
  options: LogicalHashOptions = {},
): Promise<string> {
  return multihashToString(encodeMultihash(LOGICAL_HASH_CODE, await logicalDigest(connection, parquetPath, options)));
}

export type LogicalHashOptions = {
  /** Hash on worker threads (default: for files of 65536 rows or more). The result is the same. */
  worker?: boolean | undefined;
};

const WORKER_MIN_ROWS = 65_536;

/**
 * The raw 32-byte logical digest of a Parquet slice (see `logicalHash`).
 *
 * The file is streamed on `connection`; a DuckDB connection runs one streaming query at a time, so
 * calls on the same connection are queued, and other code must not query that connection while a
 * hash runs (an interrupted stream is detected by the row count and raises `SliceReadError`).
 */
export async function logicalDigest(
  connection: DuckDBConnection,
  parquetPath: string,
  options: LogicalHashOptions = {},
): Promise<Uint8Array> {
  const previous = queues.get(connection) ?? Promise.resolve();
  const run = previous.then(() => digestNow(connection, parquetPath, options));
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(connection, settled);
  try {
    return await run;
  } finally {
    if (queues.get(connection) === settled) queues.delete(connection);
  }
}

const queues = new WeakMap<DuckDBConnection, Promise<void>>();

async function digestNow(
  connection: DuckDBConnection,
  parquetPath: string,
  options: LogicalHashOptions,
): Promise<Uint8Array> {
  const source = `read_parquet('${parquetPath.replaceAll("'", "''")}')`;
  const [columns, parquetColumns, expectedRows] = await readSchemas(connection, source, parquetPath);
  const plan = buildHashPlan(columns, parquetColumns);

  const record = createSha3();
  record.update(plan.fieldHeaders);
  const descriptors = plan.leaves.map((leaf) => leaf.descriptor);
  const onWorker = options.worker ?? expectedRows >= WORKER_MIN_ROWS;
  const hashers = onWorker ? createWorkerLeafHashers(descriptors) : createLocalLeafHashers(descriptors);
  try {
    await hashRows(connection, parquetPath, source, plan.leaves, hashers, expectedRows);
    for (const digest of await hashers.digests()) record.update(digest);
  } finally {
    hashers.close();
  }
  return new Uint8Array(record.digest());
}

async function hashRows(
  connection: DuckDBConnection,
  parquetPath: string,
  source: string,
  leaves: readonly Leaf[],
  hashers: LeafHashers,
  expectedRows: number,
): Promise<void> {
  let rows = 0;
  if (leaves.length > 0) {
    const sql = `SELECT ${leaves.map((l) => l.expr).join(", ")} FROM ${source}`;
    const result = await wrapRead(parquetPath, () => connection.stream(sql));
    // One staging buffer per leaf, sent to its hasher when full (not once per chunk): a 2048-row
    // chunk of a narrow column is only a few KiB, and each hand-over to a worker has a fixed cost.
    const size = Math.max(MIN_STAGE, Math.min(MAX_STAGE, Math.floor(ALL_STAGES / leaves.length)));
    const stages = leaves.map((_, i) => new Stage(hashers, i, size));
    // Fetch one chunk ahead: DuckDB decodes the next chunk on its threads while this one is hashed.
    const fetch = () => {
      const pending = wrapRead(parquetPath, () => result.fetchChunk());
      pending.catch(() => undefined); // observed by the loop; never an unhandled rejection
      return pending;
    };
    let next = fetch();
    for (;;) {
      const chunk = await next;
      if (chunk === null || chunk.rowCount === 0) break;
      next = fetch();
      rows += chunk.rowCount;
      for (let i = 0; i < leaves.length; i++) hashLeafChunk(stages[i]!, leaves[i]!, chunk, i);
      await hashers.drain();
    }
    for (const stage of stages) stage.flush();
    if (rows !== expectedRows) {
      throw new SliceReadError({
        path: parquetPath,
        problem: `read ${rows} of ${expectedRows} rows (was the connection used by another query meanwhile?)`,
      });
    }
  }
}

async function wrapRead<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    const message = (cause as Error).message?.split("\n")[0] ?? String(cause);
    throw new SliceReadError({ path, problem: message, cause });
  }
}

async function readSchemas(connection: DuckDBConnection, source: string, path: string) {
  const inner = source.slice("read_parquet(".length, -1);
  const described = await wrapRead(path, () => connection.run(`SELECT * FROM ${source} LIMIT 0`));
  const names = described.columnNames();
  const types = described.columnTypes();
  const columns = names.map((name, i) => ({ name, type: types[i]! }));
  const rows = await wrapRead(path, async () =>
    (
      await connection.runAndReadAll(
        `SELECT name, num_children, logical_type, converted_type FROM parquet_schema(${inner})`,
      )
    ).getRowsJS(),
  );
  // parquet_schema lists the schema depth first; rebuild the tree from num_children.
  let next = 0;
  const build = (): ParquetNode => {
    const row = rows[next++];
    if (row === undefined) throw new SliceReadError({ path, problem: "Parquet schema is truncated" });
    const node: ParquetNode = {
      name: String(row[0]),
      logicalType: row[2] === null ? null : String(row[2]),
      convertedType: row[3] === null ? null : String(row[3]),
      children: [],
    };
    const count = Number(row[1] ?? 0);
    for (let i = 0; i < count; i++) node.children.push(build());
    return node;
  };
  const root = build();
  const meta = await wrapRead(path, async () =>
    (await connection.runAndReadAll(`SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata(${inner})`)).getRowsJS(),
  );
  return [columns, root.children, Number(meta[0]?.[0] ?? 0)] as const;
}

/** A leaf's staging buffer in front of its hasher (reused, or handed to the worker and replaced). */
class Stage {
  buf: Buffer;
  view: DataView;
  pos = 0;
  constructor(
    private readonly hashers: LeafHashers,
    readonly leaf: number,
    /** Buffer size in bytes (at least MIN_STAGE). */
    readonly size: number,
  ) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, size);
  }
  flush(): void {
    if (this.pos > 0) {
      this.hashers.update(this.leaf, this.buf.subarray(0, this.pos), true);
      if (this.hashers.takesBuffers) {
        this.buf = Buffer.allocUnsafeSlow(this.size);
        this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.size);
      }
      this.pos = 0;
    }
  }
  /** Feeds bytes that live elsewhere (copied if the hashers need to keep them). */
  direct(bytes: Uint8Array): void {
    this.flush();
    this.hashers.update(this.leaf, bytes, false);
  }
  /** Makes room for `n` bytes (n <= MIN_STAGE). */
  room(n: number): void {
    if (this.pos + n > this.size) this.flush();
  }
  /**
   * Appends bytes of any length: hashed in place when the hasher runs on this thread and the
   * bytes are large, else copied into the buffer.
   */
  bytes(src: Uint8Array): void {
    if (src.length > this.size / 2 || (!this.hashers.takesBuffers && src.length >= 4096)) {
      this.direct(src);
      return;
    }
    this.room(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  u64(v: number): void {
    this.room(8);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.buf.writeUInt32LE(Math.floor(v / 0x100000000), this.pos + 4);
    this.pos += 8;
  }
  i64(v: bigint): void {
    this.room(8);
    this.buf.writeBigInt64LE(v, this.pos);
    this.pos += 8;
  }
  /** Appends a two's complement little-endian integer of `width` bytes. */
  int(v: bigint, width: number): void {
    this.room(width);
    let x = BigInt.asUintN(width * 8, v);
    for (let i = 0; i < width; i++, x >>= 8n) this.buf[this.pos++] = Number(x & 0xffn);
  }
}

/** Fast paths over one chunk of a top-level leaf, straight from DuckDB's vector memory. */
function hashLeafChunk(stage: Stage, leaf: Leaf, chunk: DuckDBDataChunk, column: number): void {
  const n = chunk.rowCount;
  const codec = leaf.codec;
  const vector = bindings.data_chunk_get_vector(chunk.chunk, column);
  const validity = bindings.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null;
  const valid = (row: number) => validity === null || (validity[row >> 3]! & (1 << (row & 7))) !== 0;
  switch (codec.kind) {
    case "fixed":
    case "float":
    case "timestamp": {
      // Timestamps are selected as BIGINT counts of their unit (see hashPlan).
      const width = codec.kind === "timestamp" ? 8 : codec.width;
      const data = bindings.vector_get_data(vector, n * width);
      if (validity === null) {
        stage.bytes(data);
        return;
      }
      for (let row = 0; row < n; row++) {
        if (!valid(row)) {
          stage.u8(NULL_MARKER);
          continue;
        }
        stage.room(width);
        const start = row * width;
        for (let b = 0; b < width; b++) stage.buf[stage.pos++] = data[start + b]!;
      }
      return;
    }
    case "decimal": {
      const width = codec.width;
      const data = bindings.vector_get_data(vector, n * width);
      for (let row = 0; row < n; row++) {
        if (!valid(row)) {
          stage.u8(NULL_MARKER);
          continue;
        }
        stage.room(16);
        const start = row * width;
        for (let b = 0; b < width; b++) stage.buf[stage.pos++] = data[start + b]!;
        const sign = data[start + width - 1]! & 0x80 ? 0xff : 0;
        for (let b = width; b < 16; b++) stage.buf[stage.pos++] = sign;
      }
      return;
    }
    case "bool": {
      const data = bindings.vector_get_data(vector, n);
      for (let row = 0; row < n; row++) {
        stage.room(1);
        stage.buf[stage.pos++] = valid(row) ? (data[row]! ? 2 : 1) : NULL_MARKER;
      }
      return;
    }
    case "text":
    case "bytes":
      hashStringChunk(stage, n, bindings.vector_get_data(vector, n * 16), validity);
      return;
    default: {
      // LIST / MAP (and structs inside them): the general, value-by-value path.
      const values = chunk.getColumnVector(column);
      for (let row = 0; row < n; row++) encodeValue(stage, codec, values.getItem(row));
    }
  }
}

/** Per-chunk scratch of `hashStringChunk` (a chunk has at most 2048 rows; grown if ever larger). */
let scratch = stringScratch(2048);
function stringScratch(size: number) {
  return {
    size,
    address: new Float64Array(size),
    length: new Uint32Array(size),
    order: new Uint32Array(size),
    keys: new Float64Array(size),
    run: new Uint32Array(size),
    offset: new Float64Array(size),
  };
}
const pointerCell = new BigUint64Array(1);
/** Gaps below a page keep a run within pages that hold our strings, so reading it never faults. */
const MAX_GAP = 4096;

/**
 * Copies `len` bytes, four at a time through DataViews (unaligned 32-bit loads and stores are about
 * three times faster than a byte loop, and much cheaper than a native copy for short strings).
 * Integer words only: a float view could canonicalize NaN bit patterns.
 */
function copyBytes(dst: DataView, at: number, src: DataView, from: number, len: number): void {
  let b = 0;
  for (; b + 4 <= len; b += 4) dst.setUint32(at + b, src.getUint32(from + b, true), true);
  for (; b < len; b++) dst.setUint8(at + b, src.getUint8(from + b));
}

/**
 * Hashes a chunk of VARCHAR/BLOB `string_t`s: u32 length, then the bytes inline (<= 12) or a 4-byte
 * prefix and a pointer. Long strings are fetched in address runs (one native copy per run of
 * neighbouring strings, typically one per Parquet page) instead of one native call per value; the
 * encoded values are then written straight into the stage buffer (this loop is the hot path of
 * hashing text-heavy slices).
 */
function hashStringChunk(stage: Stage, n: number, data: Uint8Array, validity: Uint8Array | null): void {
  const vector = new DataView(data.buffer, data.byteOffset, n * 16);
  if (scratch.size < n) scratch = stringScratch(n);
  const { address, length, order, run, offset } = scratch;
  // Pass 1: collect the long strings in row order, counting where row order would start a new run.
  let count = 0;
  let breaks = 0;
  let runStart = 0;
  let runEnd = -MAX_GAP;
  for (let row = 0; row < n; row++) {
    if (validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0) continue;
    const at = row * 16;
    const len = vector.getUint32(at, true);
    if (len <= 12) continue;
    const a = vector.getUint32(at + 8, true) + vector.getUint32(at + 12, true) * 0x100000000;
    address[count] = a;
    length[count] = len;
    order[count] = count;
    if (a < runStart || a - runEnd >= MAX_GAP) {
      breaks++;
      runStart = a;
      runEnd = a;
    }
    if (a + len > runEnd) runEnd = a + len;
    count++;
  }
  // Strings laid out in row order (plain pages) make few runs as they come; scattered ones
  // (dictionary pages) are grouped by address first, or every string would be a run of its own.
  const runs: DataView[] = [];
  if (count > 0) {
    const indexes =
      breaks <= 4 + (count >> 4) ? order.subarray(0, count) : orderByAddress(address, count, order, scratch.keys);
    let start = address[indexes[0]!]!;
    let end = start;
    let first = 0;
    const close = (upTo: number) => {
      pointerCell[0] = BigInt(start);
      const bytes = bindings.get_data_from_pointer(pointerCell.buffer as ArrayBuffer, 0, end - start);
      runs.push(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      for (let i = first; i < upTo; i++) {
        const k = indexes[i]!;
        run[k] = runs.length - 1;
        offset[k] = address[k]! - start;
      }
    };
    for (let i = 0; i < count; i++) {
      const k = indexes[i]!;
      const a = address[k]!;
      if (a < start || a - end >= MAX_GAP) {
        close(i);
        start = a;
        end = a;
        first = i;
      }
      end = Math.max(end, a + length[k]!);
    }
    close(count);
  }
  // Pass 2: write lengths and bytes in row order.
  let view = stage.view;
  let pos = stage.pos;
  const size = stage.size;
  let k = 0;
  for (let row = 0; row < n; row++) {
    if (validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0) {
      if (pos === size) {
        stage.pos = pos;
        stage.flush();
        view = stage.view;
        pos = 0;
      }
      view.setUint8(pos++, NULL_MARKER);
      continue;
    }
    const at = row * 16;
    const len = vector.getUint32(at, true);
    // Inline strings are copied as three whole words (past `len` is overwritten later), so they
    // need 12 bytes of room whatever their length.
    if (pos + 8 + Math.max(len, 12) > size) {
      stage.pos = pos;
      stage.flush();
      view = stage.view;
      pos = 0;
    }
    // u64 little-endian length (a string_t length is 32 bits).
    view.setUint32(pos, len, true);
    view.setUint32(pos + 4, 0, true);
    pos += 8;
    if (len <= 12) {
      view.setUint32(pos, vector.getUint32(at + 4, true), true);
      view.setUint32(pos + 4, vector.getUint32(at + 8, true), true);
      view.setUint32(pos + 8, vector.getUint32(at + 12, true), true);
      pos += len;
      continue;
    }
    const source = runs[run[k]!]!;
    const from = offset[k]!;
    k++;
    if (8 + len <= size) {
      copyBytes(view, pos, source, from, len);
      pos += len;
    } else {
      stage.pos = pos;
      stage.direct(new Uint8Array(source.buffer, source.byteOffset + from, len));
      view = stage.view;
      pos = 0;
    }
  }
  stage.pos = pos;
}

const textEncoder = new TextEncoder();

/** Encodes one value of any codec (the nested-value path; see docs/logical-hash.md). */
function encodeValue(stage: Stage, codec: Codec, value: DuckDBValue): void {
  if (value === null) {
    stage.u8(NULL_MARKER);
    return;
  }
  switch (codec.kind) {
    case "fixed":
      encodeFixed(stage, codec.width, value);
      break;
    case "float":
      stage.room(codec.width);
      if (codec.width === 4) stage.buf.writeFloatLE(value as number, stage.pos);
      else stage.buf.writeDoubleLE(value as number, stage.pos);
      stage.pos += codec.width;
      break;
    case "decimal":
      stage.int((value as DuckDBDecimalValue).value, 16);
      break;
    case "bool":
      stage.u8(value ? 2 : 1);
      break;
    case "text":
    case "bytes": {
      const bytes = codec.kind === "text" ? textEncoder.encode(value as string) : (value as DuckDBBlobValue).bytes;
      stage.u64(bytes.length);
      stage.bytes(bytes);
      break;
    }
    case "timestamp":
      stage.i64(timestampIn(codec.unit, codec.source, value));
      break;
    case "list": {
      const items = (value as DuckDBListValue | DuckDBArrayValue).items;
      stage.u64(items.length);
      for (const item of items) encodeValue(stage, codec.element, item);
      break;
    }
    case "map": {
      const entries = (value as DuckDBMapValue).entries;
      stage.u64(entries.length);
      for (const entry of entries) {
        encodeValue(stage, codec.key, entry.key);
        encodeValue(stage, codec.value, entry.value);
      }
      break;
    }
    case "struct": {
      stage.u8(1);
      const fields = Object.values((value as DuckDBStructValue).entries);
      codec.fields.forEach((field, i) => {
        encodeValue(stage, field, fields[i] ?? null);
      });
      break;
    }
  }
}

/** Integers, DATE (days), TIME (micros) and TIME_NS (nanos) values as `width`-byte LE integers. */
function encodeFixed(stage: Stage, width: number, value: DuckDBValue): void {
  let integer: bigint;
  if (typeof value === "number" || typeof value === "bigint") integer = BigInt(value);
  else {
    const temporal = value as DuckDBDateValue | DuckDBTimeValue | DuckDBTimeNSValue;
    if ("days" in temporal) integer = BigInt(temporal.days);
    else if ("micros" in temporal) integer = temporal.micros;
    else integer = temporal.nanos;
  }
  stage.int(integer, width);
}

const DIVISOR: Record<TimeUnit, bigint> = { 0: 1_000_000_000n, 1: 1_000_000n, 2: 1_000n, 3: 1n };

/** A nested timestamp value as a count of `unit` since the epoch. */
function timestampIn(unit: TimeUnit, source: DuckDBTypeId, value: DuckDBValue): bigint {
  let nanos: bigint;
  switch (source) {
    case DuckDBTypeId.TIMESTAMP_S:
      nanos = (value as DuckDBTimestampSecondsValue).seconds * 1_000_000_000n;
      break;
    case DuckDBTypeId.TIMESTAMP_MS:
      nanos = (value as DuckDBTimestampMillisecondsValue).millis * 1_000_000n;
      break;
    case DuckDBTypeId.TIMESTAMP_NS:
      nanos = (value as DuckDBTimestampNanosecondsValue).nanos;
      break;
    default:
      nanos = (value as DuckDBTimestampValue).micros * 1_000n;
  }
  const d = DIVISOR[unit];
  const q = nanos / d;
  return nanos < 0n && q * d !== nanos ? q - 1n : q;
}
