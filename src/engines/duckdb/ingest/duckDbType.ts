import { IngestError } from "../../../ingest/errors";
import type { DataSchema } from "../../../odf/metadata/types";
import { type DuckDbColumn, duckDbColumnsOf } from "../../../odf/schema/duckDbTypes";

/** A column of a declared schema, as DuckDB sees it. */
export type DeclaredColumn = DuckDbColumn;

/** The columns of an ODF `DataSchema` as DuckDB names and types. */
export const schemaColumns: (schema: DataSchema) => DeclaredColumn[] = duckDbColumnsOf;

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
