import type { AbiEvent, AbiParameter } from "viem";

/**
 * How ABI types become columns (see docs/chain-source.md):
 *
 * | ABI type                      | DuckDB / Parquet column            | ODF type        |
 * | ----------------------------- | ---------------------------------- | --------------- |
 * | uint8, uint16                 | UTINYINT, USMALLINT                | UInt8, UInt16   |
 * | uint24..uint32, uint40..64    | UINTEGER, UBIGINT                  | UInt32, UInt64  |
 * | int8 .. int64 (same widths)   | TINYINT, SMALLINT, INTEGER, BIGINT | Int8 .. Int64   |
 * | (u)int72 .. (u)int120         | DECIMAL(38, 0) (exact)             | Decimal(38, 0)  |
 * | (u)int128 .. (u)int256        | VARCHAR, exact decimal text        | String          |
 * | bool                          | BOOLEAN                            | Bool            |
 * | address, bytesN, bytes        | BLOB (20, N, any bytes)            | Binary          |
 * | string                        | VARCHAR (invalid UTF-8 -> U+FFFD)  | String          |
 * | T[], T[k]                     | LIST of T                          | List            |
 * | tuple                         | STRUCT of its components           | Struct          |
 * | indexed string/bytes/T[]/tuple| BLOB: the 32-byte topic (keccak256)| Binary          |
 *
 * DuckDB writes HUGEINT/UHUGEINT to Parquet as DOUBLE (lossy), and DECIMAL(38, 0) cannot hold
 * every 128-bit value, hence decimal text from 128 bits up.
 */

/** Name of an event parameter in the `event` struct: its own name, else `arg<i>`. */
export function eventParamName(param: AbiParameter, index: number): string {
  return param.name ? param.name : `arg${index}`;
}

/** Name of a tuple component: its own name, else `field<i>`. */
export function componentName(param: AbiParameter, index: number): string {
  return param.name ? param.name : `field${index}`;
}

/** The event's parameters in `event` struct order: indexed first, then the others (DESIGN 5.7). */
export function orderedEventParams(event: AbiEvent): { param: AbiParameter; name: string; indexed: boolean }[] {
  const named = event.inputs.map((param, i) => ({
    param,
    name: eventParamName(param, i),
    indexed: param.indexed === true,
  }));
  return [...named.filter((p) => p.indexed), ...named.filter((p) => !p.indexed)];
}

/** Splits `T[k]` / `T[]` into the element type and the length (`undefined` for dynamic). */
export function splitArrayType(type: string): { inner: string; length: number | undefined } | undefined {
  const m = /^(.*)\[(\d*)\]$/.exec(type);
  if (!m) return undefined;
  return { inner: m[1] as string, length: m[2] === "" ? undefined : Number(m[2]) };
}

/** Whether an indexed parameter of this type is stored as its keccak256 topic, not its value. */
export function isHashedWhenIndexed(type: string): boolean {
  return type === "string" || type === "bytes" || type.endsWith("]") || type.startsWith("tuple");
}

