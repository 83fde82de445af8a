import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  makeBuilder,
  makeData,
  makeVector,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeNanosecond,
  type Timestamp,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  tableToIPC,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  type Vector,
} from "apache-arrow";
import { parseDate, parseTime, parseTimestamp } from "../duckdb/formatTemporal";
import type { QueryResult, ResultColumn, ResultValue } from "../types";
import { jsonText } from "./jsonText";

const INTEGER_TYPES: Record<string, () => DataType> = {
  TINYINT: () => new Int8(),
  SMALLINT: () => new Int16(),
  INTEGER: () => new Int32(),
  BIGINT: () => new Int64(),
  UTINYINT: () => new Uint8(),
  USMALLINT: () => new Uint16(),
  UINTEGER: () => new Uint32(),
  UBIGINT: () => new Uint64(),
};

const TIMESTAMP_UNITS: Record<string, { type: () => DataType; nanosPerUnit: bigint }> = {
  TIMESTAMP_S: { type: () => new TimestampSecond("UTC"), nanosPerUnit: 1_000_000_000n },
  TIMESTAMP_MS: { type: () => new TimestampMillisecond("UTC"), nanosPerUnit: 1_000_000n },
  TIMESTAMP_NS: { type: () => new TimestampNanosecond("UTC"), nanosPerUnit: 1n },
};

function timestampUnit(column: ResultColumn): { type: () => DataType; nanosPerUnit: bigint } {
  return TIMESTAMP_UNITS[column.duckdbType] ?? { type: () => new TimestampMicrosecond("UTC"), nanosPerUnit: 1000n };
}

function decimalShape(column: ResultColumn): { precision: number; scale: number } {
  const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(column.duckdbType);
  return { precision: Number(m?.[1] ?? 18), scale: Number(m?.[2] ?? 3) };
}

/**
 * Arrow type of a result column. Native Arrow types for booleans, 8–64-bit integers, floats,
 * decimals (128-bit), binary, dates (day), times (ns), timestamps (DuckDB's unit, UTC), lists and
 * structs. As UTF-8 text: HUGEINT/UHUGEINT/BIGNUM (decimal text), UUID, INTERVAL (ISO 8601),
 * MAP (JSON object text), strings; temporal and decimal values nested in lists or structs are
 * text as well (their `ResultValue` form).
 */
export function arrowTypeOf(column: ResultColumn, nested = false): DataType {
  switch (column.tag) {
    case "null":
      return new Null();
    case "boolean":
      return new Bool();
    case "integer": {
      const make = INTEGER_TYPES[column.duckdbType];
      return make ? make() : new Utf8();
    }
    case "float":
      return column.duckdbType === "FLOAT" ? new Float32() : new Float64();
    case "binary":
      return new Binary();
    case "decimal": {
      if (nested) return new Utf8();
      const { precision, scale } = decimalShape(column);
      return new Decimal(scale, precision, 128);
    }
    case "date":
      return nested ? new Utf8() : new DateDay();
    case "time":
      return nested || column.duckdbType !== "TIME" ? new Utf8() : new TimeNanosecond();
    case "timestamp":
      return nested ? new Utf8() : timestampUnit(column).type();
    case "list": {
      const item = column.children?.[0];
      return new List(new Field("item", item ? arrowTypeOf(item, true) : new Utf8(), true));
    }
    case "struct":
      return new Struct((column.children ?? []).map((c) => new Field(c.name, arrowTypeOf(c, true), true)));
    default:
      return new Utf8();
  }
}

/** Value for an Arrow builder of `arrowTypeOf(column, true)` (nested positions). */
function builderValue(column: ResultColumn, value: ResultValue): unknown {
  if (value === null) return null;
  switch (column.tag) {
    case "integer":
      if (!INTEGER_TYPES[column.duckdbType]) return String(value);
      return column.duckdbType.endsWith("BIGINT") ? value : Number(value);
    case "list": {
      const item = column.children?.[0];
      return (value as readonly ResultValue[]).map((v) => (item ? builderValue(item, v) : jsonText(v)));
    }
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const child of column.children ?? []) {
        out[child.name] = builderValue(child, (value as Record<string, ResultValue>)[child.name] ?? null);
      }
      return out;
    }
    case "boolean":
    case "float":
    case "binary":
      return value;
    default:
      return typeof value === "string" ? value : jsonText(value);
  }
}

