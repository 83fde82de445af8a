// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title OdfRequest
/// @notice Builds oracle requests (protocol v1, DESIGN 4.2): the indefinite-length CBOR array
/// `[1, ("ds", alias, datasetIdBytes)*, "sql", query]`.
/// @dev Usage:
/// `bytes memory req = OdfRequest.init().dataset("temp", "did:odf:fed01...").sql("select ...").build();`
library OdfRequest {
    /// @notice The dataset id is not `did:odf:f` followed by 68 hex digits starting `ed01`.
    error OdfRequestInvalidDatasetId(string did);

    /// @notice A request under construction.
    struct Req {
        bytes buf;
    }

    /// @notice Starts a request: opens the indefinite array and writes the version (1).
    /// @return req The builder.
    function init() internal pure returns (Req memory req) {
        req.buf = hex"9f01";
    }

    /// @notice Names a dataset the SQL refers to by `alias_`.
    /// @param req The builder.
    /// @param alias_ The table name used in the SQL.
    /// @param did The dataset id in text form, `did:odf:f` + 68 lowercase or uppercase hex digits.
    /// @return The same builder, for chaining.
    function dataset(Req memory req, string memory alias_, string memory did) internal pure returns (Req memory) {
        req.buf = bytes.concat(req.buf, hex"626473", _text(alias_), hex"5822", parseDatasetId(did));
        return req;
    }

    /// @notice Names a dataset by its raw 34-byte id (`0xed01` + ed25519 public key).
    /// @param req The builder.
    /// @param alias_ The table name used in the SQL.
    /// @param publicKey The dataset's ed25519 public key.
    /// @return The same builder, for chaining.
    function datasetKey(Req memory req, string memory alias_, bytes32 publicKey) internal pure returns (Req memory) {
        req.buf = bytes.concat(req.buf, hex"626473", _text(alias_), hex"5822ed01", publicKey);
        return req;
    }

    /// @notice Sets the SQL query.
    /// @param req The builder.
    /// @param query The SQL (a single SELECT over the aliases).
    /// @return The same builder, for chaining.
    function sql(Req memory req, string memory query) internal pure returns (Req memory) {
        req.buf = bytes.concat(req.buf, hex"6373716c", _text(query));
        return req;
    }

    /// @notice Closes the array and returns the request bytes for `sendRequest`.
    /// @param req The builder.
    /// @return The CBOR request.
    function build(Req memory req) internal pure returns (bytes memory) {
        return bytes.concat(req.buf, hex"ff");
    }

    /// @notice Parses `did:odf:f<68 hex>` into its 34 id bytes.
    /// @param did The textual dataset id.
    /// @return id The id bytes (`0xed01` + public key).
    function parseDatasetId(string memory did) internal pure returns (bytes memory id) {
        bytes memory s = bytes(did);
        if (s.length != 77 || bytes9(bytes.concat(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])) != "did:odf:f") {
            revert OdfRequestInvalidDatasetId(did);
        }
        id = new bytes(34);
        for (uint256 i = 0; i < 34; ++i) {
            (uint8 hi, bool okHi) = _nibble(s[9 + 2 * i]);
            (uint8 lo, bool okLo) = _nibble(s[10 + 2 * i]);
            if (!okHi || !okLo) revert OdfRequestInvalidDatasetId(did);
            id[i] = bytes1((hi << 4) | lo);
        }
        if (id[0] != 0xed || id[1] != 0x01) revert OdfRequestInvalidDatasetId(did);
    }

    function _nibble(bytes1 c) private pure returns (uint8 v, bool ok) {
        uint8 x = uint8(c);
        if (x >= 0x30 && x <= 0x39) return (x - 0x30, true);
        if (x >= 0x61 && x <= 0x66) return (x - 0x57, true);
        if (x >= 0x41 && x <= 0x46) return (x - 0x37, true);
        return (0, false);
    }

    /// @dev A CBOR text string: head (major 3, shortest length form) and the UTF-8 bytes.
    function _text(string memory s) private pure returns (bytes memory) {
        uint256 len = bytes(s).length;
        bytes memory head;
        if (len < 24) head = abi.encodePacked(uint8(0x60 | len));
        else if (len < 0x100) head = abi.encodePacked(uint8(0x78), uint8(len));
        else if (len < 0x10000) head = abi.encodePacked(uint8(0x79), uint16(len));
        else if (len < 0x100000000) head = abi.encodePacked(uint8(0x7a), uint32(len));
        else head = abi.encodePacked(uint8(0x7b), uint64(len));
        return bytes.concat(head, bytes(s));
    }
}
