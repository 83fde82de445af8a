import type { ResultColumn } from "../engines/types";
import type { DataType } from "../odf/metadata/types";
import { odfSchemaOfDuckDb } from "../odf/schema/duckDbTypes";
import type { JsonValue } from "./jsonValue";
import type { SchemaFormat } from "./queryRequest";

/**
 * The schema of a query result in the requested format: `OdfJson` is the ODF `DataSchema`
 * (`{fields: [{name, type: {kind, ...}}]}`, as in `SetDataSchema`); `ArrowJson` is the Arrow
 * JSON schema form (`{fields: [{name, nullable, type: {name, ...}, children}]}`). Result columns
 * are all nullable.
 */
export function describeResultSchema(columns: readonly ResultColumn[], format: SchemaFormat): JsonValue {
  const odf = odfSchemaOfDuckDb(columns.map((c) => ({ name: c.name, type: c.duckdbType })));
  if (format === "OdfJson") return odf as unknown as JsonValue;
  return { fields: odf.fields.map((f) => arrowField(f.name, f.type)) };
}

function arrowField(name: string, type: DataType): JsonValue {
  const inner = type.kind === "Option" ? type.inner : type;
  return { name, nullable: true, type: arrowType(inner), children: arrowChildren(inner) };
}

function arrowChildren(type: DataType): JsonValue[] {
  switch (type.kind) {
    case "List":
      return [arrowField("item", type.itemType)];
    case "Struct":
      return type.fields.map((f) => arrowField(f.name, f.type));
    case "Map":
      return [
        {
          name: "entries",
          nullable: false,
          type: { name: "struct" },
          children: [arrowField("key", type.keyType), arrowField("value", type.valueType)],
        },
      ];
    default:
      return [];
  }
}

function arrowType(type: DataType): JsonValue {
  switch (type.kind) {
    case "Binary":
      return type.fixedLength !== undefined
        ? { name: "fixedsizebinary", byteWidth: type.fixedLength }
        : { name: "binary" };
    case "Bool":
      return { name: "bool" };
    case "Date":
      return { name: "date", unit: "DAY" };
    case "Decimal":
      return { name: "decimal", precision: type.precision, scale: type.scale, bitWidth: 128 };
    case "Duration":
      return { name: "interval", unit: "MONTH_DAY_NANO" };
    case "Float16":
      return { name: "floatingpoint", precision: "HALF" };
    case "Float32":
      return { name: "floatingpoint", precision: "SINGLE" };
    case "Float64":
      return { name: "floatingpoint", precision: "DOUBLE" };
    case "Int8":
    case "Int16":
    case "Int32":
    case "Int64":
      return { name: "int", bitWidth: Number(type.kind.slice(3)), isSigned: true };
    case "UInt8":
    case "UInt16":
    case "UInt32":
    case "UInt64":
      return { name: "int", bitWidth: Number(type.kind.slice(4)), isSigned: false };
    case "List":
      return type.fixedLength !== undefined ? { name: "fixedsizelist", listSize: type.fixedLength } : { name: "list" };
    case "Map":
      return { name: "map", keysSorted: type.keysSorted ?? false };
    case "Null":
      return { name: "null" };
    case "Option":
      return arrowType(type.inner);
    case "Struct":
      return { name: "struct" };
    case "Time":
      return { name: "time", unit: type.unit ?? "MICROSECOND", bitWidth: 64 };
    case "Timestamp":
      return {
        name: "timestamp",
        unit: type.unit ?? "MICROSECOND",
        ...(type.timezone ? { timezone: type.timezone } : {}),
      };
    case "String":
      return { name: "utf8" };
  }
}
