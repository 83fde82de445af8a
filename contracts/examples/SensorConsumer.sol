// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {OdfConsumer} from "../OdfConsumer.sol";
import {IOdfOracle} from "../interfaces/IOdfOracle.sol";
import {OdfRequest} from "../libraries/OdfRequest.sol";
import {OdfResponse} from "../libraries/OdfResponse.sol";

/// @title SensorConsumer
/// @notice Keeps the latest reading of a sensor or price dataset. `requestUpdate` asks the oracle
/// for `sql` over one dataset (expected: one row, first column the value); the answer is stored as
/// fixed point with `DECIMALS` decimals.
contract SensorConsumer is OdfConsumer {
    /// @notice Decimal places of `latestValue`.
    uint8 public constant DECIMALS = 6;
    /// @notice Gas the callback gets (reading one value and two stores).
    uint32 public constant CALLBACK_GAS = 100_000;

    /// @notice A new reading was stored.
    /// @param requestId The request that produced it.
    /// @param value The reading, scaled by 10^DECIMALS.
    event ValueUpdated(uint64 indexed requestId, int256 value);
    /// @notice The oracle answered with an error or no rows; the previous value stays.
    /// @param requestId The request.
    /// @param reason The provider's error message (empty when there were no rows).
    event UpdateFailed(uint64 indexed requestId, string reason);

    /// @notice The latest reading, scaled by 10^DECIMALS.
    int256 public latestValue;
    /// @notice The request whose answer `latestValue` holds (check `isLatestFinal`).
    uint64 public latestRequestId;

    bytes private _request;

    /// @param oracle_ The oracle.
    /// @param alias_ The table name used in `sql`.
    /// @param datasetId The dataset's `did:odf:f...` id.
    /// @param sql The query; its first row's first column is the reading.
    constructor(IOdfOracle oracle_, string memory alias_, string memory datasetId, string memory sql)
        payable
        OdfConsumer(oracle_)
    {
        _request = OdfRequest.build(OdfRequest.sql(OdfRequest.dataset(OdfRequest.init(), alias_, datasetId), sql));
    }

    /// @notice Accepts ether to pay request fees.
    receive() external payable {}

    /// @notice Asks the oracle for a fresh reading (the fee comes from this contract's balance).
    /// @return requestId The request id.
    function requestUpdate() external returns (uint64 requestId) {
        return _sendRequest(_request, CALLBACK_GAS);
    }

    /// @notice Whether the stored reading can no longer be overturned by a dispute.
    /// @return True once the oracle reports the answer `Final`.
    function isLatestFinal() external view returns (bool) {
        return latestRequestId != 0 && _isFinal(latestRequestId);
    }

    /// @notice The request bytes this consumer sends.
    /// @return The CBOR request.
    function request() external view returns (bytes memory) {
        return _request;
    }

    function _onResult(uint64 requestId, bytes calldata response) internal override {
        if (!OdfResponse.isOk(response)) {
            emit UpdateFailed(requestId, OdfResponse.errorMessage(response));
            return;
        }
        if (OdfResponse.recordCount(response) == 0) {
            emit UpdateFailed(requestId, "");
            return;
        }
        int256 value = OdfResponse.readFixed(response, OdfResponse.value(response, 0, 0), DECIMALS);
        latestValue = value;
        latestRequestId = requestId;
        emit ValueUpdated(requestId, value);
    }
}
