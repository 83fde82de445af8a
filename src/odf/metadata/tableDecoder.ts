import { bytesToHex } from "@noble/hashes/utils.js";
import { BlockDecodeError, InvalidMultihashError, UnknownUnionTagError } from "../errors";
import { decodeMultihash } from "../multihash";
import type { BytesForm, FieldDef, TableDef, UnionDef } from "./schema";
import { formatTimestamp } from "./timestamp";

/** A bounds-checked view of one FlatBuffer (a manifest, or the block inside its `content`). */
export type FlatReader = {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Remaining offset dereferences allowed: stops hostile buffers whose offsets share subtrees. */
  budget: number;
};

const MAX_DEPTH = 64;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Wraps bytes for reading. */
export function createReader(bytes: Uint8Array): FlatReader {
  return {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    budget: (bytes.length >>> 2) + 8,
  };
}

/** Position of the root table of a finished buffer. */
export function rootTable(r: FlatReader, path: string): number {
  return deref(r, 0, path);
}

/** Reads a uoffset at `pos` and returns the position it points to, validated to lie in the buffer. */
export function deref(r: FlatReader, pos: number, path: string): number {
  need(r, pos, 4, path);
  if (--r.budget < 0) throw new BlockDecodeError(`Too many references in the buffer at ${path}`);
  const target = pos + r.view.getUint32(pos, true);
  if (target + 4 > r.bytes.length) throw new BlockDecodeError(`Offset out of range at ${path}`);
  return target;
}

/** A table's vtable lookup, validated once per table. */
export type TableCursor = { pos: number; vtable: number; vtableSize: number; tableSize: number };

/** Validates the table at `pos` and its vtable. */
export function openTable(r: FlatReader, pos: number, path: string): TableCursor {
  need(r, pos, 4, path);
  const vtable = pos - r.view.getInt32(pos, true);
  if (vtable < 0 || vtable + 4 > r.bytes.length) throw new BlockDecodeError(`Vtable out of range at ${path}`);
  const vtableSize = r.view.getUint16(vtable, true);
  const tableSize = r.view.getUint16(vtable + 2, true);
  if (vtableSize < 4 || (vtableSize & 1) !== 0 || vtable + vtableSize > r.bytes.length) {
    throw new BlockDecodeError(`Malformed vtable at ${path}`);
  }
  if (tableSize < 4 || pos + tableSize > r.bytes.length) throw new BlockDecodeError(`Table out of range at ${path}`);
  return { pos, vtable, vtableSize, tableSize };
}

/** Absolute position of the field in `slot` (0 when absent), checking `size` bytes fit in the table. */
export function fieldPos(r: FlatReader, c: TableCursor, slot: number, size: number, path: string): number {
  const vo = 4 + 2 * slot;
  if (vo + 2 > c.vtableSize) return 0;
  const fo = r.view.getUint16(c.vtable + vo, true);
  if (fo === 0) return 0;
  if (fo < 4 || fo + size > c.tableSize) throw new BlockDecodeError(`Field out of range at ${path}`);
  return c.pos + fo;
}

/** Reads a `[ubyte]` vector at the uoffset in `pos` (a view, not a copy). */
export function readByteVector(r: FlatReader, pos: number, path: string): Uint8Array {
  const target = deref(r, pos, path);
  const length = r.view.getUint32(target, true);
  if (length > r.bytes.length - target - 4) throw new BlockDecodeError(`Byte vector out of range at ${path}`);
  return r.bytes.subarray(target + 4, target + 4 + length);
}

function readString(r: FlatReader, pos: number, path: string): string {
  const target = deref(r, pos, path);
  const length = r.view.getUint32(target, true);
  const start = target + 4;
  if (length >= r.bytes.length - start) throw new BlockDecodeError(`String out of range at ${path}`);
  if (length < 48) {
    // ASCII fast path; anything else goes through the strict decoder.
    let ascii = true;
    for (let i = start; i < start + length; i++) if (r.bytes[i]! >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, r.bytes.subarray(start, start + length) as unknown as number[]);
  }
  try {
    return utf8.decode(r.bytes.subarray(start, start + length));
  } catch (cause) {
    throw new BlockDecodeError(`Invalid UTF-8 string at ${path}`, { cause });
  }
}

