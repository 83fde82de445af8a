import { parseAbi } from "viem";

/**
 * The oracle surface the provider uses: the fixed protocol v1 events and functions (DESIGN 4.1),
 * plus `provideSignedResult`, the `provideSignedResults` batch, `getRequests` and the custom errors of
 * our `OdfOracle` (answers to v1 contracts use `provideResult` only).
 */
export const providerOracleAbi = parseAbi([
  "event SendRequest(uint64 indexed requestId, address indexed consumerAddr, bytes request)",
  "event ProvideResult(uint64 indexed requestId, address indexed consumerAddr, address indexed providerAddr, bytes response, bool requestError, bool consumerError, bytes consumerErrorData)",
  "error UnauthorizedProvider(address providerAddr)",
  "error RequestNotFound(uint64 requestId)",
  "error ContractDisabled()",
  "error OdfOracleRequestExpired(uint64 requestId, uint256 deadline)",
  "error OdfOracleMalformedResponse(uint64 requestId)",
  "error OdfOracleInsufficientGas(uint256 available, uint256 required)",
  "error ECDSAInvalidSignature()",
  "error ECDSAInvalidSignatureLength(uint256 length)",
  "function canProvideResults(address addr) view returns (bool)",
  "function getRequest(uint64 requestId) view returns ((address consumer, uint40 deadline, uint32 callbackGasLimit, uint8 state, uint96 fee, address provider, bytes32 commitment))",
  "function provideResult(uint64 requestId, bytes result)",
  "function provideSignedResult(uint64 requestId, bytes response, bytes signature)",
  "function getRequests(uint64[] requestIds) view returns ((address consumer, uint40 deadline, uint32 callbackGasLimit, uint8 state, uint96 fee, address provider, bytes32 commitment)[])",
  "function provideSignedResults((uint64 requestId, bytes response, bytes signature)[] results) returns (bool[] fulfilled)",
  "event ResultSkipped(uint64 indexed requestId, bool expired)",
]);

/** The two events the provider watches. */
export const sendRequestEvent = providerOracleAbi[0];
export const provideResultEvent = providerOracleAbi[1];
/** Emitted for each answer of a batch that was not applied (no longer pending, or expired). */
export const resultSkippedEvent = providerOracleAbi[16];
