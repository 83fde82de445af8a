/**
 * Declarative description of the ODF v0.38 metadata schema (`opendatafabric.fbs` + the JSON schemas),
 * as far as metadata blocks and dataset snapshots need it. One generic FlatBuffers encoder/decoder
 * (`blockCodec.ts`) and the YAML validator (`validate.ts`) are driven by these definitions.
 *
 * Fields are listed in schema order; a union field takes two vtable slots (`<name>_type`, then `<name>`).
 * `required` follows the JSON schemas (FlatBuffers itself treats every field as optional).
 */

/** Integer and boolean scalar types of the schema. */
export type ScalarType = "bool" | "int16" | "uint16" | "int32" | "uint32" | "int64" | "uint64";

/** Text form of a `[ubyte]` field in the JS/YAML form. */
export type BytesForm =
  /** Multihash, printed as multibase base16 (`f1620...`). */
  | "multihash"
  /** Dataset id in its 34-byte binary form, printed as `did:odf:f...`. */
  | "datasetId"
  /** Opaque bytes, printed as standard base64 with padding. */
  | "base64";

export type EnumDef = { readonly name: string; readonly base: "int16" | "int32"; readonly values: readonly string[] };

/** Type of one field. Tables and unions are referenced by name and linked once at module load. */
export type FieldType =
  | { readonly type: "string" }
  | { readonly type: "bytes"; readonly form: BytesForm }
  /** `default: null` marks an optional scalar (`= null` in the schema): written whenever present. */
  | { readonly type: "scalar"; readonly scalar: ScalarType; readonly default: number | boolean | null }
  | { readonly type: "enum"; readonly enum: EnumDef; readonly default: string | null }
  /** `struct Timestamp`, stored inline; an RFC 3339 string in the JS form. */
  | { readonly type: "timestamp" }
  /** `table ExtraAttributes { attributes: string }` holding JSON; a parsed object in the JS form. */
  | { readonly type: "extra" }
  | { readonly type: "table"; readonly table: TableDef }
  | { readonly type: "union"; readonly union: UnionDef }
  | { readonly type: "stringVector" }
  | { readonly type: "tableVector"; readonly table: TableDef }
  /** A vector of wrapper tables `{ value: Union }` (e.g. `[PrepStepWrapper]`); a plain array of unions in JS. */
  | { readonly type: "unionVector"; readonly union: UnionDef };

