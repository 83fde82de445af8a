/**
 * The ODF v0.38 metadata model as plain objects, in the YAML/JSON form of the ODF JSON schemas
 * (`odf-spec/schemas/**`): camelCase fields, unions as `{ kind: "<Member>", ...fields }`.
 *
 * Conventions shared across the codebase:
 * - multihashes are multibase base16 strings (`"f1620..."`);
 * - dataset ids are `"did:odf:f..."` strings;
 * - timestamps are RFC 3339 UTC strings ending in `Z` (fractional seconds only when non-zero);
 * - uint64/int64 fields are JS `number` (safe integers only);
 * - `ExtraAttributes` is the parsed JSON object (keys like `"opendatafabric.org/foo"`).
 */

/** Multihash in multibase base16, e.g. `"f1620" + 64 hex digits` for SHA3-256. */
export type MultihashString = string;
/** Dataset id, `"did:odf:f" + hex(ed01 || publicKey)`. */
export type DatasetIdString = string;
/** RFC 3339 UTC timestamp ending in `Z`, e.g. `"2020-01-01T12:00:00Z"`. */
export type TimestampString = string;

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

export type DatasetKind = "Root" | "Derivative";
export type TimeUnit = "Second" | "Millisecond" | "Microsecond" | "Nanosecond";
export type CompressionFormat = "Gzip" | "Zip";
export type SourceOrdering = "ByEventTime" | "ByName";
export type MqttQos = "AtMostOnce" | "AtLeastOnce" | "ExactlyOnce";

// ---------------------------------------------------------------------------------------------
// Fragments
// ---------------------------------------------------------------------------------------------

/** ODF extensions: a JSON object whose keys look like `"domain.tld/name"`. Stored as a JSON string. */
export type ExtraAttributes = { [key: string]: unknown };

/** Closed interval of offsets `[start, end]`. */
export type OffsetInterval = { start: number; end: number };

export type DataSlice = {
  logicalHash: MultihashString;
  physicalHash: MultihashString;
  offsetInterval: OffsetInterval;
  size: number;
};

export type Checkpoint = { physicalHash: MultihashString; size: number };

export type SourceState = { sourceName: string; kind: string; value: string };

export type RequestHeader = { name: string; value: string };

export type EnvVar = { name: string; value?: string };

export type MqttTopicSubscription = { path: string; qos?: MqttQos };

export type SqlQueryStep = { alias?: string; query: string };

export type TemporalTable = { name: string; primaryKey: string[] };

export type TransformInput = { datasetRef: string; alias?: string };

export type ExecuteTransformInput = {
  datasetId: DatasetIdString;
  prevBlockHash?: MultihashString;
  newBlockHash?: MultihashString;
  prevOffset?: number;
  newOffset?: number;
};

export type AttachmentEmbedded = { path: string; content: string };

export type DatasetVocabulary = {
  offsetColumn: string;
  operationTypeColumn: string;
  systemTimeColumn: string;
  eventTimeColumn: string;
};

// ---------------------------------------------------------------------------------------------
// Schema: DataField, DataSchema, DataType
// ---------------------------------------------------------------------------------------------

export type DataField = { name: string; type: DataType; extra?: ExtraAttributes };

export type DataSchema = { fields: DataField[]; extra?: ExtraAttributes };

export type DataTypeBinary = { kind: "Binary"; fixedLength?: number };
export type DataTypeBool = { kind: "Bool" };
export type DataTypeDate = { kind: "Date" };
export type DataTypeDecimal = { kind: "Decimal"; precision: number; scale: number };
export type DataTypeDuration = { kind: "Duration"; unit?: TimeUnit };
export type DataTypeFloat16 = { kind: "Float16" };
export type DataTypeFloat32 = { kind: "Float32" };
export type DataTypeFloat64 = { kind: "Float64" };
export type DataTypeInt8 = { kind: "Int8" };
export type DataTypeInt16 = { kind: "Int16" };
export type DataTypeInt32 = { kind: "Int32" };
export type DataTypeInt64 = { kind: "Int64" };
export type DataTypeUInt8 = { kind: "UInt8" };
export type DataTypeUInt16 = { kind: "UInt16" };
export type DataTypeUInt32 = { kind: "UInt32" };
export type DataTypeUInt64 = { kind: "UInt64" };
export type DataTypeList = { kind: "List"; itemType: DataType; fixedLength?: number };
export type DataTypeMap = { kind: "Map"; keyType: DataType; valueType: DataType; keysSorted?: boolean };
export type DataTypeNull = { kind: "Null" };
export type DataTypeOption = { kind: "Option"; inner: DataType };
export type DataTypeStruct = { kind: "Struct"; fields: DataField[] };
export type DataTypeTime = { kind: "Time"; unit?: TimeUnit };
export type DataTypeTimestamp = { kind: "Timestamp"; unit?: TimeUnit; timezone?: string };
export type DataTypeString = { kind: "String" };

