import type { DuckDBConnection } from "@duckdb/node-api";
import type { IngestColumn } from "./mergeInput";
import { quoteIdent, quoteLiteral } from "./sqlText";

/**
 * SQL for the dataset's existing records as merge strategies need them: `offset, op, event_time`
 * and the new records' data columns, cast to the new types (a column the old slices lack reads
 * as NULL). With no slices it is an empty relation of the same shape.
 */
export async function previousRecordsSql(
  connection: DuckDBConnection,
  slicePaths: readonly string[],
  columns: readonly IngestColumn[],
): Promise<string> {
  const data = (present: Set<string>) =>
    columns
      .map(
        (c) =>
          `${present.has(c.name) ? `CAST(${quoteIdent(c.name)} AS ${c.type})` : `NULL::${c.type}`} AS ${quoteIdent(c.name)}`,
      )
      .join(", ");
  const sep = columns.length > 0 ? ", " : "";
  if (slicePaths.length === 0) {
    return `SELECT NULL::BIGINT AS "offset", NULL::INTEGER AS op, NULL::TIMESTAMPTZ AS event_time${sep}${data(new Set())} WHERE false`;
  }
  const source = `read_parquet([${slicePaths.map(quoteLiteral).join(", ")}], union_by_name = true)`;
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const present = new Set(described.getRows().map((r) => String(r[0])));
  return `SELECT "offset"::BIGINT AS "offset", op::INTEGER AS op, CAST(event_time AS TIMESTAMPTZ) AS event_time${sep}${data(present)} FROM ${source}`;
}
