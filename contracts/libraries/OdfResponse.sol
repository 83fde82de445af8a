// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CborReader} from "./CborReader.sol";

/// @title OdfResponse
/// @notice Reads an oracle response (protocol v1, DESIGN 4.3) in place from calldata.
/// Success: `[1, true, rows, h'', state]`; error: `[1, false, message]`. Values are addressed by
/// their offset (`record`, `column`, `value`) and decoded on demand: no per-row copies.
/// @dev Example: `int256 price = OdfResponse.readFixed(r, OdfResponse.value(r, 0, 1), 8);`
library OdfResponse {
    /// @notice The bytes are not a v1 response.
    error OdfResponseMalformed(uint256 pos);
    /// @notice A success-only reader was used on an error response.
    error OdfResponseNotOk();
    /// @notice `errorMessage` was used on a success response.
    error OdfResponseIsOk();
    /// @notice A record, column or state index is past the end.
    error OdfResponseIndexOutOfRange(uint256 index, uint256 length);
    /// @notice The value at `pos` is not of the type asked for.
    error OdfResponseWrongType(uint256 pos, uint8 initialByte);
    /// @notice The value does not fit the result type (or is an infinity/NaN for fixed point).
    error OdfResponseOverflow(uint256 pos);

    /// @notice Whether the response is a success (false for an error response).
    /// @param r The response bytes.
    /// @return True for `[1, true, ...]`.
    function isOk(bytes calldata r) internal pure returns (bool) {
        return _status(r);
    }

    /// @notice The error message of an error response.
    /// @param r The response bytes.
    /// @return The message text.
    function errorMessage(bytes calldata r) internal pure returns (string memory) {
        if (_status(r)) revert OdfResponseIsOk();
        return readText(r, 3);
    }

    /// @notice The number of records (rows) of a success response.
    /// @param r The response bytes.
    /// @return count The row count.
    function recordCount(bytes calldata r) internal pure returns (uint256 count) {
        (count,) = _array(r, _rowsPos(r));
    }

    /// @notice The offset of record `index` (an array of column values).
    /// @param r The response bytes.
    /// @param index Zero-based row index.
    /// @return pos Offset to pass to `columnCount` and `column`.
    function record(bytes calldata r, uint256 index) internal pure returns (uint256 pos) {
        (uint256 count, uint256 p) = _array(r, _rowsPos(r));
        if (index >= count) revert OdfResponseIndexOutOfRange(index, count);
        for (uint256 i = 0; i < index; ++i) {
            p = CborReader.skip(r, p);
        }
        return p;
    }

    /// @notice The number of columns of the record at `recordPos`.
    /// @param r The response bytes.
    /// @param recordPos Offset from `record`.
    /// @return count The column count.
    function columnCount(bytes calldata r, uint256 recordPos) internal pure returns (uint256 count) {
        (count,) = _array(r, recordPos);
    }

    /// @notice The offset of column `index` of the record at `recordPos`.
    /// @param r The response bytes.
    /// @param recordPos Offset from `record`.
    /// @param index Zero-based column index (query order).
    /// @return pos Offset to pass to a `read*` function.
    function column(bytes calldata r, uint256 recordPos, uint256 index) internal pure returns (uint256 pos) {
        (uint256 count, uint256 p) = _array(r, recordPos);
        if (index >= count) revert OdfResponseIndexOutOfRange(index, count);
        for (uint256 i = 0; i < index; ++i) {
            p = CborReader.skip(r, p);
        }
        return p;
    }

    /// @notice Shorthand for `column(r, record(r, row), col)`.
    /// @param r The response bytes.
    /// @param row Zero-based row index.
    /// @param col Zero-based column index.
    /// @return The offset of the value.
    function value(bytes calldata r, uint256 row, uint256 col) internal pure returns (uint256) {
        return column(r, record(r, row), col);
    }

    /// @notice Whether the value at `pos` is null.
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @return True for CBOR null (also used for NaN).
    function isNull(bytes calldata r, uint256 pos) internal pure returns (bool) {
        if (pos >= r.length) revert OdfResponseMalformed(pos);
        return uint8(r[pos]) == 0xf6;
    }

    /// @notice Reads a boolean.
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @return The boolean.
    function readBool(bytes calldata r, uint256 pos) internal pure returns (bool) {
        if (pos >= r.length) revert OdfResponseMalformed(pos);
        uint8 ib = uint8(r[pos]);
        if (ib == 0xf5) return true;
        if (ib == 0xf4) return false;
        revert OdfResponseWrongType(pos, ib);
    }

    /// @notice Reads a non-negative integer.
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @return The integer.
    function readUint(bytes calldata r, uint256 pos) internal pure returns (uint256) {
        (uint8 major,, uint64 arg,) = CborReader.readHead(r, pos);
        if (major != CborReader.MAJOR_UINT) revert OdfResponseWrongType(pos, uint8(r[pos]));
        return arg;
    }

    /// @notice Reads a signed integer.
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @return The integer.
    function readInt(bytes calldata r, uint256 pos) internal pure returns (int256) {
        (uint8 major,, uint64 arg,) = CborReader.readHead(r, pos);
        if (major == CborReader.MAJOR_UINT) return int256(uint256(arg));
        if (major == CborReader.MAJOR_NEGINT) return -1 - int256(uint256(arg));
        revert OdfResponseWrongType(pos, uint8(r[pos]));
    }

    /// @notice Reads a text value (text columns, timestamps, decimals, hex of binary columns).
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @return The text.
    function readText(bytes calldata r, uint256 pos) internal pure returns (string memory) {
        return string(_string(r, pos, CborReader.MAJOR_TEXT));
    }

    /// @notice Reads a byte string without copying it.
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @return A calldata slice of the bytes.
    function readBytes(bytes calldata r, uint256 pos) internal pure returns (bytes calldata) {
        return _string(r, pos, CborReader.MAJOR_BYTES);
    }

    /// @notice Reads a number (integer or f16/f32/f64) as fixed point with `decimals` decimals,
    /// truncated toward zero: 21.5 with 2 decimals is 2150.
    /// @param r The response bytes.
    /// @param pos The value's offset.
    /// @param decimals Decimal places of the result (at most 60).
    /// @return The scaled value.
    function readFixed(bytes calldata r, uint256 pos, uint8 decimals) internal pure returns (int256) {
        if (decimals > 60) revert OdfResponseOverflow(pos);
        (uint8 major, uint8 info, uint64 arg,) = CborReader.readHead(r, pos);
        uint256 scale = 10 ** uint256(decimals);
        if (major == CborReader.MAJOR_UINT) return _signed(uint256(arg) * scale, false, pos);
        if (major == CborReader.MAJOR_NEGINT) return _signed((uint256(arg) + 1) * scale, true, pos);
        if (major != CborReader.MAJOR_SIMPLE || info < 25 || info > 27) {
            revert OdfResponseWrongType(pos, uint8(r[pos]));
        }
        (uint256 magnitude, bool negative, bool overflow) = _floatToFixed(arg, info, scale);
        if (overflow) revert OdfResponseOverflow(pos);
        return _signed(magnitude, negative, pos);
    }

    /// @notice The number of (dataset id, block hash) pairs the answer was computed from.
    /// @param r The response bytes.
    /// @return count The pair count.
    function stateCount(bytes calldata r) internal pure returns (uint256 count) {
        (uint256 items,) = _array(r, _statePos(r));
        return items / 2;
    }

    /// @notice The `index`-th state pair: which dataset version the answer read.
    /// @param r The response bytes.
    /// @param index Zero-based pair index (pairs are sorted by dataset id).
    /// @return datasetId 34-byte dataset id (`0xed01` + ed25519 public key).
    /// @return blockHash Multihash of the dataset's head block (`0x1620` + 32 bytes).
    function state(bytes calldata r, uint256 index)
        internal
        pure
        returns (bytes calldata datasetId, bytes calldata blockHash)
    {
        (uint256 items, uint256 p) = _array(r, _statePos(r));
        if (index >= items / 2) revert OdfResponseIndexOutOfRange(index, items / 2);
        for (uint256 i = 0; i < 2 * index; ++i) {
            p = CborReader.skip(r, p);
        }
        datasetId = _string(r, p, CborReader.MAJOR_BYTES);
        blockHash = _string(r, CborReader.skip(r, p), CborReader.MAJOR_BYTES);
    }

    function _status(bytes calldata r) private pure returns (bool ok) {
        if (r.length < 3 || uint8(r[1]) != 0x01) revert OdfResponseMalformed(0);
        uint8 head = uint8(r[0]);
        uint8 flag = uint8(r[2]);
        if (head == 0x85 && flag == 0xf5) return true;
        if (head == 0x83 && flag == 0xf4) return false;
        revert OdfResponseMalformed(0);
    }

    function _rowsPos(bytes calldata r) private pure returns (uint256) {
        if (!_status(r)) revert OdfResponseNotOk();
        return 3;
    }

    function _statePos(bytes calldata r) private pure returns (uint256) {
        // skip rows and the deprecated empty byte string
        return CborReader.skip(r, CborReader.skip(r, _rowsPos(r)));
    }

    function _array(bytes calldata r, uint256 pos) private pure returns (uint256 count, uint256 first) {
        uint8 major;
        uint64 arg;
        (major,, arg, first) = CborReader.readHead(r, pos);
        if (major != CborReader.MAJOR_ARRAY) revert OdfResponseWrongType(pos, uint8(r[pos]));
        count = arg;
    }

    function _string(bytes calldata r, uint256 pos, uint8 expectedMajor) private pure returns (bytes calldata) {
        (uint8 major,, uint64 len, uint256 start) = CborReader.readHead(r, pos);
        if (major != expectedMajor) revert OdfResponseWrongType(pos, uint8(r[pos]));
        if (start + len > r.length) revert CborReader.CborReaderTruncated(pos);
        return r[start:start + len];
    }

    /// @dev Exact IEEE 754 half/single/double to `|value| * scale`, truncated toward zero.
    function _floatToFixed(uint256 bits, uint8 info, uint256 scale)
        private
        pure
        returns (uint256 magnitude, bool negative, bool overflow)
    {
        // f16: 5/10 bits, f32: 8/23, f64: 11/52
        uint256 expBits = info == 25 ? 5 : info == 26 ? 8 : 11;
        uint256 mantBits = info == 25 ? 10 : info == 26 ? 23 : 52;
        negative = (bits >> (expBits + mantBits)) & 1 == 1;
        uint256 expField = (bits >> mantBits) & ((1 << expBits) - 1);
        uint256 mant = bits & ((1 << mantBits) - 1);
        if (expField == (1 << expBits) - 1) return (0, negative, true); // infinity or NaN
        int256 e = 1 - int256((1 << (expBits - 1)) - 1) - int256(mantBits);
        if (expField != 0) {
            mant |= 1 << mantBits;
            e += int256(expField) - 1;
        }
        uint256 scaled = mant * scale; // mant < 2^53 and scale <= 10^60 < 2^200
        if (e >= 0) {
            if (scaled != 0 && (e > 255 || scaled > type(uint256).max >> uint256(e))) return (0, negative, true);
            magnitude = scaled << uint256(e);
        } else {
            magnitude = -e > 255 ? 0 : scaled >> uint256(-e);
        }
    }

    function _signed(uint256 magnitude, bool negative, uint256 pos) private pure returns (int256) {
        if (negative) {
            if (magnitude > uint256(type(int256).max) + 1) revert OdfResponseOverflow(pos);
            return magnitude == uint256(type(int256).max) + 1 ? type(int256).min : -int256(magnitude);
        }
        if (magnitude > uint256(type(int256).max)) revert OdfResponseOverflow(pos);
        return int256(magnitude);
    }
}
