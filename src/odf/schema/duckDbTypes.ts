import type { DataField, DataSchema, DataType } from "../metadata/types";

/** A column as DuckDB describes it (`DESCRIBE` / result column types). */
export type DuckDbColumn = { name: string; type: string };

/** DuckDB column type of an ODF logical data type (`Option` only marks nullability). */
export function duckDbTypeOf(type: DataType): string {
  switch (type.kind) {
    case "Binary":
      return "BLOB";
    case "Bool":
      return "BOOLEAN";
    case "Date":
      return "DATE";
    case "Decimal":
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case "Duration":
      return "INTERVAL";
    case "Float16":
    case "Float32":
      return "FLOAT";
    case "Float64":
      return "DOUBLE";
    case "Int8":
      return "TINYINT";
    case "Int16":
      return "SMALLINT";
    case "Int32":
      return "INTEGER";
    case "Int64":
      return "BIGINT";
    case "UInt8":
      return "UTINYINT";
    case "UInt16":
      return "USMALLINT";
    case "UInt32":
      return "UINTEGER";
    case "UInt64":
      return "UBIGINT";
    case "List":
      return `${duckDbTypeOf(type.itemType)}[]`;
    case "Map":
      return `MAP(${duckDbTypeOf(type.keyType)}, ${duckDbTypeOf(type.valueType)})`;
    case "Null":
      return "VARCHAR";
    case "Option":
      return duckDbTypeOf(type.inner);
    case "Struct":
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckDbTypeOf(f.type)}`).join(", ")})`;
    case "Time":
      return "TIME";
    case "Timestamp":
      return type.timezone ? "TIMESTAMPTZ" : "TIMESTAMP";
    case "String":
      return "VARCHAR";
  }
}

/** The DuckDB columns of an ODF schema. */
export function duckDbColumnsOf(schema: DataSchema): DuckDbColumn[] {
  return schema.fields.map((f) => ({ name: f.name, type: duckDbTypeOf(f.type) }));
}

/** Quotes an SQL identifier for DuckDB. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Splits `a, b(c, d), "e,f" g` at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) parts.push(last);
  return parts;
}

/** Splits a struct member `"name" TYPE` or `name TYPE`. */
function splitMember(member: string): { name: string; type: string } {
  if (member.startsWith('"')) {
    let i = 1;
    let name = "";
    while (i < member.length) {
      if (member[i] === '"' && member[i + 1] === '"') {
        name += '"';
        i += 2;
      } else if (member[i] === '"') break;
      else name += member[i++];
    }
    return { name, type: member.slice(i + 1).trim() };
  }
  const space = member.indexOf(" ");
  return { name: member.slice(0, space), type: member.slice(space + 1).trim() };
}

/** ODF logical type of a DuckDB type text (as DESCRIBE prints it). Unknown types map to String. */
export function odfTypeOfDuckDb(typeText: string): DataType {
  const t = typeText.trim();
  const upper = t.toUpperCase();
  if (upper.endsWith("]")) {
    const open = t.lastIndexOf("[");
    const size = t.slice(open + 1, -1);
    const item = odfTypeOfDuckDb(t.slice(0, open));
    return size ? { kind: "List", itemType: item, fixedLength: Number(size) } : { kind: "List", itemType: item };
  }
  if (upper.startsWith("STRUCT(")) {
    const fields: DataField[] = splitTopLevel(t.slice(7, -1)).map((m) => {
      const { name, type } = splitMember(m);
      return { name, type: odfTypeOfDuckDb(type) };
    });
    return { kind: "Struct", fields };
  }
  if (upper.startsWith("MAP(")) {
    const [k, v] = splitTopLevel(t.slice(4, -1));
    return { kind: "Map", keyType: odfTypeOfDuckDb(k ?? "VARCHAR"), valueType: odfTypeOfDuckDb(v ?? "VARCHAR") };
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (decimal) return { kind: "Decimal", precision: Number(decimal[1]), scale: Number(decimal[2]) };
  switch (upper) {
    case "BOOLEAN":
      return { kind: "Bool" };
    case "TINYINT":
      return { kind: "Int8" };
    case "SMALLINT":
      return { kind: "Int16" };
    case "INTEGER":
      return { kind: "Int32" };
    case "BIGINT":
      return { kind: "Int64" };
    case "HUGEINT":
      return { kind: "Decimal", precision: 38, scale: 0 };
    case "UTINYINT":
      return { kind: "UInt8" };
    case "USMALLINT":
      return { kind: "UInt16" };
    case "UINTEGER":
      return { kind: "UInt32" };
    case "UBIGINT":
      return { kind: "UInt64" };
    case "UHUGEINT":
      return { kind: "Decimal", precision: 38, scale: 0 };
    case "FLOAT":
      return { kind: "Float32" };
    case "DOUBLE":
      return { kind: "Float64" };
    case "DATE":
      return { kind: "Date" };
    case "TIME":
      return { kind: "Time", unit: "Microsecond" };
    case "INTERVAL":
      return { kind: "Duration", unit: "Microsecond" };
    case "BLOB":
      return { kind: "Binary" };
    case "TIMESTAMP WITH TIME ZONE":
    case "TIMESTAMPTZ":
      return { kind: "Timestamp", unit: "Millisecond", timezone: "UTC" };
    case "TIMESTAMP":
      return { kind: "Timestamp", unit: "Microsecond" };
    case "TIMESTAMP_MS":
      return { kind: "Timestamp", unit: "Millisecond" };
    case "TIMESTAMP_S":
      return { kind: "Timestamp", unit: "Second" };
    case "TIMESTAMP_NS":
      return { kind: "Timestamp", unit: "Nanosecond" };
    default:
      return { kind: "String" };
  }
}

/** The ODF schema of DuckDB columns (all fields nullable, as Parquet columns DuckDB writes are). */
export function odfSchemaOfDuckDb(columns: readonly DuckDbColumn[]): DataSchema {
  return { fields: columns.map((c) => ({ name: c.name, type: odfTypeOfDuckDb(c.type) })) };
}
