import { InvalidDatasetIdError, OdfFormatError } from "./errors";
import { multibaseDecode, multibaseEncode, multibaseEncodeBase58 } from "./multibase";

/** Multicodec varint of an ed25519 public key (0xed), as it prefixes the key in ids: `ed 01`. */
const ED25519_PUB_PREFIX_0 = 0xed;
const ED25519_PUB_PREFIX_1 = 0x01;
const KEY_LENGTH = 32;
/** Length of a dataset id's binary form: `ed 01 || publicKey`. */
export const DATASET_ID_BYTES = 34;

/** An ed25519 key pair owning a dataset (or identifying a node). */
export type DatasetKeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

/** A parsed dataset id in all its forms. */
export type DatasetId = {
  /** The ed25519 public key (32 bytes). */
  publicKey: Uint8Array;
  /** Binary form, `ed 01 || publicKey` (34 bytes), as stored in metadata blocks. */
  bytes: Uint8Array;
  /** `did:odf:f` + hex of `bytes` (77 chars). */
  didOdf: string;
  /** `did:key:z` + base58btc of `bytes`. */
  didKey: string;
};

/**
 * The ed25519 implementation, loaded on first use: only creating datasets and keys needs it, and
 * loading it costs ~15 ms of every CLI start (`odf ingest`, `odf log`, ...).
 */
function ed25519(): typeof import("@noble/curves/ed25519.js").ed25519 {
  return (require("@noble/curves/ed25519.js") as typeof import("@noble/curves/ed25519.js")).ed25519;
}

/** Generates a fresh random ed25519 key pair for a new dataset. */
export function generateDatasetKey(): DatasetKeyPair {
  const { secretKey, publicKey } = ed25519().keygen();
  return { secretKey, publicKey };
}

/** Derives the key pair of a 32-byte ed25519 secret key. */
export function datasetKeyFromSecret(secretKey: Uint8Array): DatasetKeyPair {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== KEY_LENGTH) {
    throw new TypeError(`secretKey: expected 32 bytes, got ${describeLength(secretKey)}`);
  }
  return { secretKey, publicKey: ed25519().getPublicKey(secretKey) };
}

/** Builds every form of the dataset id of an ed25519 public key. */
export function datasetIdFromPublicKey(publicKey: Uint8Array): DatasetId {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== KEY_LENGTH) {
    throw new TypeError(`publicKey: expected 32 bytes, got ${describeLength(publicKey)}`);
  }
  const bytes = new Uint8Array(DATASET_ID_BYTES);
  bytes[0] = ED25519_PUB_PREFIX_0;
  bytes[1] = ED25519_PUB_PREFIX_1;
  bytes.set(publicKey, 2);
  return {
    publicKey: bytes.slice(2),
    bytes,
    didOdf: `did:odf:${multibaseEncode(bytes)}`,
    didKey: `did:key:${multibaseEncodeBase58(bytes)}`,
  };
}

/** Parses the 34-byte binary form (`ed 01 || publicKey`). Throws `InvalidDatasetIdError`. */
export function datasetIdFromBytes(bytes: Uint8Array): DatasetId {
  if (bytes.length !== DATASET_ID_BYTES || bytes[0] !== ED25519_PUB_PREFIX_0 || bytes[1] !== ED25519_PUB_PREFIX_1) {
    throw new InvalidDatasetIdError(
      `Dataset id bytes must be ed01 followed by a 32-byte ed25519 key (got ${bytes.length} bytes)`,
    );
  }
  return datasetIdFromPublicKey(bytes.subarray(2));
}

/**
 * Parses a dataset id given as `did:odf:<multibase>` (any of `f`, `F`, `u`, `z`) or `did:key:z...`.
 * Throws `InvalidDatasetIdError` with a one-line reason.
 */
export function parseDatasetId(text: string): DatasetId {
  let body: string;
  if (text.startsWith("did:odf:")) body = text.slice(8);
  else if (text.startsWith("did:key:")) body = text.slice(8);
  else throw new InvalidDatasetIdError(`Not a dataset id (expected did:odf: or did:key:): ${preview(text)}`);
  let bytes: Uint8Array;
  try {
    bytes = multibaseDecode(body);
  } catch (cause) {
    const reason = cause instanceof OdfFormatError ? cause.shortMessage : String(cause);
    throw new InvalidDatasetIdError(`Invalid dataset id ${preview(text)}: ${reason}`, { cause });
  }
  if (bytes.length !== DATASET_ID_BYTES || bytes[0] !== ED25519_PUB_PREFIX_0 || bytes[1] !== ED25519_PUB_PREFIX_1) {
    throw new InvalidDatasetIdError(`Invalid dataset id ${preview(text)}: not an ed25519 public key (ed01 + 32 bytes)`);
  }
  return datasetIdFromBytes(bytes);
}

/** Normalizes any accepted dataset id form to the canonical `did:odf:f...` text. */
export function normalizeDatasetId(text: string): string {
  return parseDatasetId(text).didOdf;
}

/** The 34-byte binary form of a dataset id given as text. */
export function datasetIdToBytes(text: string): Uint8Array {
  return parseDatasetId(text).bytes;
}

function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 90 ? `${text.slice(0, 87)}...` : text);
}