function vectorOffsets(r: FlatReader, pos: number, path: string): { start: number; count: number } {
  const target = deref(r, pos, path);
  const count = r.view.getUint32(target, true);
  if (count > (r.bytes.length - target - 4) / 4) throw new BlockDecodeError(`Vector out of range at ${path}`);
  return { start: target + 4, count };
}

function readUint64(r: FlatReader, pos: number, path: string): number {
  const lo = r.view.getUint32(pos, true);
  const hi = r.view.getUint32(pos + 4, true);
  if (hi > 0x1fffff) throw new BlockDecodeError(`Integer exceeds 2^53-1 at ${path}`);
  return hi * 0x1_0000_0000 + lo;
}

function readInt64(r: FlatReader, pos: number, path: string): number {
  const value = r.view.getBigInt64(pos, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new BlockDecodeError(`Integer outside the safe range at ${path}`);
  }
  return Number(value);
}

const SCALAR_SIZE = { bool: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8 } as const;

/**
 * Decodes the table at `pos` as `def` into its JS form: fields in schema order, absent optional fields
 * left out, absent required scalars given their default. Every offset, length and tag is validated;
 * failures are `BlockDecodeError` (or `UnknownUnionTagError`) naming the path.
 */
export function decodeTable(r: FlatReader, pos: number, def: TableDef, path: string, depth: number, out = {}) {
  if (depth > MAX_DEPTH) throw new BlockDecodeError(`Nesting deeper than ${MAX_DEPTH} at ${path}`);
  const obj = out as Record<string, unknown>;
  const c = openTable(r, pos, path);
  for (const f of def.fields) {
    const t = f.type;
    const p = `${path}.${f.name}`;
    switch (t.type) {
      case "scalar": {
        const at = fieldPos(r, c, f.slot, SCALAR_SIZE[t.scalar], p);
        if (at === 0) {
          if (t.default !== null) obj[f.name] = t.default;
          break;
        }
        obj[f.name] = readScalar(r, t.scalar, at, p);
        break;
      }
      case "enum": {
        const size = t.enum.base === "int16" ? 2 : 4;
        const at = fieldPos(r, c, f.slot, size, p);
        if (at === 0) {
          if (t.default !== null) obj[f.name] = t.default;
          break;
        }
        const index = size === 2 ? r.view.getInt16(at, true) : r.view.getInt32(at, true);
        const value = t.enum.values[index];
        if (value === undefined) throw new BlockDecodeError(`Unknown ${t.enum.name} value ${index} at ${p}`);
        obj[f.name] = value;
        break;
      }
      case "timestamp": {
        const at = fieldPos(r, c, f.slot, 16, p);
        if (at === 0) break;
        try {
          obj[f.name] = formatTimestamp({
            year: r.view.getInt32(at, true),
            ordinal: r.view.getUint16(at + 4, true),
            secondsFromMidnight: r.view.getUint32(at + 8, true),
            nanoseconds: r.view.getUint32(at + 12, true),
          });
        } catch (cause) {
          throw new BlockDecodeError(`Invalid timestamp at ${p}`, { cause });
        }
        break;
      }
      case "union": {
        const tagAt = fieldPos(r, c, f.slot, 1, p);
        const tag = tagAt === 0 ? 0 : r.bytes[tagAt]!;
        if (tag === 0) break;
        const member = t.union.members[tag - 1];
        if (!member) throw new UnknownUnionTagError({ union: t.union.name, tag, path: p });
        const at = fieldPos(r, c, f.slot + 1, 4, p);
        if (at === 0) throw new BlockDecodeError(`Union ${t.union.name} has a type but no value at ${p}`);
        obj[f.name] = decodeTable(r, deref(r, at, p), member.table, p, depth + 1, { kind: member.kind });
        break;
      }
      default: {
        const at = fieldPos(r, c, f.slot, 4, p);
        if (at === 0) break;
        obj[f.name] = readOffsetField(r, f, at, p, depth);
      }
    }
    if (f.required && obj[f.name] === undefined) throw new BlockDecodeError(`Missing required field ${p}`);
  }
  return obj;
}

