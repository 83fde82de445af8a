/** Public API of odf-oracle. */

export { compileEventDecoder, type EventDecoder } from "./chain-source/compileEventDecoder";
export {
  type ChainSource,
  type ChainSourceLogger,
  type ChainSourceProgress,
  type ChainSourcePullOptions,
  type ChainSourcePullResult,
  type CreateChainSourceParameters,
  createChainSource,
} from "./chain-source/createChainSource";
export {
  type CreateLogsDatasetParameters,
  createLogsDataset,
  ethereumLogsSource,
} from "./chain-source/createLogsDataset";
export { createRpcClient } from "./chain-source/createRpcClient";
export {
  ChainIdMismatchError,
  ChainSourceConfigError,
  ChainSourceError,
  EventSignatureError,
  FilterPushDownError,
  LogDecodeError,
  LogRangeTooLargeError,
  ReorgDuringFetchError,
  ReorgTooDeepError,
  RpcError,
  RpcRetryableError,
} from "./chain-source/errors";
export { type BlockHeader, getBlockHeader } from "./chain-source/getBlockHeader";
export { getChainId } from "./chain-source/getChainId";
export { type GetLogsParameters, getLogs, type RpcLog } from "./chain-source/getLogs";
export { parseEventSignature } from "./chain-source/parseEventSignature";
export { type LogFilter, parseLogFilter } from "./chain-source/parseLogFilter";
export { type CheckResponseParameters, type CheckResponseReturnType, checkResponse } from "./dispute/checkResponse";
export { DisputeKeyError, DisputeLookupError, DisputeSubmitError } from "./dispute/errors";
export { formatVerdict, VERDICT_EXIT_CODES } from "./dispute/formatVerdict";
export { createWatchtowerMetrics, type WatchtowerMetrics } from "./dispute/metrics";
export { openReplayer, type Replayer } from "./dispute/openReplayer";
export { type OnChainAnswer, type ReadAnswerParameters, readAnswer } from "./dispute/readAnswer";
export { type ReplayDeps, type ReplayVerdict, replayAnswer } from "./dispute/replayAnswer";
export { type ResolveDisputeParameters, type ResolveDisputeReturnType, resolveDispute } from "./dispute/resolveDispute";
export { type SubmitDisputeParameters, type SubmitDisputeReturnType, submitDispute } from "./dispute/submitDispute";
export {
  createWatchtower,
  type Watchtower,
  type WatchtowerCheck,
  type WatchtowerDeps,
  type WatchtowerLogger,
} from "./dispute/watchtower";
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
export { jsonText } from "./engines/formats/jsonText";
export { arrowTypeOf, toArrowIpc, toArrowTable } from "./engines/formats/toArrowTable";
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
  IngestOptionError,
  ManifestApplyError,
  MergeError,
  NoFilesMatchedError,
  NoRecordsAfterPreprocessError,
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
export { resultTypedData, type SignResultParameters, signResult } from "./oracle/contracts/signResult";
export {
  loadProviderConfig,
  PROVIDER_ENV_OVERRIDES,
  type ProviderConfig,
  type ProviderConfigInput,
  parseProviderConfig,
  providerConfigSchema,
} from "./oracle/provider/config";
export {
  ChainIdMismatchError as ProviderChainIdMismatchError,
  FulfillmentError,
  InsufficientFundsError,
  JournalError,
  ProviderConfigError,
  ProviderError,
  ProviderKeyError,
  RemoteQueryUnavailableError,
  RpcUnavailableError,
  UnauthorizedProviderError,
} from "./oracle/provider/errors";
export { type ErrorReason, type ExecutionOutcome, executeRequest } from "./oracle/provider/executeRequest";
export {
  createJournal,
  type Journal,
  type RequestRecord,
  type RequestStatus,
  type TxRecord,
} from "./oracle/provider/journal";
export {
  createLogWatcher,
  type LogBatch,
  type LogWatcher,
  type LogWatcherParameters,
} from "./oracle/provider/logWatcher";
export { createProviderMetrics, type ProviderMetrics } from "./oracle/provider/metrics";
export {
  createProvider,
  type Provider,
  type ProviderDeps,
  type ProviderSettings,
  type ProviderStatus,
} from "./oracle/provider/provider";
export { createLocalQueryRunner, type QueryRunner } from "./oracle/provider/queryRunner";
export { readProviderStatus } from "./oracle/provider/readProviderStatus";
export { createRemoteQueryRunner } from "./oracle/provider/remoteQueryRunner";
export { createProviderServer } from "./oracle/provider/server";
export { createLocalSigner, loadSigner, type ProviderSigner } from "./oracle/provider/signer";
export {
  createRpcClient as createProviderRpcClient,
  type ProviderNode,
  startProviderNode,
} from "./oracle/provider/startProviderNode";
export { type Answer, createSubmitter, type SubmitOutcome, type Submitter } from "./oracle/provider/submitter";
export {
  canonicalJson,
  canonicalJsonBytes,
  compareUtf8,
  escapeString,
  formatFloat,
} from "./query/canonicalJson";
export {
  type Commitment,
  type CommitmentParts,
  computeCommitment,
  sha3Multihash as canonicalJsonMultihash,
} from "./query/commitment";
export {
  InvalidJsonError,
  InvalidQueryRequestError,
  NodeKeyError,
  QueryApiError,
  RequestSchemaError,
  SigningNotConfiguredError,
} from "./query/errors";
export {
  type ExecutedQuery,
  type ExecuteQueryDeps,
  executeQuery,
  type NormalizedInput,
  type QueryOutput,
} from "./query/executeQuery";
export { isJsonObject, JsonFloat, type JsonValue } from "./query/jsonValue";
export { layoutJsonData, toJsonValue } from "./query/outputData";
export { parseJson } from "./query/parseJson";
export {
  type NodeKey,
  nodeKeyFromSecret,
  type Proof,
  publicKeyFromDidKey,
  signCommitment,
  verifyCommitmentSignature,
} from "./query/proof";
export {
  DATA_FORMATS,
  type DataFormat,
  type DatasetState,
  INCLUDES,
  type Include,
  QUERY_DIALECT,
  type QueryRequest,
  type QueryRequestInput,
  queryRequestSchema,
  SCHEMA_FORMATS,
  type SchemaFormat,
  type VerifyRequest,
  verifyRequestSchema,
} from "./query/queryRequest";
export { type ReplayResult, type RowDifference, replayResponse } from "./query/replayResponse";
export { describeResultSchema } from "./query/resultSchema";
export { type QueryResponse, type RunQueryDeps, runQuery } from "./query/runQuery";
export { stringifyJson } from "./query/stringifyJson";
export { verifyProof } from "./query/verifyProof";
export {
  checkSignedResponse,
  type VerifyError,
  type VerifyErrorKind,
  type VerifyResult,
  verifyQuery,
} from "./query/verifyQuery";
export { createServer, type ServerDeps } from "./server/createServer";
export { type ErrorBody, toHttpError } from "./server/httpError";
export { loadOrCreateNodeKey, NODE_KEY_FILE } from "./server/nodeKeyFile";
export { createServerMetrics, type ServerMetrics } from "./server/serverMetrics";
export { type StartNodeParameters, type StartNodeReturnType, startNode } from "./server/startNode";
export { checkTransformEngine, runningEngineVersion, TRANSFORM_ENGINE } from "./transform/engine";
export {
  DependencyCycleError,
  EngineVersionMismatchError,
  InputReplacedError,
  InputRewrittenError,
  NonIncrementalQueryError,
  TransformError,
  type TransformErrorLocation,
  TransformInputNotFoundError,
  TransformNotSetError,
  TransformQueryError,
  UnsupportedEngineError,
} from "./transform/errors";
export {
  type ExecuteTransformOptions,
  type ExecuteTransformReturnType,
  executeTransform,
} from "./transform/executeTransform";
export {
  dependencyOrder,
  formatLineageDot,
  formatLineageText,
  type LineageNode,
  lineage,
} from "./transform/lineage";
export { pullRecursive, type RecursivePullStep } from "./transform/pullRecursive";
export {
  type ReplayMismatch,
  type ReplayTransformsOptions,
  type ReplayTransformsReturnType,
  replayTransforms,
} from "./transform/replayTransforms";
export { prepareSetTransform, type SetTransformParameters, setTransform } from "./transform/setTransform";
