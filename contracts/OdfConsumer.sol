// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOdfClient} from "./interfaces/IOdfClient.sol";
import {IOdfOracle} from "./interfaces/IOdfOracle.sol";

/// @title OdfConsumer
/// @notice Base contract for oracle consumers: sends requests (paying the oracle's fee from this
/// contract's balance) and accepts callbacks only from the oracle and only for ids it issued.
/// @dev Implement `_onResult`; read the response with `OdfResponse`. Before acting on an answer
/// irreversibly, check `_isFinal(requestId)` (the dispute window has passed undisputed, or a dispute
/// was rejected).
abstract contract OdfConsumer is IOdfClient {
    /// @notice The callback did not come from the oracle.
    error OdfConsumerOnlyOracle(address caller);
    /// @notice The callback is for a request this contract did not send (or already answered).
    error OdfConsumerUnknownRequest(uint64 requestId);

    IOdfOracle private immutable _oracle;
    mapping(uint64 requestId => bool) private _pending;

    /// @param oracle_ The oracle this consumer uses.
    constructor(IOdfOracle oracle_) {
        _oracle = oracle_;
    }

    /// @notice The oracle this consumer uses.
    /// @return The oracle.
    function oracle() public view returns (IOdfOracle) {
        return _oracle;
    }

    /// @inheritdoc IOdfClient
    function onResult(uint64 requestId, bytes calldata response) external {
        if (msg.sender != address(_oracle)) revert OdfConsumerOnlyOracle(msg.sender);
        if (!_pending[requestId]) revert OdfConsumerUnknownRequest(requestId);
        delete _pending[requestId];
        _onResult(requestId, response);
    }

    /// @notice Sends `request` (built with `OdfRequest`), paying the oracle's current fee.
    /// @param request The CBOR request.
    /// @param callbackGasLimit Gas for `_onResult` (size it for the rows you expect).
    /// @return requestId The id the answer will carry.
    function _sendRequest(bytes memory request, uint32 callbackGasLimit) internal returns (uint64 requestId) {
        requestId = _oracle.sendRequest{value: _oracle.requestFee()}(request, callbackGasLimit);
        _pending[requestId] = true;
    }

    /// @notice Whether the answer to `requestId` can no longer be overturned.
    /// @param requestId The request.
    /// @return True when the oracle reports `Final`.
    function _isFinal(uint64 requestId) internal view returns (bool) {
        return _oracle.requestStatus(requestId) == IOdfOracle.RequestStatus.Final;
    }

    /// @notice Handles the answer to a request this contract sent.
    /// @param requestId The request.
    /// @param response The CBOR response (calldata; read it in place with `OdfResponse`).
    function _onResult(uint64 requestId, bytes calldata response) internal virtual;
}
