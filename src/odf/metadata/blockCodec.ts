import { Builder } from "flatbuffers";
import {
  BlockDecodeError,
  OdfFormatError,
  UnexpectedManifestKindError,
  UnsupportedManifestVersionError,
} from "../errors";
import { sha3MultihashString } from "../multihash";
import { MetadataBlockTable } from "./schema";
import { createReader, decodeTable, deref, fieldPos, openTable, readByteVector, rootTable } from "./tableDecoder";
import { encodeTable } from "./tableEncoder";
import type { ManifestVersion, MetadataBlock } from "./types";

/** Multicodec of an ODF metadata block, the `kind` of its manifest. */
export const METADATA_BLOCK_KIND = 0x400000;
const METADATA_BLOCK_KIND_BIG = BigInt(METADATA_BLOCK_KIND);

const contentBuilder = new Builder(1024);

export type EncodeMetadataBlockOptions = {
  /** Manifest version: 3 (default) aligns `struct Timestamp` to 4 bytes, 2 to 1 byte as older tools did. */
  version?: ManifestVersion;
};

/**
 * Serializes a metadata block to its manifest bytes (DESIGN 5.3): the block as a FlatBuffer, wrapped
 * in `Manifest { kind: 0x400000, version, content }`. These exact bytes are what is stored and hashed.
 * Throws `TypeError`/`RangeError` naming the field for malformed objects (bad hash, unsafe integer, ...).
 */
export function encodeMetadataBlock(block: MetadataBlock, options: EncodeMetadataBlockOptions = {}): Uint8Array {
  const version = options.version ?? 3;
  if (version !== 2 && version !== 3) throw new RangeError(`version: expected 2 or 3, got ${String(version)}`);
  // The block's own builder is reused: its bytes are copied into the manifest before the next call.
  const builder = contentBuilder;
  builder.clear();
  const root = encodeTable(
    { builder, structAlign: version === 3 ? 4 : 1 },
    MetadataBlockTable,
    block as unknown as Record<string, unknown>,
    "block",
  );
  builder.finish(root);
  const content = builder.asUint8Array();

  const manifest = new Builder(content.length + 48);
  const contentOffset = manifest.createByteVector(content);
  manifest.startObject(3);
  manifest.addFieldInt64(0, METADATA_BLOCK_KIND_BIG, BigInt(0));
  manifest.addFieldInt32(1, version, 0);
  manifest.addFieldOffset(2, contentOffset, 0);
  manifest.finish(manifest.endObject());
  return manifest.asUint8Array();
}

/** A decoded metadata block and the manifest version it was written with. */
export type DecodeMetadataBlockReturnType = { block: MetadataBlock; version: ManifestVersion };

/**
 * Decodes manifest bytes of a metadata block (manifest versions 2 and 3). Every offset is validated:
 * hostile or damaged input fails with `BlockDecodeError` or a subclass
 * (`UnexpectedManifestKindError`, `UnsupportedManifestVersionError`, `UnknownUnionTagError`).
 */
export function decodeMetadataBlock(bytes: Uint8Array): DecodeMetadataBlockReturnType {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("bytes: expected Uint8Array");
  if (bytes.length < 12) throw new BlockDecodeError(`Metadata block is truncated (${bytes.length} bytes)`);
  try {
    const r = createReader(bytes);
    const c = openTable(r, rootTable(r, "manifest"), "manifest");
    const kindAt = fieldPos(r, c, 0, 8, "manifest.kind");
    const kind = kindAt === 0 ? BigInt(0) : r.view.getBigInt64(kindAt, true);
    if (kind !== METADATA_BLOCK_KIND_BIG) {
      throw new UnexpectedManifestKindError({ kind, expected: METADATA_BLOCK_KIND_BIG });
    }
    const versionAt = fieldPos(r, c, 1, 4, "manifest.version");
    const version = versionAt === 0 ? 0 : r.view.getInt32(versionAt, true);
    if (version !== 2 && version !== 3) throw new UnsupportedManifestVersionError({ version });
    const contentAt = fieldPos(r, c, 2, 4, "manifest.content");
    if (contentAt === 0) throw new BlockDecodeError("Manifest has no content");
    const content = readByteVector(r, contentAt, "manifest.content");
    if (content.length < 12)
      throw new BlockDecodeError(`Metadata block content is truncated (${content.length} bytes)`);
    const cr = createReader(content);
    const block = decodeTable(cr, deref(cr, 0, "block"), MetadataBlockTable, "block", 0) as unknown as MetadataBlock;
    return { block, version };
  } catch (error) {
    if (error instanceof OdfFormatError) throw error;
    // Anything else escaping the checks above (a RangeError from DataView) is still a decode failure.
    throw new BlockDecodeError(`Malformed metadata block: ${(error as Error).message}`, { cause: error });
  }
}

/** The block hash: multihash SHA3-256 of the exact manifest bytes, as `f1620...`. */
export function blockHash(manifestBytes: Uint8Array): string {
  return sha3MultihashString(manifestBytes);
}
