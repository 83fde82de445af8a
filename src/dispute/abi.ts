import { parseAbi } from "viem";

/** The dispute surface of `OdfOracle` (see contracts/OdfOracle.sol). */
export const disputeOracleAbi = parseAbi([
  "event DisputeOpened(uint64 indexed requestId, address indexed disputer, uint256 bond)",
  "event DisputeResolved(uint64 indexed requestId, bool upheld, uint256 slashed)",
  "function dispute(uint64 requestId) payable",
  "function resolveDispute(uint64 requestId, bool upheld)",
  "function requestStatus(uint64 requestId) view returns (uint8)",
  "function arbiter() view returns (address)",
  "function config() view returns ((bool disabled, uint32 disputeWindow, uint96 minStake, uint96 slashAmount, uint96 requestFee, uint96 disputeBond, uint32 requestTimeout, uint32 maxCallbackGasLimit))",
  "function getProvider(address providerAddr) view returns ((bool authorized, uint96 stake, uint40 lockedUntil, uint16 openDisputes, uint96 earned))",
  "function getDispute(uint64 requestId) view returns ((address disputer, uint96 bond))",
  "error RequestNotFound(uint64 requestId)",
  "error OdfOracleNotDisputable(uint64 requestId, uint8 status)",
  "error OdfOracleIncorrectBond(uint256 expected, uint256 actual)",
  "error OdfOracleNotDisputed(uint64 requestId)",
  "error OdfOracleOnlyArbiter(address caller)",
]);

/** `IOdfOracle.RequestStatus` names, by their uint8 value. */
export const REQUEST_STATUS = ["None", "Pending", "Fulfilled", "Disputed", "Final", "Overturned", "Cancelled"] as const;
export type RequestStatusName = (typeof REQUEST_STATUS)[number];
