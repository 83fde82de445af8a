/** Public API of odf-oracle. */

export { createStaticResolver, type StaticDataset } from "./engines/createStaticResolver";
export {
  type CreateDuckDbEngineParameters,
  createDuckDbEngine,
  DEFAULT_QUERY_LIMITS,
} from "./engines/duckdb/createDuckDbEngine";
export {
  DatasetBlockNotFoundError,
  DatasetNotFoundError,
  DuplicateAliasError,
  EmptyDatasetError,
  EngineClosedError,
  EngineError,
  ForbiddenQueryError,
  InvalidBlockHashError,
  InvalidQueryError,
  QueryExecutionError,
  QueryLimitError,
  type QueryLimitKind,
} from "./engines/errors";
export { arrowTypeOf, toArrowIpc, toArrowTable } from "./engines/formats/toArrowTable";
export { type JsonDataFormat, type PlainJson, toJsonData, toPlainJson } from "./engines/formats/toJsonData";
export { type OracleCell, toOracleCell, toOracleRows } from "./engines/formats/toOracleRows";
export { cellText, toCsv, toTextTable } from "./engines/formats/toText";
export type * from "./engines/types";
export { BaseError, RetryableError, shouldRetry } from "./errors/base";
export { addDatasets, orderSnapshots, readSnapshots, type SnapshotSource } from "./ingest/addDatasets";
export {
  EmptyInputError,
  FetchError,
  FetchRetryableError,
  IngestError,
  ManifestApplyError,
  MergeError,
  NoFilesMatchedError,
  PrepareError,
  PreprocessError,
  ReadInputError,
  SourceNotFoundError,
  UnsupportedStepError,
} from "./ingest/errors";
export { type IngestFilesParameters, type IngestFilesReturnType, ingestFiles } from "./ingest/ingestFiles";
export { type IngestPushOptions, type IngestPushReturnType, ingestPush } from "./ingest/ingestPush";
export {
  type Puller,
  type PullerEntry,
  type PullOptions,
  type PullOutcome,
  pullDataset,
  pullers,
  registerPuller,
} from "./ingest/pullers";
export { POLLING_SOURCE_NAME, pullRoot } from "./ingest/pullRoot";
export { type TailReturnType, tailDataset } from "./ingest/tailDataset";
export {
  DataSliceError,
  SliceReadError,
  SliceSourceError,
  SliceTimestampError,
  SliceWriteError,
  UnsupportedColumnTypeError,
} from "./odf/data/errors";
export { logicalDigest, logicalHash } from "./odf/data/logicalHash";
export { physicalHash } from "./odf/data/physicalHash";
export { readSliceStats, type SliceStats } from "./odf/data/readSliceStats";
export {
  type WriteDataSliceParameters,
  type WriteDataSliceReturnType,
  writeDataSlice,
} from "./odf/data/writeDataSlice";
export {
  BlockDecodeError,
  InvalidDatasetIdError,
  InvalidMultihashError,
  InvalidTimestampError,
  ManifestValidationError,
  MultibaseDecodeError,
  OdfFormatError,
  UnexpectedManifestKindError,
  UnknownUnionTagError,
  UnsupportedManifestVersionError,
} from "./odf/errors";
export {
  type DatasetId,
  type DatasetKeyPair,
  datasetIdFromBytes,
  datasetIdFromPublicKey,
  datasetIdToBytes,
  datasetKeyFromSecret,
  generateDatasetKey,
  normalizeDatasetId,
  parseDatasetId,
} from "./odf/identity";
export {
  blockHash,
  type DecodeMetadataBlockReturnType,
  decodeMetadataBlock,
  type EncodeMetadataBlockOptions,
  encodeMetadataBlock,
  METADATA_BLOCK_KIND,
} from "./odf/metadata/blockCodec";
export { formatTimestamp, normalizeTimestamp, parseTimestamp } from "./odf/metadata/timestamp";
export type * from "./odf/metadata/types";
export {
  parseDatasetSnapshotObject,
  parseMetadataBlockObject,
  parseMetadataEventObject,
} from "./odf/metadata/validate";
export { blockToYaml, parseDatasetSnapshotYaml, parseMetadataBlockYaml } from "./odf/metadata/yaml";
export { multibaseDecode, multibaseEncode, multibaseEncodeBase58, multibaseEncodeBase64Url } from "./odf/multibase";
export {
  decodeMultihash,
  encodeMultihash,
  isMultihashString,
  LOGICAL_HASH_CODE,
  type Multihash,
  multihashToString,
  normalizeMultihashString,
  parseMultihash,
  SHA3_256_CODE,
  sha3Multihash,
  sha3MultihashString,
} from "./odf/multihash";
export type { CborItem } from "./oracle/codec/cbor";
export { decodeRequest } from "./oracle/codec/decodeRequest";
export { decodeResponse } from "./oracle/codec/decodeResponse";
export { encodeRequest } from "./oracle/codec/encodeRequest";
export { type EncodableValue, type EncodeResponseParameters, encodeResponse } from "./oracle/codec/encodeResponse";
export { CodecEncodeError, RequestDecodeError, ResponseDecodeError } from "./oracle/codec/errors";
export type {
  DatasetId as OracleDatasetId,
  ErrorResponse,
  OkResponse,
  OracleRequest,
  OracleResponse,
  RequestDataset,
  ResponseValue,
  StateEntry,
} from "./oracle/codec/types";
export {
  type DeployContractParameters,
  type DeployContractReturnType,
  deployContract,
} from "./oracle/contracts/deployContract";
export {
  type DeployOracleParameters,
  defaultOracleConfig,
  deployOracle,
  type OracleConfig,
} from "./oracle/contracts/deployOracle";
export { ArtifactNotFoundError, DeployConfigError, DeploymentError } from "./oracle/contracts/errors";
export { type FulfilmentGasLimitParameters, fulfilmentGasLimit } from "./oracle/contracts/fulfilmentGasLimit";
export { type ContractArtifact, loadArtifact } from "./oracle/contracts/loadArtifact";
