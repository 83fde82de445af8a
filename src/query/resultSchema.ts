import { RecordBatchJSONWriter } from "apache-arrow";
import { toArrowTable } from "../engines/formats/toArrowTable";
import type { ResultColumn } from "../engines/types";
import { odfSchemaOfDuckDb } from "../odf/schema/duckDbTypes";
import { isJsonObject, type JsonValue } from "./jsonValue";
import { parseJson } from "./parseJson";
import type { SchemaFormat } from "./queryRequest";

/**
 * The schema of a query result in the requested format: `OdfJson` is the ODF `DataSchema`
 * (`{fields: [{name, type: {kind, ...}}]}`, as in `SetDataSchema`); `ArrowJson` is the Arrow JSON
 * schema (`{fields: [{name, nullable, type: {name, ...}, children}]}`, the Arrow JSON integration
 * format) of exactly the Arrow types the engine's Arrow IPC output uses.
 */
export function describeResultSchema(columns: readonly ResultColumn[], format: SchemaFormat): JsonValue {
  if (format === "OdfJson") {
    return odfSchemaOfDuckDb(columns.map((c) => ({ name: c.name, type: c.duckdbType }))) as unknown as JsonValue;
  }
  const table = toArrowTable({ columns, rows: [] });
  const document = parseJson(RecordBatchJSONWriter.writeAll(table).toString(true));
  return isJsonObject(document) ? (document.schema ?? null) : null;
}