/** Bit width of `uintN`/`intN` (`uint` = 256), or `undefined` for other types. */
export function integerBits(type: string): { signed: boolean; bits: number } | undefined {
  const m = /^(u?)int(\d*)$/.exec(type);
  if (!m) return undefined;
  return { signed: m[1] === "", bits: m[2] ? Number(m[2]) : 256 };
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

type Leaf = "blob" | "decimal" | "plain";

/** Kind of a leaf type: how it is carried in the staging JSON and converted in SQL. */
function leafKind(type: string): { leaf: Leaf; duck: string } {
  const int = integerBits(type);
  if (int) {
    const { signed, bits } = int;
    if (bits > 120) return { leaf: "plain", duck: "VARCHAR" };
    if (bits > 64) return { leaf: "decimal", duck: "DECIMAL(38, 0)" };
    const width = bits <= 8 ? "TINYINT" : bits <= 16 ? "SMALLINT" : bits <= 32 ? "INTEGER" : "BIGINT";
    return { leaf: "plain", duck: signed ? width : `U${width}` };
  }
  if (type === "bool") return { leaf: "plain", duck: "BOOLEAN" };
  if (type === "string") return { leaf: "plain", duck: "VARCHAR" };
  if (type === "address" || type === "bytes" || /^bytes\d+$/.test(type)) return { leaf: "blob", duck: "BLOB" };
  throw new TypeError(`Unsupported ABI type ${JSON.stringify(type)}`);
}

/** A parameter with its type possibly rewritten (array element, hashed topic). */
type Typed = { type: string; components?: readonly AbiParameter[] | undefined };

function elementOf(param: Typed, inner: string): Typed {
  return { type: inner, components: param.components };
}

/** DuckDB column type of an ABI parameter (`indexed` dynamic types are their 32-byte topic). */
export function duckDbTypeOfAbi(param: Typed, indexed = false): string {
  if (indexed && isHashedWhenIndexed(param.type)) return "BLOB";
  const array = splitArrayType(param.type);
  if (array) return `${duckDbTypeOfAbi(elementOf(param, array.inner))}[]`;
  if (param.type === "tuple") {
    const fields = (param.components ?? []).map((c, i) => `${quote(componentName(c, i))} ${duckDbTypeOfAbi(c)}`);
    return `STRUCT(${fields.join(", ")})`;
  }
  return leafKind(param.type).duck;
}

/** Type of the parameter as read from the staging JSON (BLOBs as hex text, DECIMALs as text). */
export function jsonTypeOfAbi(param: Typed, indexed = false): string {
  if (indexed && isHashedWhenIndexed(param.type)) return "VARCHAR";
  const array = splitArrayType(param.type);
  if (array) return `${jsonTypeOfAbi(elementOf(param, array.inner))}[]`;
  if (param.type === "tuple") {
    const fields = (param.components ?? []).map((c, i) => `${quote(componentName(c, i))} ${jsonTypeOfAbi(c)}`);
    return `STRUCT(${fields.join(", ")})`;
  }
  const { leaf, duck } = leafKind(param.type);
  return leaf === "plain" ? duck : "VARCHAR";
}

/**
 * SQL expression converting `expr` (of `jsonTypeOfAbi`) into `duckDbTypeOfAbi`: `from_hex` for
 * binary leaves, a cast for decimals, `list_transform`/`struct_pack` around nested ones.
 */
export function convertSqlOfAbi(param: Typed, expr: string, indexed = false, depth = 0): string {
  if (indexed && isHashedWhenIndexed(param.type)) return `from_hex(${expr})`;
  const array = splitArrayType(param.type);
  if (array) {
    const v = `e${depth}`;
    const inner = convertSqlOfAbi(elementOf(param, array.inner), v, false, depth + 1);
    return inner === v ? expr : `list_transform(${expr}, lambda ${v}: ${inner})`;
  }
  if (param.type === "tuple") {
    const comps = param.components ?? [];
    const parts = comps.map((c, i) => {
      const name = quote(componentName(c, i));
      const field = `${expr}.${name}`;
      const converted = convertSqlOfAbi(c, field, false, depth + 1);
      return { name, converted, same: converted === field };
    });
    if (parts.every((p) => p.same)) return expr;
    return `struct_pack(${parts.map((p) => `${p.name} := ${p.converted}`).join(", ")})`;
  }
  const { leaf, duck } = leafKind(param.type);
  if (leaf === "blob") return `from_hex(${expr})`;
  if (leaf === "decimal") return `CAST(${expr} AS ${duck})`;
  return expr;
}

/** The `event` struct column of a decoded event: DuckDB type, JSON read type, and conversion SQL. */
export function eventColumn(event: AbiEvent): {
  duckType: string;
  jsonType: string;
  convert: (expr: string) => string;
} {
  const params = orderedEventParams(event);
  const duckType = `STRUCT(${params.map((p) => `${quote(p.name)} ${duckDbTypeOfAbi(p.param, p.indexed)}`).join(", ")})`;
  const jsonType = `STRUCT(${params.map((p) => `${quote(p.name)} ${jsonTypeOfAbi(p.param, p.indexed)}`).join(", ")})`;
  const convert = (expr: string) => {
    const parts = params.map((p) => {
      const field = `${expr}.${quote(p.name)}`;
      return `${quote(p.name)} := ${convertSqlOfAbi(p.param, field, p.indexed, 1)}`;
    });
    return `struct_pack(${parts.join(", ")})`;
  };
  return { duckType, jsonType, convert };
}

/** One field of a flat `event` (see `flatEventFields`): its staging text column and conversion. */
export type FlatEventField = {
  /** Name in the `event` struct. */
  name: string;
  /** DuckDB type the tab-separated text is read as. */
  csvType: string;
  /** SQL converting the read column `expr` into the field's `duckDbTypeOfAbi` type. */
  convert: (expr: string) => string;
};

/**
 * The fields of an event whose parameters are all fixed-form leaves (integers, bool, address,
 * bytesN, bytes, and hashed indexed topics): their values are plain hex or decimal text that can
 * travel as tab-separated columns instead of one JSON object per log, which DuckDB loads several
 * times faster. `undefined` when any parameter is a string, an array or a tuple (staged as JSON).
 * The staged values are the same either way.
 */
export function flatEventFields(event: AbiEvent): FlatEventField[] | undefined {
  const fields: FlatEventField[] = [];
  for (const p of orderedEventParams(event)) {
    if (p.indexed && isHashedWhenIndexed(p.param.type)) {
      fields.push({ name: p.name, csvType: "VARCHAR", convert: (e) => `from_hex(${e})` });
      continue;
    }
    if (p.param.type === "string" || p.param.type === "tuple" || splitArrayType(p.param.type)) return undefined;
    const { leaf, duck } = leafKind(p.param.type);
    if (leaf === "blob") {
      // An empty `bytes` is an empty field, which the CSV reader reads as NULL.
      fields.push({ name: p.name, csvType: "VARCHAR", convert: (e) => `coalesce(from_hex(${e}), ''::BLOB)` });
    } else if (leaf === "decimal") {
      fields.push({ name: p.name, csvType: "VARCHAR", convert: (e) => `CAST(${e} AS ${duck})` });
    } else {
      fields.push({ name: p.name, csvType: duck, convert: (e) => e });
    }
  }
  return fields.length > 0 ? fields : undefined;
}