/** Logical data type (union `DataType`, members in schema order). */
export type DataType =
  | DataTypeBinary
  | DataTypeBool
  | DataTypeDate
  | DataTypeDecimal
  | DataTypeDuration
  | DataTypeFloat16
  | DataTypeFloat32
  | DataTypeFloat64
  | DataTypeInt8
  | DataTypeInt16
  | DataTypeInt32
  | DataTypeInt64
  | DataTypeUInt8
  | DataTypeUInt16
  | DataTypeUInt32
  | DataTypeUInt64
  | DataTypeList
  | DataTypeMap
  | DataTypeNull
  | DataTypeOption
  | DataTypeStruct
  | DataTypeTime
  | DataTypeTimestamp
  | DataTypeString;

// ---------------------------------------------------------------------------------------------
// Sources: FetchStep, EventTimeSource, SourceCaching, PrepStep, ReadStep, MergeStrategy, Transform
// ---------------------------------------------------------------------------------------------

export type EventTimeSourceFromMetadata = { kind: "FromMetadata" };
export type EventTimeSourceFromPath = { kind: "FromPath"; pattern: string; timestampFormat?: string };
export type EventTimeSourceFromSystemTime = { kind: "FromSystemTime" };
export type EventTimeSource = EventTimeSourceFromMetadata | EventTimeSourceFromPath | EventTimeSourceFromSystemTime;

export type SourceCachingForever = { kind: "Forever" };
export type SourceCaching = SourceCachingForever;

export type FetchStepUrl = {
  kind: "Url";
  url: string;
  eventTime?: EventTimeSource;
  cache?: SourceCaching;
  headers?: RequestHeader[];
};
export type FetchStepFilesGlob = {
  kind: "FilesGlob";
  path: string;
  eventTime?: EventTimeSource;
  cache?: SourceCaching;
  order?: SourceOrdering;
};
export type FetchStepContainer = {
  kind: "Container";
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
};
export type FetchStepMqtt = {
  kind: "Mqtt";
  host: string;
  port: number;
  username?: string;
  password?: string;
  topics: MqttTopicSubscription[];
};
/** EVM logs source (DESIGN 5.7): one of `chainId`/`nodeUrl` is required by the source itself. */
export type FetchStepEthereumLogs = {
  kind: "EthereumLogs";
  chainId?: number;
  nodeUrl?: string;
  filter?: string;
  signature?: string;
};
export type FetchStep = FetchStepUrl | FetchStepFilesGlob | FetchStepContainer | FetchStepMqtt | FetchStepEthereumLogs;

export type PrepStepDecompress = { kind: "Decompress"; format: CompressionFormat; subPath?: string };
export type PrepStepPipe = { kind: "Pipe"; command: string[] };
export type PrepStep = PrepStepDecompress | PrepStepPipe;

export type ReadStepCsv = {
  kind: "Csv";
  ddlSchema?: string[];
  separator?: string;
  encoding?: string;
  quote?: string;
  escape?: string;
  header?: boolean;
  inferSchema?: boolean;
  nullValue?: string;
  dateFormat?: string;
  timestampFormat?: string;
  schema?: DataSchema;
};
export type ReadStepGeoJson = { kind: "GeoJson"; ddlSchema?: string[]; schema?: DataSchema };
export type ReadStepEsriShapefile = {
  kind: "EsriShapefile";
  ddlSchema?: string[];
  subPath?: string;
  schema?: DataSchema;
};
export type ReadStepParquet = { kind: "Parquet"; ddlSchema?: string[]; schema?: DataSchema };
export type ReadStepJson = {
  kind: "Json";
  subPath?: string;
  ddlSchema?: string[];
  dateFormat?: string;
  encoding?: string;
  timestampFormat?: string;
  schema?: DataSchema;
};
export type ReadStepNdJson = {
  kind: "NdJson";
  ddlSchema?: string[];
  dateFormat?: string;
  encoding?: string;
  timestampFormat?: string;
  schema?: DataSchema;
};
export type ReadStepNdGeoJson = { kind: "NdGeoJson"; ddlSchema?: string[]; schema?: DataSchema };
export type ReadStep =
  | ReadStepCsv
  | ReadStepGeoJson
  | ReadStepEsriShapefile
  | ReadStepParquet
  | ReadStepJson
  | ReadStepNdJson
  | ReadStepNdGeoJson;

