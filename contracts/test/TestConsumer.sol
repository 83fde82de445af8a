// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOdfClient} from "../interfaces/IOdfClient.sol";
import {IOdfOracle} from "../interfaces/IOdfOracle.sol";
import {OdfResponse} from "../libraries/OdfResponse.sol";

/// @title TestConsumer
/// @notice Test-only consumer whose callback behaves as told: stores the first value, reverts,
/// burns all its gas, reverts with huge data, or re-enters the oracle.
contract TestConsumer is IOdfClient {
    /// @notice Callback behaviours.
    enum Mode {
        Store,
        Revert,
        BurnGas,
        HugeRevert,
        Reenter
    }

    /// @notice The callback reverted on purpose.
    error TestConsumerRevert(uint64 requestId);

    /// @notice Emitted by the callback in `Store` mode with the gas it used.
    event Received(uint64 indexed requestId, uint256 gasUsed);

    IOdfOracle public immutable oracleContract;
    Mode public mode;
    uint64 public lastRequestId;
    uint256 public lastRecordCount;
    bytes32 public lastResponseHash;
    bytes public reenterCall;

    constructor(IOdfOracle oracle_) payable {
        oracleContract = oracle_;
    }

    receive() external payable {}

    /// @notice Sets the callback behaviour (and for `Reenter`, the call made into the oracle).
    function setMode(Mode mode_, bytes calldata reenterCall_) external {
        mode = mode_;
        reenterCall = reenterCall_;
    }

    /// @notice Sends a request paying `msg.value` as the fee.
    function request(bytes calldata req, uint32 callbackGasLimit) external payable returns (uint64) {
        return oracleContract.sendRequest{value: msg.value}(req, callbackGasLimit);
    }

    /// @notice Withdraws this contract's oracle balance (refunds) to `to`.
    function withdrawFromOracle(address payable to) external {
        (bool ok, bytes memory ret) =
            address(oracleContract).call(abi.encodeWithSignature("withdraw(address)", to));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    /// @inheritdoc IOdfClient
    function onResult(uint64 requestId, bytes calldata response) external {
        uint256 start = gasleft();
        Mode m = mode;
        if (m == Mode.Revert) revert TestConsumerRevert(requestId);
        if (m == Mode.BurnGas) {
            while (true) {}
        }
        if (m == Mode.HugeRevert) {
            assembly ("memory-safe") {
                revert(0, 100000)
            }
        }
        if (m == Mode.Reenter) {
            (bool ok, bytes memory ret) = address(oracleContract).call(reenterCall);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
        lastRequestId = requestId;
        lastResponseHash = keccak256(response);
        if (OdfResponse.isOk(response)) lastRecordCount = OdfResponse.recordCount(response);
        emit Received(requestId, start - gasleft());
    }
}
