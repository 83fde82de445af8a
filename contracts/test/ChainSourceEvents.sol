// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ChainSourceEvents
/// @notice Test contract for the chain source: emits events covering every ABI type the decoder
/// supports (integers of many widths, bool, address, bytesN, bytes, string, fixed and dynamic
/// arrays, tuples, indexed dynamic types) plus a foreign event at the same address.
contract ChainSourceEvents {
    /// @notice A nested tuple element.
    struct Inner {
        uint8 a;
        bytes b;
    }

    /// @notice A tuple holding a tuple and a dynamic array.
    struct Outer {
        uint256 x;
        Inner inner;
        address[] addrs;
    }

    /// @notice Integers up to 64 bits (decoded as native integers).
    event SmallInts(uint8 indexed u8, int8 i8, uint16 u16, int16 i16, uint24 u24, int32 i32, uint40 u40, int64 i64, uint64 u64);

    /// @notice Integers wider than 64 bits (decoded as exact decimals or decimal text).
    event WideInts(uint72 indexed u72, int120 i120, uint128 u128, int128 i128, uint256 u256, int256 i256);

    /// @notice Scalars other than integers, some indexed.
    event Misc(bool indexed flag, address indexed who, bytes32 indexed tag, bool b, address a, bytes1 b1, bytes7 b7, bytes dyn, string s);

    /// @notice Fixed and dynamic arrays.
    event Arrays(uint256[3] fixedArr, int16[] dynArr, address[2][] nested, string[] strs, bytes[2] fixedBytes);

    /// @notice Tuples, arrays of tuples and nested fixed arrays.
    event Tuples(Outer outer, Inner[] inners, uint256[2][2] matrix);

    /// @notice Indexed dynamic types: only their keccak256 hash is in the topics.
    event IndexedDynamic(string indexed name, bytes indexed blob, uint256[] indexed arr, string plain);

    /// @notice An event that a source filtering on another signature must skip (or fail on).
    event Foreign(uint256 indexed x, uint256 y);

    /// @notice Emits `SmallInts` with the given values.
    function emitSmallInts(uint8 u8, int8 i8, uint16 u16, int16 i16, uint24 u24, int32 i32, uint40 u40, int64 i64, uint64 u64)
        external
    {
        emit SmallInts(u8, i8, u16, i16, u24, i32, u40, i64, u64);
    }

    /// @notice Emits `WideInts` with the given values.
    function emitWideInts(uint72 u72, int120 i120, uint128 u128, int128 i128, uint256 u256, int256 i256) external {
        emit WideInts(u72, i120, u128, i128, u256, i256);
    }

    /// @notice Emits `Misc` with the given values.
    function emitMisc(bool flag, address who, bytes32 tag, bool b, address a, bytes1 b1, bytes7 b7, bytes calldata dyn, string calldata s)
        external
    {
        emit Misc(flag, who, tag, b, a, b1, b7, dyn, s);
    }

    /// @notice Emits `Arrays` with the given values.
    function emitArrays(
        uint256[3] calldata fixedArr,
        int16[] calldata dynArr,
        address[2][] calldata nested,
        string[] calldata strs,
        bytes[2] calldata fixedBytes
    ) external {
        emit Arrays(fixedArr, dynArr, nested, strs, fixedBytes);
    }

    /// @notice Emits `Tuples` with the given values.
    function emitTuples(Outer calldata outer, Inner[] calldata inners, uint256[2][2] calldata matrix) external {
        emit Tuples(outer, inners, matrix);
    }

    /// @notice Emits `IndexedDynamic` with the given values.
    function emitIndexedDynamic(string calldata name, bytes calldata blob, uint256[] calldata arr, string calldata plain) external {
        emit IndexedDynamic(name, blob, arr, plain);
    }

    /// @notice Emits `Foreign` with the given values.
    function emitForeign(uint256 x, uint256 y) external {
        emit Foreign(x, y);
    }
}