function validity(values: readonly ResultValue[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return { nullBitmap, nullCount };
}

function decimalWords(text: string, scale: number): [number, number, number, number] {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".");
  let unscaled = BigInt(whole + fraction.padEnd(scale, "0").slice(0, scale));
  if (negative) unscaled = -unscaled;
  const bits = BigInt.asUintN(128, unscaled);
  return [0, 1, 2, 3].map((i) => Number((bits >> BigInt(32 * i)) & 0xffff_ffffn)) as [number, number, number, number];
}

/** Builds one column vector of a result. */
export function toArrowVector(column: ResultColumn, values: readonly ResultValue[]): Vector {
  const type = arrowTypeOf(column);
  const length = values.length;
  if (column.tag === "timestamp" && !(type instanceof Utf8)) {
    const { nanosPerUnit } = timestampUnit(column);
    const cells = values.map((v) => (typeof v === "string" ? parseTimestamp(v) : undefined));
    const data = new BigInt64Array(cells.map((n) => (n === undefined ? 0n : n / nanosPerUnit)));
    return makeVector(
      makeData({ type: type as Timestamp, length, data, ...validity(cells.map((n) => (n === undefined ? null : 0))) }),
    );
  }
  if (column.tag === "date") {
    const cells = values.map((v) => (typeof v === "string" ? parseDate(v) : undefined));
    const data = new Int32Array(cells.map((n) => (n === undefined ? 0 : Number(n))));
    return makeVector(
      makeData({ type: type as DateDay, length, data, ...validity(cells.map((n) => (n === undefined ? null : 0))) }),
    );
  }
  if (column.tag === "time" && type instanceof TimeNanosecond) {
    const cells = values.map((v) => (typeof v === "string" ? parseTime(v) : undefined));
    const data = new BigInt64Array(cells.map((n) => n ?? 0n));
    return makeVector(makeData({ type, length, data, ...validity(cells.map((n) => (n === undefined ? null : 0))) }));
  }
  if (column.tag === "decimal" && type instanceof Decimal) {
    const data = new Uint32Array(length * 4);
    values.forEach((v, i) => {
      if (typeof v === "string") data.set(decimalWords(v, type.scale), i * 4);
    });
    return makeVector(makeData({ type, length, data, ...validity(values) }));
  }
  const builder = makeBuilder({ type, nullValues: [null] });
  for (const value of values) builder.append(builderValue(column, value));
  return builder.finish().toVector();
}

/** Column names made unique as DuckDB does (`a`, `a_1`, `a_2`): Arrow readers key columns by name. */
function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 1;
    while (taken.has(`${name}_${n}`)) n++;
    const unique = `${name}_${n}`;
    taken.add(unique);
    seen.add(unique);
    return unique;
  });
}

/**
 * The result as an Arrow table: columns in result order (see `arrowTypeOf` for the types), a
 * repeated column name suffixed `_1`, `_2`, ... as DuckDB's own Arrow export does.
 */
export function toArrowTable(result: Pick<QueryResult, "columns" | "rows">): Table {
  const vectors = result.columns.map((column, i) =>
    toArrowVector(
      column,
      result.rows.map((row) => row[i] ?? null),
    ),
  );
  const names = uniqueNames(result.columns.map((c) => c.name));
  const fields = names.map((name, i) => new Field(name, (vectors[i] as Vector).type, true));
  const schema = new Schema(fields);
  const batch = new RecordBatch(
    schema,
    makeData({
      type: new Struct(fields),
      length: result.rows.length,
      nullCount: 0,
      children: vectors.map((v) => v.data[0] as Data),
    }),
  );
  return new Table([batch]);
}

/** The result as an Arrow IPC stream (what `Accept: application/vnd.apache.arrow.stream` expects). */
export function toArrowIpc(result: Pick<QueryResult, "columns" | "rows">): Uint8Array {
  return tableToIPC(toArrowTable(result), "stream");
}
