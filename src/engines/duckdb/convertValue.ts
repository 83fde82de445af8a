import {
  type DuckDBArrayValue,
  type DuckDBBitValue,
  type DuckDBBlobValue,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  type DuckDBIntervalValue,
  type DuckDBListValue,
  type DuckDBMapValue,
  type DuckDBStructValue,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimestampValue,
  type DuckDBTimeValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBUnionValue,
  type DuckDBValue,
} from "@duckdb/node-api";
import type { ResultColumn, ResultTypeTag, ResultValue } from "../types";
import { formatDate, formatInterval, formatTime, formatTimestamp } from "./formatTemporal";
import { FIXED_INTEGER_TYPES } from "./integerTypes";

/** Types whose values become `bigint`: the fixed-width integers and arbitrary-precision BIGNUM. */
const INTEGER_TYPES: ReadonlySet<DuckDBTypeId> = new Set([...FIXED_INTEGER_TYPES, DuckDBTypeId.BIGNUM]);

/** Normalized tag of a DuckDB type (see `ResultTypeTag`). */
export function typeTag(type: DuckDBType): ResultTypeTag {
  const id = type.typeId;
  if (INTEGER_TYPES.has(id)) return "integer";
  switch (id) {
    case DuckDBTypeId.SQLNULL:
      return "null";
    case DuckDBTypeId.BOOLEAN:
      return "boolean";
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return "float";
    case DuckDBTypeId.DECIMAL:
      return "decimal";
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.BIT:
      return "string";
    case DuckDBTypeId.BLOB:
      return "binary";
    case DuckDBTypeId.DATE:
      return "date";
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.TIME_TZ:
      return "time";
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "timestamp";
    case DuckDBTypeId.INTERVAL:
      return "interval";
    case DuckDBTypeId.UUID:
      return "uuid";
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return "list";
    case DuckDBTypeId.STRUCT:
      return "struct";
    case DuckDBTypeId.MAP:
      return "map";
    default:
      return "other";
  }
}

/** Describes a result column (name, DuckDB type text, tag, nested children). */
export function describeColumn(name: string, type: DuckDBType): ResultColumn {
  const column: ResultColumn = { name, duckdbType: type.toString(), tag: typeTag(type) };
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { ...column, children: [describeColumn("item", type.valueType)] };
    case DuckDBTypeId.STRUCT:
      return {
        ...column,
        children: type.entryNames.map((n, i) => describeColumn(n, type.entryTypes[i] as DuckDBType)),
      };
    case DuckDBTypeId.MAP:
      return { ...column, children: [describeColumn("key", type.keyType), describeColumn("value", type.valueType)] };
    default:
      return column;
  }
}

function timestampText(micros: bigint, finite: boolean): string {
  if (!finite) return micros > 0n ? "infinity" : "-infinity";
  return formatTimestamp(micros * 1000n);
}

/** Text of a value used as a map key. */
function keyText(value: ResultValue): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v));
}

/**
 * Converts a value read from DuckDB (`DuckDBResultReader.getRows()`) to the engine's normalized
 * `ResultValue`, following the mapping documented on `ResultValue`.
 */
export function convertValue(type: DuckDBType, value: DuckDBValue): ResultValue {
  if (value === null || value === undefined) return null;
  const id = type.typeId;
  if (INTEGER_TYPES.has(id)) return typeof value === "bigint" ? value : BigInt(value as number);
  switch (id) {
    case DuckDBTypeId.BOOLEAN:
      return value as boolean;
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return value as number;
    case DuckDBTypeId.DECIMAL:
      return (value as DuckDBDecimalValue).toString();
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return value as string;
    case DuckDBTypeId.BLOB:
      return new Uint8Array((value as DuckDBBlobValue).bytes);
    case DuckDBTypeId.DATE: {
      const date = value as DuckDBDateValue;
      if (!date.isFinite) return date.days > 0 ? "infinity" : "-infinity";
      return formatDate(BigInt(date.days));
    }
    case DuckDBTypeId.TIME:
      return formatTime((value as DuckDBTimeValue).micros * 1000n);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const ts = value as DuckDBTimestampValue | DuckDBTimestampTZValue;
      return timestampText(ts.micros, ts.isFinite);
    }
    case DuckDBTypeId.TIMESTAMP_S: {
      const ts = value as DuckDBTimestampSecondsValue;
      return ts.isFinite ? formatTimestamp(ts.seconds * 1_000_000_000n) : ts.seconds > 0n ? "infinity" : "-infinity";
    }
    case DuckDBTypeId.TIMESTAMP_MS: {
      const ts = value as DuckDBTimestampMillisecondsValue;
      return ts.isFinite ? formatTimestamp(ts.millis * 1_000_000n) : ts.millis > 0n ? "infinity" : "-infinity";
    }
    case DuckDBTypeId.TIMESTAMP_NS: {
      const ts = value as DuckDBTimestampNanosecondsValue;
      return ts.isFinite ? formatTimestamp(ts.nanos) : ts.nanos > 0n ? "infinity" : "-infinity";
    }
    case DuckDBTypeId.INTERVAL: {
      const iv = value as DuckDBIntervalValue;
      return formatInterval(iv.months, iv.days, iv.micros);
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const items = (value as DuckDBListValue | DuckDBArrayValue).items;
      return items.map((item) => convertValue(type.valueType, item));
    }
    case DuckDBTypeId.STRUCT: {
      const entries = (value as DuckDBStructValue).entries;
      const out: Record<string, ResultValue> = {};
      type.entryNames.forEach((name, i) => {
        out[name] = convertValue(type.entryTypes[i] as DuckDBType, entries[name] ?? null);
      });
      return out;
    }
    case DuckDBTypeId.MAP: {
      const out: Record<string, ResultValue> = {};
      for (const entry of (value as DuckDBMapValue).entries) {
        out[keyText(convertValue(type.keyType, entry.key))] = convertValue(type.valueType, entry.value);
      }
      return out;
    }
    case DuckDBTypeId.UNION: {
      const union = value as DuckDBUnionValue;
      const index = type.tagMemberIndexes[union.tag];
      const memberType = index === undefined ? undefined : type.memberTypes[index];
      return memberType === undefined ? String(union.value) : convertValue(memberType, union.value);
    }
    case DuckDBTypeId.BIT:
      return (value as DuckDBBitValue).toString();
    default:
      // UUID, TIME_TZ, TIME_NS and other scalar types: DuckDB's own text form.
      return String(value);
  }
}
