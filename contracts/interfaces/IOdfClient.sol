// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IOdfClient
/// @notice Implemented by contracts that receive oracle answers (see `OdfConsumer` for a safe base).
interface IOdfClient {
    /// @notice Called by the oracle with the answer to a request this contract sent.
    /// @dev Runs with the callback gas limit given at request time. A revert is recorded in the
    /// oracle's `ProvideResult` event (`consumerError`) and never undoes the fulfilment.
    /// @param requestId The id returned by `sendRequest`.
    /// @param response The CBOR response (protocol v1, DESIGN 4.3); read it with `OdfResponse`.
    function onResult(uint64 requestId, bytes calldata response) external;
}