function readScalar(r: FlatReader, scalar: keyof typeof SCALAR_SIZE, at: number, p: string): number | boolean {
  switch (scalar) {
    case "bool":
      return r.bytes[at] !== 0;
    case "int16":
      return r.view.getInt16(at, true);
    case "uint16":
      return r.view.getUint16(at, true);
    case "int32":
      return r.view.getInt32(at, true);
    case "uint32":
      return r.view.getUint32(at, true);
    case "int64":
      return readInt64(r, at, p);
    default:
      return readUint64(r, at, p);
  }
}

function readOffsetField(r: FlatReader, f: FieldDef, at: number, p: string, depth: number): unknown {
  const t = f.type;
  switch (t.type) {
    case "string":
      return readString(r, at, p);
    case "bytes":
      return bytesToText(t.form, readByteVector(r, at, p), p);
    case "extra":
      return readExtra(r, deref(r, at, p), p);
    case "table":
      return decodeTable(r, deref(r, at, p), t.table, p, depth + 1);
    case "stringVector": {
      const { start, count } = vectorOffsets(r, at, p);
      const items = new Array<string>(count);
      for (let j = 0; j < count; j++) items[j] = readString(r, start + 4 * j, `${p}[${j}]`);
      return items;
    }
    case "tableVector": {
      const { start, count } = vectorOffsets(r, at, p);
      const items = new Array<unknown>(count);
      for (let j = 0; j < count; j++) {
        const q = `${p}[${j}]`;
        items[j] = decodeTable(r, deref(r, start + 4 * j, q), t.table, q, depth + 1);
      }
      return items;
    }
    case "unionVector": {
      const { start, count } = vectorOffsets(r, at, p);
      const items = new Array<unknown>(count);
      for (let j = 0; j < count; j++)
        items[j] = readWrappedUnion(r, t.union, deref(r, start + 4 * j, p), `${p}[${j}]`, depth);
      return items;
    }
    default:
      throw new BlockDecodeError(`Unsupported field type at ${p}`);
  }
}

function readWrappedUnion(r: FlatReader, union: UnionDef, pos: number, p: string, depth: number): unknown {
  const c = openTable(r, pos, p);
  const tagAt = fieldPos(r, c, 0, 1, p);
  const tag = tagAt === 0 ? 0 : r.bytes[tagAt]!;
  const member = union.members[tag - 1];
  if (!member) throw new UnknownUnionTagError({ union: union.name, tag, path: p });
  const at = fieldPos(r, c, 1, 4, p);
  if (at === 0) throw new BlockDecodeError(`Union ${union.name} has a type but no value at ${p}`);
  return decodeTable(r, deref(r, at, p), member.table, p, depth + 2, { kind: member.kind });
}

function readExtra(r: FlatReader, pos: number, p: string): Record<string, unknown> {
  const c = openTable(r, pos, p);
  const at = fieldPos(r, c, 0, 4, p);
  if (at === 0) return {};
  const json = readString(r, at, `${p}.attributes`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new BlockDecodeError(`ExtraAttributes is not valid JSON at ${p}`, { cause });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new BlockDecodeError(`ExtraAttributes is not a JSON object at ${p}`);
  }
  return value as Record<string, unknown>;
}

function bytesToText(form: BytesForm, bytes: Uint8Array, p: string): string {
  switch (form) {
    case "multihash":
      try {
        decodeMultihash(bytes);
      } catch (cause) {
        const reason = cause instanceof InvalidMultihashError ? cause.shortMessage : String(cause);
        throw new BlockDecodeError(`Invalid multihash at ${p}: ${reason}`, { cause });
      }
      return `f${bytesToHex(bytes)}`;
    case "datasetId":
      if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
        throw new BlockDecodeError(`Invalid dataset id at ${p}: expected ed01 followed by a 32-byte ed25519 key`);
      }
      return `did:odf:f${bytesToHex(bytes)}`;
    default:
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
}

function need(r: FlatReader, pos: number, size: number, path: string): void {
  if (pos < 0 || pos + size > r.bytes.length) throw new BlockDecodeError(`Offset out of range at ${path}`);
}
