// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IOdfOracle
/// @notice The ODF oracle: protocol v1 surface (events, errors, `provideResult`, provider registry)
/// plus fees, deadlines, bounded callbacks, signed answers, answer commitments and disputes.
interface IOdfOracle {
    /// @notice Life cycle of a request. Consumers that need safety act only on `Final`.
    enum RequestStatus {
        None,
        Pending,
        Fulfilled,
        Disputed,
        Final,
        Overturned,
        Cancelled
    }

    /// @notice Owner-settable parameters (all amounts in wei, durations in seconds).
    /// @dev Field order packs the fulfilment path's reads into one storage slot.
    struct Config {
        bool disabled;
        uint32 disputeWindow;
        uint96 minStake;
        uint96 slashAmount;
        uint96 requestFee;
        uint96 disputeBond;
        uint32 requestTimeout;
        uint32 maxCallbackGasLimit;
    }

    /// @notice Stored state of a request.
    /// @dev `deadline` is the answer deadline while pending and the end of the dispute window once
    /// answered; `commitment` is keccak256(request bytes) while pending and keccak256(response
    /// bytes) once answered. Both reuse their slot so a fulfilment writes no fresh storage.
    struct Request {
        address consumer;
        uint40 deadline;
        uint32 callbackGasLimit;
        RequestStatus state;
        uint96 fee;
        address provider;
        bytes32 commitment;
    }

    /// @notice A registered provider: authorization, stake and unwithdrawn fees (one slot).
    struct Provider {
        bool authorized;
        uint96 stake;
        uint40 lockedUntil;
        uint16 openDisputes;
        uint96 earned;
    }

    /// @notice One answer of a `provideSignedResults` batch.
    struct SignedResult {
        uint64 requestId;
        bytes response;
        bytes signature;
    }

    /// @notice An open or resolved dispute.
    struct Dispute {
        address disputer;
        uint96 bond;
    }

    // ----- protocol v1 events and errors (exact names and signatures) -----

    /// @notice A consumer asked a question.
    /// @param requestId Sequential id, starting at 1.
    /// @param consumerAddr The contract that sent the request and receives the callback.
    /// @param request The CBOR request (DESIGN 4.2).
    event SendRequest(uint64 indexed requestId, address indexed consumerAddr, bytes request);

    /// @notice A request was answered.
    /// @param requestId The request answered.
    /// @param consumerAddr The contract called back.
    /// @param providerAddr The provider that answered (the signer for signed answers).
    /// @param response The CBOR response (DESIGN 4.3).
    /// @param requestError Whether the response is an error response (`[1, false, msg]`).
    /// @param consumerError Whether the consumer's callback reverted or ran out of gas.
    /// @param consumerErrorData The callback's revert data, truncated to 256 bytes.
    event ProvideResult(
        uint64 indexed requestId,
        address indexed consumerAddr,
        address indexed providerAddr,
        bytes response,
        bool requestError,
        bool consumerError,
        bytes consumerErrorData
    );

    /// @notice A provider was authorized.
    /// @param providerAddr The provider.
    event AddProvider(address indexed providerAddr);

    /// @notice A provider's authorization was revoked.
    /// @param providerAddr The provider.
    event RemoveProvider(address indexed providerAddr);

    /// @notice The address is not an authorized provider with enough stake.
    error UnauthorizedProvider(address providerAddr);
    /// @notice No pending request has this id (unknown, answered or cancelled).
    error RequestNotFound(uint64 requestId);
    /// @notice The oracle is disabled; use its successor.
    error ContractDisabled();

    // ----- extensions -----

    /// @notice An unanswered request was cancelled after its deadline; its fee is refundable.
    /// @param requestId The request.
    /// @param consumerAddr The requester credited with the fee.
    /// @param fee The refunded fee in wei.
    event RequestCancelled(uint64 indexed requestId, address indexed consumerAddr, uint256 fee);
    /// @notice An answer of a `provideSignedResults` batch was not applied (the rest of the batch was).
    /// @param requestId The request.
    /// @param expired True: the request's deadline passed; false: it was no longer pending
    /// (answered by someone else, cancelled, or unknown).
    event ResultSkipped(uint64 indexed requestId, bool expired);

