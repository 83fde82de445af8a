import {
  type DuckDBDecimalType,
  type DuckDBListType,
  type DuckDBMapType,
  type DuckDBStructType,
  type DuckDBType,
  DuckDBTypeId,
} from "@duckdb/node-api";
import { UnsupportedColumnTypeError } from "./errors";

/**
 * The plan of a logical hash: what is fed to the record hasher (field headers) and, per leaf
 * column, its type descriptor, the SQL expression that reads it and how its values are encoded.
 * The byte layout is specified in docs/logical-hash.md; this module is its executable form.
 */
export type HashPlan = {
  /** `u64le(len) || name || u64le(level)` for every field, depth first, concatenated. */
  fieldHeaders: Uint8Array;
  leaves: Leaf[];
};

/** One leaf column: its own hasher is seeded with `descriptor`, then fed its values. */
export type Leaf = {
  /** Dotted path, for error messages. */
  path: string;
  /** SQL expression selecting the leaf's values (struct fields flattened, timestamps as integers). */
  expr: string;
  descriptor: Uint8Array;
  codec: Codec;
};

/** Timestamp units, as their descriptor ids. */
export const TimeUnitId = { second: 0, millisecond: 1, microsecond: 2, nanosecond: 3 } as const;
export type TimeUnit = (typeof TimeUnitId)[keyof typeof TimeUnitId];

/** How one value of a type is encoded. Top-level leaves use the fast paths of `logicalHash`. */
export type Codec =
  | { kind: "fixed"; width: 1 | 2 | 4 | 8 | 16 }
  | { kind: "float"; width: 4 | 8 }
  | { kind: "decimal"; width: 2 | 4 | 8 | 16 }
  | { kind: "bool" }
  | { kind: "bytes" }
  | { kind: "text" }
  | { kind: "timestamp"; unit: TimeUnit; source: DuckDBTypeId }
  | { kind: "list"; element: Codec }
  | { kind: "map"; key: Codec; value: Codec }
  | { kind: "struct"; fields: Codec[] };

/** A node of the Parquet schema (`parquet_schema()` rows rebuilt into a tree). */
export type ParquetNode = {
  name: string;
  logicalType: string | null;
  convertedType: string | null;
  children: ParquetNode[];
};

const TYPE_ID = {
  int: 1,
  float: 2,
  binary: 3,
  utf8: 4,
  bool: 5,
  decimal: 6,
  date: 7,
  time: 8,
  timestamp: 9,
  list: 11,
  struct: 12,
  map: 16,
} as const;

