// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title CborReader
/// @notice Reads definite-length CBOR items in place from calldata: items are addressed by their
/// byte offset, nothing is copied until a value is read.
library CborReader {
    /// @notice The input ends inside an item.
    error CborReaderTruncated(uint256 pos);
    /// @notice Indefinite lengths and reserved additional-info values are not supported.
    error CborReaderUnsupported(uint256 pos, uint8 initialByte);

    uint8 internal constant MAJOR_UINT = 0;
    uint8 internal constant MAJOR_NEGINT = 1;
    uint8 internal constant MAJOR_BYTES = 2;
    uint8 internal constant MAJOR_TEXT = 3;
    uint8 internal constant MAJOR_ARRAY = 4;
    uint8 internal constant MAJOR_MAP = 5;
    uint8 internal constant MAJOR_TAG = 6;
    uint8 internal constant MAJOR_SIMPLE = 7;

    /// @notice Reads the head of the item at `pos`.
    /// @param b The CBOR bytes.
    /// @param pos Offset of the item.
    /// @return major The major type (0..7).
    /// @return info The additional information (low 5 bits of the initial byte).
    /// @return arg The argument: value, length, count, or the raw bits of a float.
    /// @return next Offset just after the head (the payload of strings, the first element of arrays).
    function readHead(bytes calldata b, uint256 pos)
        internal
        pure
        returns (uint8 major, uint8 info, uint64 arg, uint256 next)
    {
        if (pos >= b.length) revert CborReaderTruncated(pos);
        uint8 ib = uint8(b[pos]);
        major = ib >> 5;
        info = ib & 0x1f;
        next = pos + 1;
        if (info < 24) {
            arg = info;
        } else if (info < 28) {
            uint256 n = 1 << (info - 24);
            if (next + n > b.length) revert CborReaderTruncated(pos);
            uint256 v;
            assembly ("memory-safe") {
                v := shr(sub(256, shl(3, n)), calldataload(add(b.offset, next)))
            }
            arg = uint64(v);
            next += n;
        } else {
            revert CborReaderUnsupported(pos, ib);
        }
    }

    /// @notice Returns the offset just after the whole item at `pos` (nested items included).
    /// @param b The CBOR bytes.
    /// @param pos Offset of the item.
    /// @return next Offset of the following item.
    function skip(bytes calldata b, uint256 pos) internal pure returns (uint256 next) {
        uint8 major;
        uint64 arg;
        (major,, arg, next) = readHead(b, pos);
        if (major == MAJOR_BYTES || major == MAJOR_TEXT) {
            next += arg;
            if (next > b.length) revert CborReaderTruncated(pos);
        } else if (major == MAJOR_ARRAY) {
            for (uint256 i = 0; i < arg; ++i) {
                next = skip(b, next);
            }
        } else if (major == MAJOR_MAP) {
            for (uint256 i = 0; i < 2 * uint256(arg); ++i) {
                next = skip(b, next);
            }
        } else if (major == MAJOR_TAG) {
            next = skip(b, next);
        }
    }
}