    /// @notice Someone disputed an answer.
    /// @param requestId The request.
    /// @param disputer Who posted the bond.
    /// @param bond The bond in wei.
    event DisputeOpened(uint64 indexed requestId, address indexed disputer, uint256 bond);
    /// @notice The arbiter resolved a dispute.
    /// @param requestId The request.
    /// @param upheld True: the answer was wrong (provider slashed); false: the answer stands.
    /// @param slashed Stake taken from the provider and paid to the disputer, in wei.
    event DisputeResolved(uint64 indexed requestId, bool upheld, uint256 slashed);
    /// @notice Stake was deposited for a provider.
    /// @param providerAddr The provider.
    /// @param amount The deposit in wei.
    /// @param stake The provider's stake after the deposit.
    event StakeDeposited(address indexed providerAddr, uint256 amount, uint256 stake);
    /// @notice A provider withdrew stake.
    /// @param providerAddr The provider.
    /// @param amount The amount in wei.
    /// @param stake The provider's stake after the withdrawal.
    event StakeWithdrawn(address indexed providerAddr, uint256 amount, uint256 stake);
    /// @notice Fees, refunds, bonds or rewards were withdrawn.
    /// @param account Whose balance was paid out.
    /// @param to The recipient.
    /// @param amount The amount in wei.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice The owner changed the parameters.
    /// @param config The new parameters.
    event ConfigUpdated(Config config);
    /// @notice The owner changed the arbiter.
    /// @param previousArbiter The old arbiter.
    /// @param newArbiter The new arbiter.
    event ArbiterUpdated(address indexed previousArbiter, address indexed newArbiter);

    /// @notice `msg.value` is not the request fee.
    error OdfOracleIncorrectFee(uint256 expected, uint256 actual);
    /// @notice The requested callback gas limit exceeds the configured maximum.
    error OdfOracleCallbackGasLimitTooHigh(uint256 requested, uint256 max);
    /// @notice The answer came after the request's deadline.
    error OdfOracleRequestExpired(uint64 requestId, uint256 deadline);
    /// @notice Cancellation before the deadline.
    error OdfOracleRequestNotExpired(uint64 requestId, uint256 deadline);
    /// @notice The response does not start with a v1 success or error header.
    error OdfOracleMalformedResponse(uint64 requestId);
    /// @notice The transaction did not carry enough gas to run the callback with its full limit.
    error OdfOracleInsufficientGas(uint256 available, uint256 required);
    /// @notice The request is not in its dispute window.
    error OdfOracleNotDisputable(uint64 requestId, RequestStatus status);
    /// @notice The request has no open dispute.
    error OdfOracleNotDisputed(uint64 requestId);
    /// @notice `msg.value` is not the dispute bond.
    error OdfOracleIncorrectBond(uint256 expected, uint256 actual);
    /// @notice Only the arbiter may resolve disputes.
    error OdfOracleOnlyArbiter(address caller);
    /// @notice Stake backs answers whose dispute window is open or disputed.
    error OdfOracleStakeLocked(uint256 lockedUntil, uint256 openDisputes);
    /// @notice More stake withdrawn than deposited.
    error OdfOracleInsufficientStake(uint256 stake, uint256 requested);
    /// @notice The balance to withdraw is zero.
    error OdfOracleNothingToWithdraw(address account);
    /// @notice Sending ether failed.
    error OdfOracleTransferFailed(address to, uint256 amount);
    /// @notice An amount does not fit the packed storage field.
    error OdfOracleAmountTooLarge(uint256 amount);

    /// @notice Sends a request; `msg.sender` is the consumer called back with the answer.
    /// @param request CBOR request bytes built with `OdfRequest`.
    /// @param callbackGasLimit Gas the callback runs with (at most `config().maxCallbackGasLimit`).
    /// @return requestId The new request's id.
    function sendRequest(bytes calldata request, uint32 callbackGasLimit) external payable returns (uint64 requestId);

    /// @notice Answers a pending request as `msg.sender` (protocol v1).
    /// @param requestId The request.
    /// @param result The CBOR response.
    function provideResult(uint64 requestId, bytes calldata result) external;

    /// @notice Answers a pending request on behalf of the provider that signed it (EIP-712).
    /// @param requestId The request.
    /// @param response The CBOR response.
    /// @param signature The provider's signature over `OdfResult(requestId, keccak256(request), keccak256(response))`.
    function provideSignedResult(uint64 requestId, bytes calldata response, bytes calldata signature) external;

    /// @notice Answers several requests in one transaction, each on behalf of the provider that
    /// signed it. A request that is no longer pending or has expired is skipped (`ResultSkipped`)
    /// rather than failing the batch; any other problem (unauthorized signer, malformed response,
    /// bad signature, too little gas for a callback) reverts the whole batch.
    /// @param results The signed answers, applied in order.
    /// @return fulfilled For each answer, whether it was applied.
    function provideSignedResults(SignedResult[] calldata results) external returns (bool[] memory fulfilled);

    /// @notice Whether `addr` may answer: authorized and staked at least `minStake`.
    /// @param addr The provider address.
    /// @return True when answers from `addr` are accepted.
    function canProvideResults(address addr) external view returns (bool);

    /// @notice The fee `sendRequest` expects as `msg.value`.
    /// @return The fee in wei.
    function requestFee() external view returns (uint256);

    /// @notice The status of a request (reverts with `RequestNotFound` for unknown ids).
    /// @param requestId The request.
    /// @return The status; `Fulfilled` becomes `Final` when the dispute window closes undisputed.
    function requestStatus(uint64 requestId) external view returns (RequestStatus);
}