export type MergeStrategyAppend = { kind: "Append" };
export type MergeStrategyLedger = { kind: "Ledger"; primaryKey: string[] };
export type MergeStrategySnapshot = { kind: "Snapshot"; primaryKey: string[]; compareColumns?: string[] };
export type MergeStrategyChangelogStream = { kind: "ChangelogStream"; primaryKey: string[] };
export type MergeStrategyUpsertStream = { kind: "UpsertStream"; primaryKey: string[] };
export type MergeStrategy =
  | MergeStrategyAppend
  | MergeStrategyLedger
  | MergeStrategySnapshot
  | MergeStrategyChangelogStream
  | MergeStrategyUpsertStream;

export type TransformSql = {
  kind: "Sql";
  engine: string;
  version?: string;
  query?: string;
  queries?: SqlQueryStep[];
  temporalTables?: TemporalTable[];
};
export type Transform = TransformSql;

export type AttachmentsEmbedded = { kind: "Embedded"; items: AttachmentEmbedded[] };
export type Attachments = AttachmentsEmbedded;

// ---------------------------------------------------------------------------------------------
// Metadata events (union `MetadataEvent`, members in schema order: AddData=1 ... DisablePollingSource=13)
// ---------------------------------------------------------------------------------------------

export type AddData = {
  kind: "AddData";
  prevCheckpoint?: MultihashString;
  prevOffset?: number;
  newData?: DataSlice;
  newCheckpoint?: Checkpoint;
  newWatermark?: TimestampString;
  newSourceState?: SourceState;
  extra?: ExtraAttributes;
};

export type ExecuteTransform = {
  kind: "ExecuteTransform";
  queryInputs: ExecuteTransformInput[];
  prevCheckpoint?: MultihashString;
  prevOffset?: number;
  newData?: DataSlice;
  newCheckpoint?: Checkpoint;
  newWatermark?: TimestampString;
};

export type Seed = { kind: "Seed"; datasetId: DatasetIdString; datasetKind: DatasetKind };

export type SetPollingSource = {
  kind: "SetPollingSource";
  fetch: FetchStep;
  prepare?: PrepStep[];
  read: ReadStep;
  preprocess?: Transform;
  merge: MergeStrategy;
};

export type SetTransform = { kind: "SetTransform"; inputs: TransformInput[]; transform: Transform };

export type SetVocab = {
  kind: "SetVocab";
  offsetColumn?: string;
  operationTypeColumn?: string;
  systemTimeColumn?: string;
  eventTimeColumn?: string;
};

export type SetAttachments = { kind: "SetAttachments"; attachments: Attachments };

export type SetInfo = { kind: "SetInfo"; description?: string; keywords?: string[] };

export type SetLicense = { kind: "SetLicense"; shortName: string; name: string; spdxId?: string; websiteUrl: string };

/**
 * `rawArrowSchema` (deprecated) holds raw bytes (an Arrow flatbuffers schema); its text form is
 * standard base64 with padding (see docs/block-format.md).
 */
export type SetDataSchema = { kind: "SetDataSchema"; rawArrowSchema?: string; schema?: DataSchema };

export type AddPushSource = {
  kind: "AddPushSource";
  sourceName: string;
  read: ReadStep;
  preprocess?: Transform;
  merge: MergeStrategy;
};

export type DisablePushSource = { kind: "DisablePushSource"; sourceName: string };

export type DisablePollingSource = { kind: "DisablePollingSource" };

/** A transaction on a dataset (union `MetadataEvent`). */
export type MetadataEvent =
  | AddData
  | ExecuteTransform
  | Seed
  | SetPollingSource
  | SetTransform
  | SetVocab
  | SetAttachments
  | SetInfo
  | SetLicense
  | SetDataSchema
  | AddPushSource
  | DisablePushSource
  | DisablePollingSource;

/** The `kind` tag of a metadata event. */
export type MetadataEventKind = MetadataEvent["kind"];

/** An individual block in a dataset's metadata chain. */
export type MetadataBlock = {
  systemTime: TimestampString;
  prevBlockHash?: MultihashString;
  sequenceNumber: number;
  event: MetadataEvent;
};

/** A projection of dataset metadata used to define a new dataset (`kind: DatasetSnapshot`). */
export type DatasetSnapshot = { name: string; kind: DatasetKind; metadata: MetadataEvent[] };

/** Manifest versions of metadata blocks this codec reads; it writes version 3 by default. */
export type ManifestVersion = 2 | 3;