export type FieldDef = {
  /** camelCase name of the JS/YAML form. */
  readonly name: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** Vtable slot index (a union field's type slot; its value is at `slot + 1`). */
  readonly slot: number;
};

export type TableDef = { readonly name: string; fields: FieldDef[]; slotCount: number };

export type UnionMember = { readonly kind: string; readonly tag: number; readonly table: TableDef };

export type UnionDef = {
  readonly name: string;
  members: UnionMember[];
  readonly byKind: Map<string, UnionMember>;
  /** Unions whose YAML form may be just the member name (`format: union-or-string`). */
  readonly stringForm: boolean;
};

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

export const TimeUnitEnum: EnumDef = {
  name: "TimeUnit",
  base: "int16",
  values: ["Second", "Millisecond", "Microsecond", "Nanosecond"],
};
export const CompressionFormatEnum: EnumDef = { name: "CompressionFormat", base: "int32", values: ["Gzip", "Zip"] };
export const DatasetKindEnum: EnumDef = { name: "DatasetKind", base: "int32", values: ["Root", "Derivative"] };
export const SourceOrderingEnum: EnumDef = { name: "SourceOrdering", base: "int32", values: ["ByEventTime", "ByName"] };
export const MqttQosEnum: EnumDef = {
  name: "MqttQos",
  base: "int32",
  values: ["AtMostOnce", "AtLeastOnce", "ExactlyOnce"],
};

// ---------------------------------------------------------------------------------------------
// Field type shorthands (raw, before linking)
// ---------------------------------------------------------------------------------------------

type RawType =
  | Exclude<FieldType, { type: "table" | "union" | "tableVector" | "unionVector" }>
  | { type: "table"; ref: string }
  | { type: "union"; ref: string }
  | { type: "tableVector"; ref: string }
  | { type: "unionVector"; ref: string };
type RawField = { name: string; type: RawType; required: boolean };

const str: RawType = { type: "string" };
const strs: RawType = { type: "stringVector" };
const multihash: RawType = { type: "bytes", form: "multihash" };
const datasetId: RawType = { type: "bytes", form: "datasetId" };
const base64: RawType = { type: "bytes", form: "base64" };
const timestamp: RawType = { type: "timestamp" };
const extra: RawType = { type: "extra" };
const u64: RawType = { type: "scalar", scalar: "uint64", default: 0 };
const u64opt: RawType = { type: "scalar", scalar: "uint64", default: null };
const u32: RawType = { type: "scalar", scalar: "uint32", default: 0 };
const i32: RawType = { type: "scalar", scalar: "int32", default: 0 };
const boolOpt: RawType = { type: "scalar", scalar: "bool", default: null };
const enumOf = (def: EnumDef, dflt: string | null): RawType => ({ type: "enum", enum: def, default: dflt });
const table = (ref: string): RawType => ({ type: "table", ref });
const union = (ref: string): RawType => ({ type: "union", ref });
const tables = (ref: string): RawType => ({ type: "tableVector", ref });
const unions = (ref: string): RawType => ({ type: "unionVector", ref });

/** A required field. */
const R = (name: string, type: RawType): RawField => ({ name, type, required: true });
/** An optional field. */
const O = (name: string, type: RawType): RawField => ({ name, type, required: false });

// ---------------------------------------------------------------------------------------------
// Tables, in the order of opendatafabric.fbs
// ---------------------------------------------------------------------------------------------

const RAW_TABLES: Record<string, RawField[]> = {
  OffsetInterval: [R("start", u64), R("end", u64)],
  DataSlice: [
    R("logicalHash", multihash),
    R("physicalHash", multihash),
    R("offsetInterval", table("OffsetInterval")),
    R("size", u64),
  ],
  Checkpoint: [R("physicalHash", multihash), R("size", u64)],
  SourceState: [R("sourceName", str), R("kind", str), R("value", str)],
  AddData: [
    O("prevCheckpoint", multihash),
    O("prevOffset", u64opt),
    O("newData", table("DataSlice")),
    O("newCheckpoint", table("Checkpoint")),
    O("newWatermark", timestamp),
    O("newSourceState", table("SourceState")),
    O("extra", extra),
  ],
  DataTypeBinary: [O("fixedLength", u64opt)],
  DataTypeBool: [],
  DataTypeDate: [],
  DataTypeDecimal: [R("precision", u32), R("scale", i32)],
  DataTypeDuration: [O("unit", enumOf(TimeUnitEnum, null))],
  DataTypeFloat16: [],
  DataTypeFloat32: [],
  DataTypeFloat64: [],
  DataTypeInt8: [],
  DataTypeInt16: [],
  DataTypeInt32: [],
  DataTypeInt64: [],
  DataTypeUInt8: [],
  DataTypeUInt16: [],
  DataTypeUInt32: [],
  DataTypeUInt64: [],
  DataTypeList: [R("itemType", union("DataType")), O("fixedLength", u64opt)],
  DataTypeMap: [R("keyType", union("DataType")), R("valueType", union("DataType")), O("keysSorted", boolOpt)],
  DataTypeNull: [],
  DataTypeOption: [R("inner", union("DataType"))],
  DataTypeStruct: [R("fields", tables("DataField"))],
  DataTypeTime: [O("unit", enumOf(TimeUnitEnum, null))],
  DataTypeTimestamp: [O("unit", enumOf(TimeUnitEnum, null)), O("timezone", str)],
  DataTypeString: [],
  DataField: [R("name", str), R("type", union("DataType")), O("extra", extra)],
  DataSchema: [R("fields", tables("DataField")), O("extra", extra)],
  ReadStepCsv: [
    O("ddlSchema", strs),
    O("separator", str),
    O("encoding", str),
    O("quote", str),
    O("escape", str),
    O("header", boolOpt),
    O("inferSchema", boolOpt),
    O("nullValue", str),
    O("dateFormat", str),
    O("timestampFormat", str),
    O("schema", table("DataSchema")),
  ],
  ReadStepGeoJson: [O("ddlSchema", strs), O("schema", table("DataSchema"))],
  ReadStepEsriShapefile: [O("ddlSchema", strs), O("subPath", str), O("schema", table("DataSchema"))],
  ReadStepParquet: [O("ddlSchema", strs), O("schema", table("DataSchema"))],
  ReadStepJson: [
    O("subPath", str),
    O("ddlSchema", strs),
    O("dateFormat", str),
    O("encoding", str),
    O("timestampFormat", str),
    O("schema", table("DataSchema")),
  ],
  ReadStepNdJson: [
    O("ddlSchema", strs),
    O("dateFormat", str),
    O("encoding", str),
    O("timestampFormat", str),
    O("schema", table("DataSchema")),
  ],
  ReadStepNdGeoJson: [O("ddlSchema", strs), O("schema", table("DataSchema"))],
  SqlQueryStep: [O("alias", str), R("query", str)],
  TemporalTable: [R("name", str), R("primaryKey", strs)],
  TransformSql: [
    R("engine", str),
    O("version", str),
    O("query", str),
    O("queries", tables("SqlQueryStep")),
    O("temporalTables", tables("TemporalTable")),
  ],
  MergeStrategyAppend: [],
  MergeStrategyLedger: [R("primaryKey", strs)],
  MergeStrategySnapshot: [R("primaryKey", strs), O("compareColumns", strs)],
  MergeStrategyChangelogStream: [R("primaryKey", strs)],
  MergeStrategyUpsertStream: [R("primaryKey", strs)],
  AddPushSource: [
    R("sourceName", str),
    R("read", union("ReadStep")),
    O("preprocess", union("Transform")),
    R("merge", union("MergeStrategy")),
  ],
  AttachmentEmbedded: [R("path", str), R("content", str)],
  AttachmentsEmbedded: [R("items", tables("AttachmentEmbedded"))],
  ExecuteTransformInput: [
    R("datasetId", datasetId),
    O("prevBlockHash", multihash),
    O("newBlockHash", multihash),
    O("prevOffset", u64opt),
    O("newOffset", u64opt),
  ],
  ExecuteTransform: [
    R("queryInputs", tables("ExecuteTransformInput")),
    O("prevCheckpoint", multihash),
    O("prevOffset", u64opt),
    O("newData", table("DataSlice")),
    O("newCheckpoint", table("Checkpoint")),
    O("newWatermark", timestamp),
  ],
  Seed: [R("datasetId", datasetId), R("datasetKind", enumOf(DatasetKindEnum, "Root"))],
  EventTimeSourceFromMetadata: [],
  EventTimeSourceFromPath: [R("pattern", str), O("timestampFormat", str)],
  EventTimeSourceFromSystemTime: [],
  SourceCachingForever: [],
  RequestHeader: [R("name", str), R("value", str)],
  FetchStepUrl: [
    R("url", str),
    O("eventTime", union("EventTimeSource")),
    O("cache", union("SourceCaching")),
    O("headers", tables("RequestHeader")),
  ],
  FetchStepFilesGlob: [
    R("path", str),
    O("eventTime", union("EventTimeSource")),
    O("cache", union("SourceCaching")),
    O("order", enumOf(SourceOrderingEnum, null)),
  ],
  EnvVar: [R("name", str), O("value", str)],
  FetchStepContainer: [R("image", str), O("command", strs), O("args", strs), O("env", tables("EnvVar"))],
  MqttTopicSubscription: [R("path", str), O("qos", enumOf(MqttQosEnum, null))],
  FetchStepMqtt: [
    R("host", str),
    R("port", i32),
    O("username", str),
    O("password", str),
    R("topics", tables("MqttTopicSubscription")),
  ],
  FetchStepEthereumLogs: [O("chainId", u64opt), O("nodeUrl", str), O("filter", str), O("signature", str)],
  PrepStepDecompress: [R("format", enumOf(CompressionFormatEnum, "Gzip")), O("subPath", str)],
  PrepStepPipe: [R("command", strs)],
  SetPollingSource: [
    R("fetch", union("FetchStep")),
    O("prepare", unions("PrepStep")),
    R("read", union("ReadStep")),
    O("preprocess", union("Transform")),
    R("merge", union("MergeStrategy")),
  ],
  TransformInput: [R("datasetRef", str), O("alias", str)],
  SetTransform: [R("inputs", tables("TransformInput")), R("transform", union("Transform"))],
  SetVocab: [
    O("offsetColumn", str),
    O("operationTypeColumn", str),
    O("systemTimeColumn", str),
    O("eventTimeColumn", str),
  ],
  SetAttachments: [R("attachments", union("Attachments"))],
  SetInfo: [O("description", str), O("keywords", strs)],
  SetLicense: [R("shortName", str), R("name", str), O("spdxId", str), R("websiteUrl", str)],
  // `raw_arrow_schema (id: 0)` and `schema (id: 1)`: explicit ids equal to the declaration order.
  SetDataSchema: [O("rawArrowSchema", base64), O("schema", table("DataSchema"))],
  DisablePushSource: [R("sourceName", str)],
  DisablePollingSource: [],
  MetadataBlock: [
    R("systemTime", timestamp),
    O("prevBlockHash", multihash),
    R("sequenceNumber", u64),
    R("event", union("MetadataEvent")),
  ],
};

/** Unions: member tables in schema order (tag = index + 1) and the prefix stripped to form `kind`. */
const RAW_UNIONS: Record<string, { prefix: string; members: string[]; stringForm?: boolean }> = {
  ReadStep: {
    prefix: "ReadStep",
    members: [
      "ReadStepCsv",
      "ReadStepGeoJson",
      "ReadStepEsriShapefile",
      "ReadStepParquet",
      "ReadStepJson",
      "ReadStepNdJson",
      "ReadStepNdGeoJson",
    ],
  },
  DataType: {
    prefix: "DataType",
    stringForm: true,
    members: [
      "Binary",
      "Bool",
      "Date",
      "Decimal",
      "Duration",
      "Float16",
      "Float32",
      "Float64",
      "Int8",
      "Int16",
      "Int32",
      "Int64",
      "UInt8",
      "UInt16",
      "UInt32",
      "UInt64",
      "List",
      "Map",
      "Null",
      "Option",
      "Struct",
      "Time",
      "Timestamp",
      "String",
    ].map((m) => `DataType${m}`),
  },
  Transform: { prefix: "Transform", members: ["TransformSql"] },
  MergeStrategy: {
    prefix: "MergeStrategy",
    members: ["Append", "Ledger", "Snapshot", "ChangelogStream", "UpsertStream"].map((m) => `MergeStrategy${m}`),
  },
  Attachments: { prefix: "Attachments", members: ["AttachmentsEmbedded"] },
  MetadataEvent: {
    prefix: "",
    members: [
      "AddData",
      "ExecuteTransform",
      "Seed",
      "SetPollingSource",
      "SetTransform",
      "SetVocab",
      "SetAttachments",
      "SetInfo",
      "SetLicense",
      "SetDataSchema",
      "AddPushSource",
      "DisablePushSource",
      "DisablePollingSource",
    ],
  },
  FetchStep: {
    prefix: "FetchStep",
    members: ["Url", "FilesGlob", "Container", "Mqtt", "EthereumLogs"].map((m) => `FetchStep${m}`),
  },
  EventTimeSource: {
    prefix: "EventTimeSource",
    stringForm: true,
    members: ["FromMetadata", "FromPath", "FromSystemTime"].map((m) => `EventTimeSource${m}`),
  },
  SourceCaching: { prefix: "SourceCaching", stringForm: true, members: ["SourceCachingForever"] },
  PrepStep: { prefix: "PrepStep", members: ["PrepStepDecompress", "PrepStepPipe"] },
};

// ---------------------------------------------------------------------------------------------
// Linking
// ---------------------------------------------------------------------------------------------

/** Every table of the schema by its FlatBuffers name. */
export const TABLES: ReadonlyMap<string, TableDef> = new Map(
  Object.keys(RAW_TABLES).map((name) => [name, { name, fields: [], slotCount: 0 }]),
);
/** Every union of the schema by its FlatBuffers name. */
export const UNIONS: ReadonlyMap<string, UnionDef> = new Map(
  Object.entries(RAW_UNIONS).map(([name, raw]) => [
    name,
    { name, members: [], byKind: new Map(), stringForm: raw.stringForm ?? false },
  ]),
);

function lookupTable(name: string): TableDef {
  const def = TABLES.get(name);
  if (!def) throw new Error(`schema: unknown table ${name}`);
  return def;
}

function lookupUnion(name: string): UnionDef {
  const def = UNIONS.get(name);
  if (!def) throw new Error(`schema: unknown union ${name}`);
  return def;
}

function link(type: RawType): FieldType {
  switch (type.type) {
    case "table":
      return { type: "table", table: lookupTable(type.ref) };
    case "union":
      return { type: "union", union: lookupUnion(type.ref) };
    case "tableVector":
      return { type: "tableVector", table: lookupTable(type.ref) };
    case "unionVector":
      return { type: "unionVector", union: lookupUnion(type.ref) };
    default:
      return type;
  }
}

for (const [name, rawFields] of Object.entries(RAW_TABLES)) {
  const def = lookupTable(name);
  let slot = 0;
  for (const raw of rawFields) {
    const type = link(raw.type);
    def.fields.push({ name: raw.name, type, required: raw.required, slot });
    slot += type.type === "union" ? 2 : 1;
  }
  def.slotCount = slot;
}

for (const [name, raw] of Object.entries(RAW_UNIONS)) {
  const def = lookupUnion(name);
  raw.members.forEach((tableName, i) => {
    const member: UnionMember = { kind: tableName.slice(raw.prefix.length), tag: i + 1, table: lookupTable(tableName) };
    def.members.push(member);
    def.byKind.set(member.kind, member);
  });
}

/** `table MetadataBlock`. */
export const MetadataBlockTable: TableDef = lookupTable("MetadataBlock");
/** `union MetadataEvent` (AddData = 1 ... DisablePollingSource = 13). */
export const MetadataEventUnion: UnionDef = lookupUnion("MetadataEvent");
