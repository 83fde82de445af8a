import { IngestError } from "../../../ingest/errors";
import type { DataSchema, DataType } from "../../../odf/metadata/types";

/** A column of a declared schema, as DuckDB sees it. */
export type DeclaredColumn = { name: string; type: string };

/** The DuckDB type of an ODF logical data type (`Option` wrappers only mark nullability). */
export function duckDbType(type: DataType): string {
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
      return `${duckDbType(type.itemType)}[]`;
    case "Map":
      return `MAP(${duckDbType(type.keyType)}, ${duckDbType(type.valueType)})`;
    case "Null":
      return "VARCHAR";
    case "Option":
      return duckDbType(type.inner);
    case "Struct":
      return `STRUCT(${type.fields.map((f) => `"${f.name.replaceAll('"', '""')}" ${duckDbType(f.type)}`).join(", ")})`;
    case "Time":
      return "TIME";
    case "Timestamp":
      return type.timezone ? "TIMESTAMPTZ" : "TIMESTAMP";
    case "String":
      return "VARCHAR";
  }
}

/** The columns of an ODF `DataSchema` as DuckDB names and types. */
export function schemaColumns(schema: DataSchema): DeclaredColumn[] {
  return schema.fields.map((f) => ({ name: f.name, type: duckDbType(f.type) }));
}

// Spark/Hive DDL type names (what `ddlSchema` manifests use) to DuckDB's.
const DDL_TYPES: Record<string, string> = {
  STRING: "VARCHAR",
  VARCHAR: "VARCHAR",
  TEXT: "VARCHAR",
  INT: "INTEGER",
  INTEGER: "INTEGER",
  LONG: "BIGINT",
  BIGINT: "BIGINT",
  SMALLINT: "SMALLINT",
  SHORT: "SMALLINT",
  TINYINT: "TINYINT",
  BYTE: "TINYINT",
  DOUBLE: "DOUBLE",
  FLOAT: "FLOAT",
  REAL: "FLOAT",
  BOOLEAN: "BOOLEAN",
  BOOL: "BOOLEAN",
  DATE: "DATE",
  TIMESTAMP: "TIMESTAMPTZ",
  TIMESTAMPTZ: "TIMESTAMPTZ",
  BINARY: "BLOB",
  BLOB: "BLOB",
};

/**
 * Parses a deprecated `ddlSchema` (`["date TIMESTAMP", "city STRING", "population INT"]`) into
 * DuckDB columns. Names may be quoted with backticks or double quotes; `DECIMAL(p,s)` is kept.
 */
export function ddlColumns(ddl: readonly string[]): DeclaredColumn[] {
  return ddl.map((entry) => {
    const m = /^\s*(?:`([^`]+)`|"([^"]+)"|(\S+))\s+(.+?)\s*$/.exec(entry);
    if (!m) throw new IngestError(`ddlSchema entry ${JSON.stringify(entry)} is not "<name> <TYPE>"`);
    const name = (m[1] ?? m[2] ?? m[3]) as string;
    const raw = (m[4] as string).toUpperCase().replace(/\s+NOT\s+NULL$/, "");
    const decimal = /^(DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(raw);
    if (decimal) return { name, type: `DECIMAL(${decimal[2]}, ${decimal[3]})` };
    const type = DDL_TYPES[raw];
    if (!type) throw new IngestError(`ddlSchema column ${name}: unsupported type ${m[4]}`);
    return { name, type };
  });
}

/** The columns a read step declares (`schema` wins over the deprecated `ddlSchema`), if any. */
export function declaredColumns(read: { schema?: DataSchema; ddlSchema?: string[] }): DeclaredColumn[] | undefined {
  if (read.schema) return schemaColumns(read.schema);
  if (read.ddlSchema && read.ddlSchema.length > 0) return ddlColumns(read.ddlSchema);
  return undefined;
}