/** Little-endian byte writer for descriptors and field headers (cold path). */
class Bytes {
  private readonly parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >> 8);
  }
  u64(v: number): this {
    let x = BigInt(v);
    for (let i = 0; i < 8; i++, x >>= 8n) this.parts.push(Number(x & 0xffn));
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    for (const c of b) this.parts.push(c);
    return this;
  }
  raw(b: Uint8Array): this {
    for (const c of b) this.parts.push(c);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Builds the hash plan of a relation from its DuckDB column types and the file's Parquet schema tree
 * (root's children, same order). Throws `UnsupportedColumnTypeError` for types without a definition.
 */
export function buildHashPlan(
  columns: readonly { name: string; type: DuckDBType }[],
  parquetColumns: readonly ParquetNode[],
): HashPlan {
  const headers = new Bytes();
  const leaves: Leaf[] = [];
  const walk = (
    name: string,
    type: DuckDBType,
    pq: ParquetNode | undefined,
    level: number,
    expr: string,
    path: string,
  ) => {
    headers.str(name).u64(level);
    if (type.typeId === DuckDBTypeId.STRUCT) {
      const struct = type as DuckDBStructType;
      struct.entryNames.forEach((child, i) => {
        walk(
          child,
          struct.entryTypes[i]!,
          pq?.children[i],
          level + 1,
          `struct_extract(${expr}, '${child.replaceAll("'", "''")}')`,
          `${path}.${child}`,
        );
      });
      return;
    }
    const described = describe(type, pq, path);
    const unit = described.codec.kind === "timestamp" ? described.codec.unit : undefined;
    leaves.push({
      path,
      expr: unit === undefined ? expr : EPOCH_EXPR[unit](expr),
      descriptor: described.descriptor,
      codec: described.codec,
    });
  };
  columns.forEach((c, i) => {
    walk(c.name, c.type, parquetColumns[i], 0, quoteIdent(c.name), c.name);
  });
  return { fieldHeaders: headers.done(), leaves };
}

/** Reads a timestamp as a BIGINT count of its unit since the epoch (exact for values stored in that unit). */
const EPOCH_EXPR: Record<TimeUnit, (expr: string) => string> = {
  0: (e) => `(epoch_ms(${e}) // 1000)`,
  1: (e) => `epoch_ms(${e})`,
  2: (e) => `epoch_us(${e})`,
  3: (e) => `epoch_ns(${e})`,
};

type Described = { descriptor: Uint8Array; codec: Codec };

function integer(signed: boolean, bits: 8 | 16 | 32 | 64 | 128): Described {
  return {
    descriptor: new Bytes()
      .u16(TYPE_ID.int)
      .u8(signed ? 1 : 0)
      .u64(bits)
      .done(),
    codec: { kind: "fixed", width: (bits / 8) as 1 | 2 | 4 | 8 | 16 },
  };
}

/** Type descriptor and value codec of a (non-flattened) type. */
function describe(type: DuckDBType, pq: ParquetNode | undefined, path: string): Described {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { descriptor: new Bytes().u16(TYPE_ID.bool).done(), codec: { kind: "bool" } };
    case DuckDBTypeId.TINYINT:
      return integer(true, 8);
    case DuckDBTypeId.SMALLINT:
      return integer(true, 16);
    case DuckDBTypeId.INTEGER:
      return integer(true, 32);
    case DuckDBTypeId.BIGINT:
      return integer(true, 64);
    case DuckDBTypeId.HUGEINT:
      return integer(true, 128);
    case DuckDBTypeId.UTINYINT:
      return integer(false, 8);
    case DuckDBTypeId.USMALLINT:
      return integer(false, 16);
    case DuckDBTypeId.UINTEGER:
      return integer(false, 32);
    case DuckDBTypeId.UBIGINT:
      return integer(false, 64);
    case DuckDBTypeId.UHUGEINT:
      return integer(false, 128);
    case DuckDBTypeId.FLOAT:
      return { descriptor: new Bytes().u16(TYPE_ID.float).u64(32).done(), codec: { kind: "float", width: 4 } };
    case DuckDBTypeId.DOUBLE:
      return { descriptor: new Bytes().u16(TYPE_ID.float).u64(64).done(), codec: { kind: "float", width: 8 } };
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as DuckDBDecimalType;
      const internal = width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
      return {
        descriptor: new Bytes().u16(TYPE_ID.decimal).u64(128).u64(width).u64(scale).done(),
        codec: { kind: "decimal", width: internal },
      };
    }
    case DuckDBTypeId.VARCHAR:
      return { descriptor: new Bytes().u16(TYPE_ID.utf8).done(), codec: { kind: "text" } };
    case DuckDBTypeId.BLOB:
      return { descriptor: new Bytes().u16(TYPE_ID.binary).done(), codec: { kind: "bytes" } };
    case DuckDBTypeId.DATE:
      return {
        descriptor: new Bytes().u16(TYPE_ID.date).u64(32).u16(0).done(),
        codec: { kind: "fixed", width: 4 },
      };
    case DuckDBTypeId.TIME:
      return {
        descriptor: new Bytes().u16(TYPE_ID.time).u64(64).u16(TimeUnitId.microsecond).done(),
        codec: { kind: "fixed", width: 8 },
      };
    case DuckDBTypeId.TIME_NS:
      return {
        descriptor: new Bytes().u16(TYPE_ID.time).u64(64).u16(TimeUnitId.nanosecond).done(),
        codec: { kind: "fixed", width: 8 },
      };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const unit = timestampUnit(type.typeId, pq);
      const d = new Bytes().u16(TYPE_ID.timestamp).u16(unit);
      if (type.typeId === DuckDBTypeId.TIMESTAMP_TZ) d.str("UTC");
      else d.u8(0);
      return { descriptor: d.done(), codec: { kind: "timestamp", unit, source: type.typeId } };
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = describe((type as DuckDBListType).valueType, listElement(pq), `${path}[]`);
      return {
        descriptor: new Bytes().u16(TYPE_ID.list).raw(child.descriptor).done(),
        codec: { kind: "list", element: child.codec },
      };
    }
    case DuckDBTypeId.MAP: {
      const map = type as DuckDBMapType;
      const kv = pq?.children[0];
      const key = describe(map.keyType, kv?.children[0], `${path}.key`);
      const value = describe(map.valueType, kv?.children[1], `${path}.value`);
      return {
        descriptor: new Bytes().u16(TYPE_ID.map).raw(key.descriptor).raw(value.descriptor).done(),
        codec: { kind: "map", key: key.codec, value: value.codec },
      };
    }
    case DuckDBTypeId.STRUCT: {
      // Only reached inside lists and maps: top-level structs are flattened into leaves.
      const struct = type as DuckDBStructType;
      const d = new Bytes().u16(TYPE_ID.struct).u64(struct.entryNames.length);
      const fields: Codec[] = [];
      struct.entryNames.forEach((name, i) => {
        const child = describe(struct.entryTypes[i]!, pq?.children[i], `${path}.${name}`);
        d.str(name).raw(child.descriptor);
        fields.push(child.codec);
      });
      return { descriptor: d.done(), codec: { kind: "struct", fields } };
    }
    default:
      throw new UnsupportedColumnTypeError({ column: path, type: type.toString() });
  }
}

/** The element node of a Parquet LIST group (3-level standard layout, or the legacy 2-level one). */
function listElement(pq: ParquetNode | undefined): ParquetNode | undefined {
  const repeated = pq?.children[0];
  if (repeated === undefined || repeated.children.length !== 1) return repeated;
  return repeated.children[0];
}

/**
 * The unit a timestamp is stored with in the file. DuckDB reads MILLIS and MICROS columns both as
 * microsecond TIMESTAMP[TZ], so the Parquet schema decides; DuckDB's own type is the fallback.
 */
function timestampUnit(typeId: DuckDBTypeId, pq: ParquetNode | undefined): TimeUnit {
  const logical = pq?.logicalType ?? "";
  if (logical.includes("MILLIS=MilliSeconds")) return TimeUnitId.millisecond;
  if (logical.includes("MICROS=MicroSeconds")) return TimeUnitId.microsecond;
  if (logical.includes("NANOS=NanoSeconds")) return TimeUnitId.nanosecond;
  if (pq?.convertedType === "TIMESTAMP_MILLIS") return TimeUnitId.millisecond;
  if (pq?.convertedType === "TIMESTAMP_MICROS") return TimeUnitId.microsecond;
  switch (typeId) {
    case DuckDBTypeId.TIMESTAMP_S:
      return TimeUnitId.second;
    case DuckDBTypeId.TIMESTAMP_MS:
      return TimeUnitId.millisecond;
    case DuckDBTypeId.TIMESTAMP_NS:
      return TimeUnitId.nanosecond;
    default:
      return TimeUnitId.microsecond;
  }
}
