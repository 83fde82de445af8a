import type { Builder } from "flatbuffers";
import { OdfFormatError } from "../errors";
import { datasetIdToBytes } from "../identity";
import { parseMultihash } from "../multihash";
import type { BytesForm, FieldDef, TableDef, UnionDef, UnionMember } from "./schema";
import { parseTimestamp } from "./timestamp";

/** Encoding state: the Builder and the `struct Timestamp` alignment of the manifest version (4 in v3, 1 in v2). */
export type EncodeContext = { builder: Builder; structAlign: 1 | 4 };

type Obj = Record<string, unknown>;

/**
 * Serializes a JS object as the FlatBuffers table `def` (DESIGN 5.3): children (strings, vectors,
 * tables, union members) first in schema field order, depth first; then the table with its fields in
 * schema order; default-valued scalars omitted, optional scalars written when present.
 * Returns the table's offset. Throws `TypeError`/`RangeError` naming the path for malformed input.
 */
export function encodeTable(ctx: EncodeContext, def: TableDef, obj: Obj, path: string): number {
  const b = ctx.builder;
  const fields = def.fields;
  const offsets: number[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = obj[f.name];
    if (v === undefined) continue;
    const t = f.type;
    switch (t.type) {
      case "string":
        offsets[i] = b.createString(asString(v, path, f));
        break;
      case "bytes":
        offsets[i] = b.createByteVector(bytesOf(t.form, v, path, f));
        break;
      case "extra": {
        const json = b.createString(JSON.stringify(v));
        b.startObject(1);
        b.addFieldOffset(0, json, 0);
        offsets[i] = b.endObject();
        break;
      }
      case "table":
        offsets[i] = encodeTable(ctx, t.table, asObject(v, path, f), `${path}.${f.name}`);
        break;
      case "union":
        offsets[i] = encodeTable(ctx, memberOf(t.union, v, `${path}.${f.name}`).table, v as Obj, `${path}.${f.name}`);
        break;
      case "stringVector": {
        const items = asArray(v, path, f);
        const strings = new Array<number>(items.length);
        for (let j = 0; j < items.length; j++) strings[j] = b.createString(asString(items[j], `${path}.${f.name}`, j));
        offsets[i] = offsetVector(b, strings);
        break;
      }
      case "tableVector": {
        const items = asArray(v, path, f);
        const tables = new Array<number>(items.length);
        for (let j = 0; j < items.length; j++) {
          const p = `${path}.${f.name}[${j}]`;
          tables[j] = encodeTable(ctx, t.table, asObject(items[j], p), p);
        }
        offsets[i] = offsetVector(b, tables);
        break;
      }
      case "unionVector": {
        const items = asArray(v, path, f);
        const wrappers = new Array<number>(items.length);
        for (let j = 0; j < items.length; j++) {
          const p = `${path}.${f.name}[${j}]`;
          const member = memberOf(t.union, items[j], p);
          const value = encodeTable(ctx, member.table, items[j] as Obj, p);
          b.startObject(2);
          b.addFieldInt8(0, member.tag, 0);
          b.addFieldOffset(1, value, 0);
          wrappers[j] = b.endObject();
        }
        offsets[i] = offsetVector(b, wrappers);
        break;
      }
      default:
        break;
    }
  }

  b.startObject(def.slotCount);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = obj[f.name];
    if (v === undefined) {
      if (f.required) throw new TypeError(`${path}.${f.name}: required field is missing`);
      continue;
    }
    const t = f.type;
    switch (t.type) {
      case "scalar":
        addScalar(b, f, t.scalar, t.default, v, path);
        break;
      case "enum": {
        const index = t.enum.values.indexOf(v as string);
        if (index < 0) throw new TypeError(`${path}.${f.name}: not a ${t.enum.name} value: ${JSON.stringify(v)}`);
        const dflt = t.default === null ? null : t.enum.values.indexOf(t.default);
        if (t.enum.base === "int16") b.addFieldInt16(f.slot, index, dflt as number);
        else b.addFieldInt32(f.slot, index, dflt as number);
        break;
      }
      case "timestamp": {
        const ts = withPath(path, f, () => parseTimestamp(asString(v, path, f)));
        b.prep(ctx.structAlign, 16);
        b.writeInt32(ts.nanoseconds | 0);
        b.writeInt32(ts.secondsFromMidnight);
        b.pad(2);
        b.writeInt16(ts.ordinal);
        b.writeInt32(ts.year);
        b.addFieldStruct(f.slot, b.offset(), 0);
        break;
      }
      case "union":
        b.addFieldInt8(f.slot, memberOf(t.union, v, `${path}.${f.name}`).tag, 0);
        b.addFieldOffset(f.slot + 1, offsets[i]!, 0);
        break;
      default:
        b.addFieldOffset(f.slot, offsets[i]!, 0);
        break;
    }
  }
  return b.endObject();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let j = offsets.length - 1; j >= 0; j--) b.addOffset(offsets[j]!);
  return b.endVector();
}

