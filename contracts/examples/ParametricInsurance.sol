// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {OdfConsumer} from "../OdfConsumer.sol";
import {IOdfOracle} from "../interfaces/IOdfOracle.sol";
import {OdfRequest} from "../libraries/OdfRequest.sol";
import {OdfResponse} from "../libraries/OdfResponse.sol";

/// @title ParametricInsurance
/// @notice Pays `payout` to the beneficiary when a queried condition holds, e.g. "rainfall over the
/// season stayed below 50 mm". The condition query must return one row whose first column is a
/// boolean (or an integer, non-zero meaning true). The payout waits until the oracle's answer is
/// `Final`, so a disputed (and overturned) answer can never trigger it.
contract ParametricInsurance is OdfConsumer {
    /// @notice The condition has not been confirmed by a final oracle answer.
    error ParametricInsuranceConditionNotMet(uint64 requestId);
    /// @notice The policy was already paid out.
    error ParametricInsuranceAlreadyPaid();
    /// @notice Sending the payout failed.
    error ParametricInsurancePayoutFailed();

    /// @notice Gas the callback gets.
    uint32 public constant CALLBACK_GAS = 80_000;

    /// @notice The oracle answered a condition check.
    /// @param requestId The request.
    /// @param conditionMet The answer (false on an error response).
    event ConditionChecked(uint64 indexed requestId, bool conditionMet);
    /// @notice The policy paid out.
    /// @param beneficiary Who received it.
    /// @param amount Wei paid.
    event PaidOut(address indexed beneficiary, uint256 amount);

    /// @notice Who receives the payout.
    address payable public immutable beneficiary;
    /// @notice Wei paid when the condition holds.
    uint256 public immutable payout;
    /// @notice The latest request whose answer said the condition holds (0 if none).
    uint64 public triggeringRequestId;
    /// @notice Whether the policy has paid out.
    bool public paid;

    bytes private _request;

    /// @param oracle_ The oracle.
    /// @param beneficiary_ Who receives the payout.
    /// @param payout_ Wei paid when the condition holds (fund the contract with it plus fees).
    /// @param alias_ The table name used in `sql`.
    /// @param datasetId The dataset's `did:odf:f...` id.
    /// @param sql The condition query (one row, first column boolean).
    constructor(
        IOdfOracle oracle_,
        address payable beneficiary_,
        uint256 payout_,
        string memory alias_,
        string memory datasetId,
        string memory sql
    ) payable OdfConsumer(oracle_) {
        beneficiary = beneficiary_;
        payout = payout_;
        _request = OdfRequest.build(OdfRequest.sql(OdfRequest.dataset(OdfRequest.init(), alias_, datasetId), sql));
    }

    /// @notice Accepts ether for the payout and request fees.
    receive() external payable {}

    /// @notice Asks the oracle whether the condition holds now.
    /// @return requestId The request id.
    function checkCondition() external returns (uint64 requestId) {
        return _sendRequest(_request, CALLBACK_GAS);
    }

    /// @notice Pays the beneficiary once an answer saying the condition holds is final.
    function claim() external {
        if (paid) revert ParametricInsuranceAlreadyPaid();
        uint64 id = triggeringRequestId;
        if (id == 0 || !_isFinal(id)) revert ParametricInsuranceConditionNotMet(id);
        paid = true;
        emit PaidOut(beneficiary, payout);
        (bool sent,) = beneficiary.call{value: payout}("");
        if (!sent) revert ParametricInsurancePayoutFailed();
    }

    function _onResult(uint64 requestId, bytes calldata response) internal override {
        bool met;
        if (OdfResponse.isOk(response) && OdfResponse.recordCount(response) > 0) {
            uint256 pos = OdfResponse.value(response, 0, 0);
            uint8 ib = uint8(response[pos]);
            met = (ib == 0xf5 || ib == 0xf4) ? OdfResponse.readBool(response, pos) : OdfResponse.readInt(response, pos) != 0;
        }
        if (met) triggeringRequestId = requestId;
        emit ConditionChecked(requestId, met);
    }
}
