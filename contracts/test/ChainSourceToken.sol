// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ChainSourceToken
/// @notice An OpenZeppelin ERC-20 for chain-source tests and benchmarks: anyone can mint, and
/// `mintMany` emits many `Transfer` events in one transaction.
contract ChainSourceToken is ERC20 {
    constructor() ERC20("Chain Source Token", "CST") {}

    /// @notice Mints `amount` tokens to `to` (test token: unrestricted).
    /// @param to The recipient.
    /// @param amount The amount minted.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Mints `count` times to `to`, the i-th mint being `amount + i`: `count` Transfer events.
    /// @param to The recipient.
    /// @param amount The first amount.
    /// @param count How many mints (events) to perform.
    function mintMany(address to, uint256 amount, uint256 count) external {
        for (uint256 i = 0; i < count; ++i) {
            _mint(to, amount + i);
        }
    }
}
