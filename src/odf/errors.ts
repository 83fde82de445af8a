import { BaseError, type BaseErrorParameters } from "../errors/base";

/** Root of the ODF format errors: multiformats, identities, block codec, YAML manifests. */
export class OdfFormatError extends BaseError {
  override name = "OdfFormatError";
}

/** A multibase string has an unsupported prefix or characters outside its alphabet. */
export class MultibaseDecodeError extends OdfFormatError {
  override name = "MultibaseDecodeError";
}

/** Bytes or text that are not a well-formed multihash (bad varints, length mismatch). */
export class InvalidMultihashError extends OdfFormatError {
  override name = "InvalidMultihashError";
}

/** Text or bytes that are not an ed25519 dataset id (`did:odf:`, `did:key:` or the 34-byte form). */
export class InvalidDatasetIdError extends OdfFormatError {
  override name = "InvalidDatasetIdError";
}

/** A timestamp string that is not RFC 3339, or a binary timestamp out of range. */
export class InvalidTimestampError extends OdfFormatError {
  override name = "InvalidTimestampError";
}

/** A metadata block's bytes cannot be decoded (truncated, garbage, offsets out of range, bad values). */
export class BlockDecodeError extends OdfFormatError {
  override name = "BlockDecodeError";
}

/** The manifest wraps something other than a metadata block (kind is not 0x400000). */
export class UnexpectedManifestKindError extends BlockDecodeError {
  override name = "UnexpectedManifestKindError";
  readonly kind: bigint;
  constructor(params: { kind: bigint; expected: bigint } & BaseErrorParameters) {
    super(
      `Manifest kind 0x${params.kind.toString(16)} is not a metadata block (0x${params.expected.toString(16)})`,
      params,
    );
    this.kind = params.kind;
  }
}

/** The manifest version is not one this codec reads (2 or 3). */
export class UnsupportedManifestVersionError extends BlockDecodeError {
  override name = "UnsupportedManifestVersionError";
  readonly version: number;
  constructor(params: { version: number } & BaseErrorParameters) {
    super(`Unsupported metadata block manifest version ${params.version} (supported: 2, 3)`, params);
    this.version = params.version;
  }
}

/** A union type tag that the v0.38 schema does not define. */
export class UnknownUnionTagError extends BlockDecodeError {
  override name = "UnknownUnionTagError";
  readonly union: string;
  readonly tag: number;
  constructor(params: { union: string; tag: number; path: string } & BaseErrorParameters) {
    super(`Unknown ${params.union} union tag ${params.tag} at ${params.path}`, params);
    this.union = params.union;
    this.tag = params.tag;
  }
}

/** A YAML/JSON manifest does not match the schema; `path` names the offending field. */
export class ManifestValidationError extends OdfFormatError {
  override name = "ManifestValidationError";
  readonly path: string;
  constructor(params: { path: string; problem: string } & BaseErrorParameters) {
    super(`${params.path}: ${params.problem}`, params);
    this.path = params.path;
  }
}
