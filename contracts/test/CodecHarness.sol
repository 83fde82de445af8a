// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {OdfRequest} from "../libraries/OdfRequest.sol";
import {OdfResponse} from "../libraries/OdfResponse.sol";

/// @title CodecHarness
/// @notice Test-only: exposes the request builder and the response reader to off-chain tests.
contract CodecHarness {
    /// @notice A decoded cell: `kind` is the CBOR initial byte's major type (7 for bool/null/float),
    /// `raw` the initial byte; the other fields hold the value in the matching reader's form.
    struct Cell {
        uint8 raw;
        bool isNull;
        bool boolValue;
        int256 intValue;
        int256 fixedValue;
        bytes data;
    }

    /// @notice Builds a request from parallel alias/id arrays and the SQL.
    function buildRequest(string[] calldata aliases, string[] calldata dids, string calldata sql)
        external
        pure
        returns (bytes memory)
    {
        OdfRequest.Req memory req = OdfRequest.init();
        for (uint256 i = 0; i < aliases.length; ++i) {
            OdfRequest.dataset(req, aliases[i], dids[i]);
        }
        return OdfRequest.build(OdfRequest.sql(req, sql));
    }

    /// @notice Builds a request naming a dataset by its public key.
    function buildRequestWithKey(string calldata alias_, bytes32 key, string calldata sql)
        external
        pure
        returns (bytes memory)
    {
        return OdfRequest.build(OdfRequest.sql(OdfRequest.datasetKey(OdfRequest.init(), alias_, key), sql));
    }

    /// @notice Decodes a whole response; floats and integers also as fixed point with `decimals`.
    function decode(bytes calldata r, uint8 decimals)
        external
        pure
        returns (bool ok, string memory message, Cell[][] memory rows, bytes[] memory ids, bytes[] memory hashes)
    {
        ok = OdfResponse.isOk(r);
        if (!ok) return (ok, OdfResponse.errorMessage(r), rows, ids, hashes);
        rows = _rows(r, decimals);
        (ids, hashes) = _state(r);
    }

    function _rows(bytes calldata r, uint8 decimals) private pure returns (Cell[][] memory rows) {
        uint256 n = OdfResponse.recordCount(r);
        rows = new Cell[][](n);
        for (uint256 i = 0; i < n; ++i) {
            rows[i] = _record(r, OdfResponse.record(r, i), decimals);
        }
    }

    function _record(bytes calldata r, uint256 rec, uint8 decimals) private pure returns (Cell[] memory cells) {
        uint256 m = OdfResponse.columnCount(r, rec);
        cells = new Cell[](m);
        for (uint256 j = 0; j < m; ++j) {
            cells[j] = _cell(r, OdfResponse.column(r, rec, j), decimals);
        }
    }

    function _state(bytes calldata r) private pure returns (bytes[] memory ids, bytes[] memory hashes) {
        uint256 s = OdfResponse.stateCount(r);
        ids = new bytes[](s);
        hashes = new bytes[](s);
        for (uint256 i = 0; i < s; ++i) {
            (ids[i], hashes[i]) = OdfResponse.state(r, i);
        }
    }

    /// @notice Reads one value as unsigned integer.
    function readUint(bytes calldata r, uint256 row, uint256 col) external pure returns (uint256) {
        return OdfResponse.readUint(r, OdfResponse.value(r, row, col));
    }

    /// @notice Reads one value as bytes.
    function readBytes(bytes calldata r, uint256 row, uint256 col) external pure returns (bytes memory) {
        return OdfResponse.readBytes(r, OdfResponse.value(r, row, col));
    }

    /// @notice Reads one value as fixed point.
    function readFixed(bytes calldata r, uint256 row, uint256 col, uint8 decimals) external pure returns (int256) {
        return OdfResponse.readFixed(r, OdfResponse.value(r, row, col), decimals);
    }

    /// @notice Reads one value as text.
    function readText(bytes calldata r, uint256 row, uint256 col) external pure returns (string memory) {
        return OdfResponse.readText(r, OdfResponse.value(r, row, col));
    }

    /// @notice Reads one value as bool.
    function readBool(bytes calldata r, uint256 row, uint256 col) external pure returns (bool) {
        return OdfResponse.readBool(r, OdfResponse.value(r, row, col));
    }

    /// @notice The error message of an error response.
    function errorMessage(bytes calldata r) external pure returns (string memory) {
        return OdfResponse.errorMessage(r);
    }

    /// @notice Record count of a success response.
    function recordCount(bytes calldata r) external pure returns (uint256) {
        return OdfResponse.recordCount(r);
    }

    function _cell(bytes calldata r, uint256 pos, uint8 decimals) private pure returns (Cell memory c) {
        c.raw = uint8(r[pos]);
        uint8 major = c.raw >> 5;
        if (major == 0 || major == 1) {
            c.intValue = OdfResponse.readInt(r, pos);
            c.fixedValue = OdfResponse.readFixed(r, pos, decimals);
        } else if (major == 2) {
            c.data = OdfResponse.readBytes(r, pos);
        } else if (major == 3) {
            c.data = bytes(OdfResponse.readText(r, pos));
        } else if (c.raw == 0xf6) {
            c.isNull = OdfResponse.isNull(r, pos);
        } else if (c.raw == 0xf4 || c.raw == 0xf5) {
            c.boolValue = OdfResponse.readBool(r, pos);
        } else {
            c.fixedValue = OdfResponse.readFixed(r, pos, decimals);
        }
    }
}
