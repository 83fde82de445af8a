// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IOdfClient} from "./interfaces/IOdfClient.sol";
import {IOdfOracle} from "./interfaces/IOdfOracle.sol";

/// @title OdfOracle
/// @notice SQL oracle over Open Data Fabric datasets. Speaks protocol v1 on the wire (events,
/// `provideResult`, CBOR request and response bytes) and adds fees escrowed per request, answer
/// deadlines with refunds, gas-bounded callbacks, EIP-712 signed answers that anyone may relay,
/// on-chain answer commitments, provider stakes and disputes resolved by an arbiter.
/// @dev Payments are pulled: fees, refunds, bonds and rewards are credited and paid by `withdraw`.
contract OdfOracle is IOdfOracle, Ownable, EIP712, ReentrancyGuardTransient {
    /// @notice EIP-712 type of a signed answer.
    bytes32 public constant RESULT_TYPEHASH =
        keccak256("OdfResult(uint64 requestId,bytes32 requestHash,bytes32 responseHash)");
    /// @notice Revert data of a failed callback kept in `ProvideResult.consumerErrorData`.
    uint256 public constant MAX_CONSUMER_ERROR_BYTES = 256;
    /// @dev Gas spent between the gas check and the CALL, plus the CALL's own cost (cold account).
    uint256 private constant _GAS_FOR_CALL = 5_000;
    /// @dev Gas kept for the work after the callback: the event (+ per response byte below).
    uint256 private constant _GAS_AFTER_CALLBACK = 12_000;
    uint256 private constant _GAS_AFTER_CALLBACK_PER_BYTE = 16;

    Config private _config;
    address private _arbiter;
    uint64 private _lastRequestId;
    mapping(uint64 requestId => Request) private _requests;
    mapping(address provider => Provider) private _providers;
    mapping(uint64 requestId => Dispute) private _disputes;
    mapping(address account => uint256) private _balances;

    /// @notice Only the arbiter may call.
    modifier onlyArbiter() {
        if (msg.sender != _arbiter) revert OdfOracleOnlyArbiter(msg.sender);
        _;
    }

    /// @param initialOwner Who may change parameters and the provider registry.
    /// @param arbiter_ Who resolves disputes (a multisig or committee contract).
    /// @param config_ Initial parameters.
    constructor(address initialOwner, address arbiter_, Config memory config_)
        Ownable(initialOwner)
        EIP712("OdfOracle", "1")
    {
        _config = config_;
        _arbiter = arbiter_;
        emit ConfigUpdated(config_);
        emit ArbiterUpdated(address(0), arbiter_);
    }

    // ------------------------------------------------------------------ consumers

    /// @inheritdoc IOdfOracle
    function sendRequest(bytes calldata request, uint32 callbackGasLimit)
        external
        payable
        returns (uint64 requestId)
    {
        Config storage c = _config;
        if (c.disabled) revert ContractDisabled();
        if (msg.value != c.requestFee) revert OdfOracleIncorrectFee(c.requestFee, msg.value);
        if (callbackGasLimit > c.maxCallbackGasLimit) {
            revert OdfOracleCallbackGasLimitTooHigh(callbackGasLimit, c.maxCallbackGasLimit);
        }
        requestId = ++_lastRequestId;
        _requests[requestId] = Request({
            consumer: msg.sender,
            deadline: uint40(block.timestamp + c.requestTimeout),
            callbackGasLimit: callbackGasLimit,
            state: RequestStatus.Pending,
            fee: uint96(msg.value),
            provider: address(0),
            commitment: keccak256(request)
        });
        emit SendRequest(requestId, msg.sender, request);
    }

    /// @notice Cancels an unanswered request after its deadline (anyone may call); the fee is
    /// credited back to the requester (withdraw it with `withdraw`).
    /// @param requestId The request.
    function cancelRequest(uint64 requestId) external {
        Request storage req = _requests[requestId];
        if (req.state != RequestStatus.Pending) revert RequestNotFound(requestId);
        if (block.timestamp < req.deadline) revert OdfOracleRequestNotExpired(requestId, req.deadline);
        req.state = RequestStatus.Cancelled;
        uint96 fee = req.fee;
        address consumer = req.consumer;
        _balances[consumer] += fee;
        emit RequestCancelled(requestId, consumer, fee);
    }

    // ------------------------------------------------------------------ providers

    /// @inheritdoc IOdfOracle
    function provideResult(uint64 requestId, bytes calldata result) external nonReentrant {
        _fulfil(requestId, result, msg.sender);
    }

    /// @inheritdoc IOdfOracle
    function provideSignedResult(uint64 requestId, bytes calldata response, bytes calldata signature)
        external
        nonReentrant
    {
        Request storage req = _requests[requestId];
        if (req.state != RequestStatus.Pending) revert RequestNotFound(requestId);
        address signer = ECDSA.recover(resultDigest(requestId, req.commitment, keccak256(response)), signature);
        _fulfil(requestId, response, signer);
    }

    /// @inheritdoc IOdfOracle
    function provideSignedResults(SignedResult[] calldata results)
        external
        nonReentrant
        returns (bool[] memory fulfilled)
    {
        fulfilled = new bool[](results.length);
        for (uint256 i; i < results.length; ++i) {
            SignedResult calldata r = results[i];
            Request storage req = _requests[r.requestId];
            if (req.state != RequestStatus.Pending) {
                emit ResultSkipped(r.requestId, false);
                continue;
            }
            if (block.timestamp >= req.deadline) {
                emit ResultSkipped(r.requestId, true);
                continue;
            }
            address signer = ECDSA.recover(resultDigest(r.requestId, req.commitment, keccak256(r.response)), r.signature);
            _fulfil(r.requestId, r.response, signer);
            fulfilled[i] = true;
        }
    }

    /// @notice Adds `msg.value` to the caller's provider stake.
    function depositStake() external payable {
        Provider storage p = _providers[msg.sender];
        uint256 stake = p.stake + msg.value;
        if (stake > type(uint96).max) revert OdfOracleAmountTooLarge(stake);
        p.stake = uint96(stake);
        emit StakeDeposited(msg.sender, msg.value, stake);
    }

    /// @notice Withdraws stake once no answer of the caller is in its dispute window or disputed.
    /// @param amount Wei to withdraw.
    /// @param to Recipient.
    function withdrawStake(uint256 amount, address payable to) external nonReentrant {
        Provider storage p = _providers[msg.sender];
        if (p.openDisputes != 0 || block.timestamp < p.lockedUntil) {
            revert OdfOracleStakeLocked(p.lockedUntil, p.openDisputes);
        }
        if (amount > p.stake) revert OdfOracleInsufficientStake(p.stake, amount);
        p.stake -= uint96(amount);
        emit StakeWithdrawn(msg.sender, amount, p.stake);
        _send(to, amount);
    }

    /// @notice Pays out the caller's credited fees, refunds, bonds and rewards.
    /// @param to Recipient.
    function withdraw(address payable to) external nonReentrant {
        uint256 amount = _balances[msg.sender] + _providers[msg.sender].earned;
        if (amount == 0) revert OdfOracleNothingToWithdraw(msg.sender);
        _balances[msg.sender] = 0;
        _providers[msg.sender].earned = 0;
        emit Withdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    // ------------------------------------------------------------------ disputes

    /// @notice Disputes an answer inside its dispute window; `msg.value` must be the dispute bond.
    /// @param requestId The answered request.
    function dispute(uint64 requestId) external payable {
        RequestStatus status = requestStatus(requestId);
        if (status != RequestStatus.Fulfilled) revert OdfOracleNotDisputable(requestId, status);
        uint96 bond = _config.disputeBond;
        if (msg.value != bond) revert OdfOracleIncorrectBond(bond, msg.value);
        Request storage req = _requests[requestId];
        req.state = RequestStatus.Disputed;
        _providers[req.provider].openDisputes += 1;
        _disputes[requestId] = Dispute({disputer: msg.sender, bond: bond});
        emit DisputeOpened(requestId, msg.sender, bond);
    }

    /// @notice Resolves a dispute. Upheld: the provider's stake is slashed by `slashAmount` (at most
    /// its stake) and the disputer is credited bond + slashed stake; the request is `Overturned`.
    /// Rejected: the bond is credited to the provider; the request is `Final`.
    /// @param requestId The disputed request.
    /// @param upheld Whether the answer was wrong.
    function resolveDispute(uint64 requestId, bool upheld) external onlyArbiter {
        Request storage req = _requests[requestId];
        if (req.state != RequestStatus.Disputed) revert OdfOracleNotDisputed(requestId);
        Dispute memory d = _disputes[requestId];
        Provider storage p = _providers[req.provider];
        p.openDisputes -= 1;
        uint256 slashed;
        if (upheld) {
            slashed = _config.slashAmount < p.stake ? _config.slashAmount : p.stake;
            p.stake -= uint96(slashed);
            _balances[d.disputer] += d.bond + slashed;
            req.state = RequestStatus.Overturned;
        } else {
            _balances[req.provider] += d.bond;
            req.state = RequestStatus.Final;
        }
        emit DisputeResolved(requestId, upheld, slashed);
    }

    // ------------------------------------------------------------------ owner

    /// @notice Authorizes a provider (protocol v1).
    /// @param providerAddr The provider.
    function addProvider(address providerAddr) external onlyOwner {
        _providers[providerAddr].authorized = true;
        emit AddProvider(providerAddr);
    }

    /// @notice Revokes a provider (protocol v1). Its stake stays withdrawable once unlocked.
    /// @param providerAddr The provider.
    function removeProvider(address providerAddr) external onlyOwner {
        _providers[providerAddr].authorized = false;
        emit RemoveProvider(providerAddr);
    }

    /// @notice Replaces all parameters.
    /// @param config_ The new parameters (applies to new requests; pending ones keep their fee and deadline).
    function setConfig(Config calldata config_) external onlyOwner {
        _config = config_;
        emit ConfigUpdated(config_);
    }

    /// @notice The disable switch: a disabled oracle takes no requests and no answers; cancels,
    /// disputes and withdrawals keep working.
    /// @param disabled Whether to disable.
    function setDisabled(bool disabled) external onlyOwner {
        _config.disabled = disabled;
        emit ConfigUpdated(_config);
    }

    /// @notice Sets the dispute arbiter.
    /// @param arbiter_ The new arbiter.
    function setArbiter(address arbiter_) external onlyOwner {
        emit ArbiterUpdated(_arbiter, arbiter_);
        _arbiter = arbiter_;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IOdfOracle
    function canProvideResults(address addr) public view returns (bool) {
        Provider storage p = _providers[addr];
        return p.authorized && p.stake >= _config.minStake;
    }

    /// @inheritdoc IOdfOracle
    function requestFee() external view returns (uint256) {
        return _config.requestFee;
    }

    /// @inheritdoc IOdfOracle
    function requestStatus(uint64 requestId) public view returns (RequestStatus) {
        Request storage req = _requests[requestId];
        RequestStatus s = req.state;
        if (s == RequestStatus.None) revert RequestNotFound(requestId);
        if (s == RequestStatus.Fulfilled && block.timestamp >= req.deadline) return RequestStatus.Final;
        return s;
    }

    /// @notice The stored request (see `Request` for the meaning of `deadline` and `commitment`).
    /// @param requestId The request.
    /// @return The request record (all zero for unknown ids).
    function getRequest(uint64 requestId) external view returns (Request memory) {
        return _requests[requestId];
    }

    /// @notice Several stored requests at once (a provider sizing a batch's gas reads them in one call).
    /// @param requestIds The requests.
    /// @return requests The request records, in order (all zero for unknown ids).
    function getRequests(uint64[] calldata requestIds) external view returns (Request[] memory requests) {
        requests = new Request[](requestIds.length);
        for (uint256 i; i < requestIds.length; ++i) {
            requests[i] = _requests[requestIds[i]];
        }
    }

    /// @notice A provider's registration, stake and unwithdrawn fees.
    /// @param providerAddr The provider.
    /// @return The provider record.
    function getProvider(address providerAddr) external view returns (Provider memory) {
        return _providers[providerAddr];
    }

    /// @notice The dispute of a request (zero if never disputed).
    /// @param requestId The request.
    /// @return The dispute record.
    function getDispute(uint64 requestId) external view returns (Dispute memory) {
        return _disputes[requestId];
    }

    /// @notice Wei `account` can withdraw with `withdraw`.
    /// @param account The account.
    /// @return The balance in wei.
    function withdrawableOf(address account) external view returns (uint256) {
        return _balances[account] + _providers[account].earned;
    }

    /// @notice The current parameters.
    /// @return The config.
    function config() external view returns (Config memory) {
        return _config;
    }

    /// @notice The dispute arbiter.
    /// @return The arbiter address.
    function arbiter() external view returns (address) {
        return _arbiter;
    }

    /// @notice The id of the most recent request (0 before the first).
    /// @return The id.
    function lastRequestId() external view returns (uint64) {
        return _lastRequestId;
    }

    /// @notice The EIP-712 digest a provider signs for `provideSignedResult`.
    /// @param requestId The request.
    /// @param requestHash keccak256 of the request bytes (from `SendRequest`).
    /// @param responseHash keccak256 of the response bytes.
    /// @return The digest bound to this chain and contract.
    function resultDigest(uint64 requestId, bytes32 requestHash, bytes32 responseHash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RESULT_TYPEHASH, requestId, requestHash, responseHash)));
    }

    // ------------------------------------------------------------------ internals

    function _fulfil(uint64 requestId, bytes calldata response, address provider) private {
        (address consumer, uint32 gasLimit, bool requestError) = _record(requestId, response, provider);
        // Interaction: exact-gas callback that can neither revert nor starve the fulfilment.
        (bool ok, bytes memory errorData) = _callback(consumer, gasLimit, requestId, response);
        emit ProvideResult(requestId, consumer, provider, response, requestError, !ok, errorData);
    }

    /// @dev Checks the answer and records it; the request leaves Pending before the consumer runs
    /// (first valid answer wins).
    function _record(uint64 requestId, bytes calldata response, address provider)
        private
        returns (address consumer, uint32 gasLimit, bool requestError)
    {
        Config storage c = _config;
        if (c.disabled) revert ContractDisabled();
        Request storage req = _requests[requestId];
        if (req.state != RequestStatus.Pending) revert RequestNotFound(requestId);
        if (block.timestamp >= req.deadline) revert OdfOracleRequestExpired(requestId, req.deadline);
        Provider storage p = _providers[provider];
        if (!p.authorized || p.stake < c.minStake) revert UnauthorizedProvider(provider);
        requestError = _isErrorResponse(requestId, response);

        consumer = req.consumer;
        gasLimit = req.callbackGasLimit;
        uint40 windowEnd = uint40(block.timestamp) + c.disputeWindow;
        req.state = RequestStatus.Fulfilled;
        req.deadline = windowEnd;
        req.provider = provider;
        req.commitment = keccak256(response);
        p.earned += req.fee;
        if (p.lockedUntil < windowEnd) p.lockedUntil = windowEnd;
    }

    /// @dev v1 success responses start `85 01 f5`, error responses `83 01 f4`.
    function _isErrorResponse(uint64 requestId, bytes calldata response) private pure returns (bool) {
        if (response.length >= 3 && response[1] == 0x01) {
            if (response[0] == 0x85 && response[2] == 0xf5) return false;
            if (response[0] == 0x83 && response[2] == 0xf4) return true;
        }
        revert OdfOracleMalformedResponse(requestId);
    }

    /// @dev Calls `onResult` with exactly `gasLimit` gas (EIP-150 can only shrink it, so the call is
    /// refused up front when the transaction could not pass it on in full) and keeps enough gas to
    /// emit the event afterwards. Revert data is copied up to MAX_CONSUMER_ERROR_BYTES, so a callback
    /// returning megabytes costs the oracle nothing.
    function _callback(address consumer, uint256 gasLimit, uint64 requestId, bytes calldata response)
        private
        returns (bool ok, bytes memory errorData)
    {
        bytes memory data = abi.encodeCall(IOdfClient.onResult, (requestId, response));
        uint256 reserve = _GAS_FOR_CALL + _GAS_AFTER_CALLBACK + _GAS_AFTER_CALLBACK_PER_BYTE * response.length;
        uint256 available = gasleft();
        if (available < reserve || available - reserve - (available - reserve) / 64 <= gasLimit) {
            revert OdfOracleInsufficientGas(available, reserve + gasLimit + gasLimit / 63 + 1);
        }
        uint256 returnSize;
        assembly ("memory-safe") {
            ok := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)
            returnSize := returndatasize()
        }
        if (!ok) {
            if (returnSize > MAX_CONSUMER_ERROR_BYTES) returnSize = MAX_CONSUMER_ERROR_BYTES;
            errorData = new bytes(returnSize);
            assembly ("memory-safe") {
                returndatacopy(add(errorData, 0x20), 0, returnSize)
            }
        }
    }

    function _send(address payable to, uint256 amount) private {
        (bool sent,) = to.call{value: amount}("");
        if (!sent) revert OdfOracleTransferFailed(to, amount);
    }
}