const INT_RANGES = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
} as const;

function addScalar(
  b: Builder,
  f: FieldDef,
  scalar: "bool" | keyof typeof INT_RANGES,
  dflt: number | boolean | null,
  v: unknown,
  path: string,
): void {
  if (scalar === "bool") {
    if (typeof v !== "boolean") throw new TypeError(`${path}.${f.name}: expected boolean`);
    b.addFieldInt8(f.slot, v ? 1 : 0, dflt === null ? (null as unknown as number) : dflt ? 1 : 0);
    return;
  }
  const [min, max] = INT_RANGES[scalar];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${path}.${f.name}: expected an integer in [${min}, ${max}] (${scalar}), got ${String(v)}`);
  }
  const d = dflt === null ? (null as unknown as number) : (dflt as number);
  switch (scalar) {
    case "int16":
    case "uint16":
      b.addFieldInt16(f.slot, v, d);
      return;
    case "int32":
    case "uint32":
      b.addFieldInt32(f.slot, v, d);
      return;
    default:
      b.addFieldInt64(f.slot, BigInt(v), d === null ? (null as unknown as bigint) : BigInt(d));
  }
}

function memberOf(union: UnionDef, v: unknown, path: string): UnionMember {
  const kind = v !== null && typeof v === "object" ? (v as Obj).kind : undefined;
  const member = typeof kind === "string" ? union.byKind.get(kind) : undefined;
  if (!member) throw new TypeError(`${path}.kind: unknown ${union.name} kind ${JSON.stringify(kind)}`);
  return member;
}

function bytesOf(form: BytesForm, v: unknown, path: string, f: FieldDef): Uint8Array {
  const text = asString(v, path, f);
  switch (form) {
    case "multihash":
      return withPath(path, f, () => parseMultihash(text));
    case "datasetId":
      return withPath(path, f, () => datasetIdToBytes(text));
    default:
      return base64ToBytes(text, `${path}.${f.name}`);
  }
}

/** Re-throws a format error of a field's value as a `TypeError` naming the field. */
function withPath<T>(path: string, f: FieldDef, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (!(cause instanceof OdfFormatError)) throw cause;
    throw new TypeError(`${path}.${f.name}: ${cause.shortMessage}`, { cause });
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard base64 (with padding), rejecting anything else. */
export function base64ToBytes(text: string, path: string): Uint8Array {
  if (!BASE64.test(text)) throw new TypeError(`${path}: expected standard base64 with padding`);
  const buf = Buffer.from(text, "base64");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function asString(v: unknown, path: string, f: FieldDef | number): string {
  if (typeof v !== "string") throw new TypeError(`${path}${label(f)}: expected string`);
  return v;
}

function asArray(v: unknown, path: string, f: FieldDef): unknown[] {
  if (!Array.isArray(v)) throw new TypeError(`${path}.${f.name}: expected array`);
  return v;
}

function asObject(v: unknown, path: string, f?: FieldDef): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError(`${path}${f ? `.${f.name}` : ""}: expected object`);
  }
  return v as Obj;
}

function label(f: FieldDef | number): string {
  return typeof f === "number" ? `[${f}]` : `.${f.name}`;
}
