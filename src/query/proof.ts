import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { base64url } from "multiformats/bases/base64";
import { datasetIdFromPublicKey, parseDatasetId } from "../odf/identity";
import { canonicalJsonBytes } from "./canonicalJson";
import type { Commitment } from "./commitment";

/** The proof block of a signed response (a W3C `Ed25519Signature2020` data-integrity proof). */
export type Proof = {
  type: "Ed25519Signature2020";
  /** The signing node's public key, `did:key:z6Mk...`. */
  verificationMethod: string;
  /** `u` + base64url (no padding) of the ed25519 signature over the canonical JSON of the commitment. */
  proofValue: string;
};

/** The node's signing key: an ed25519 key pair. */
export type NodeKey = {
  /** 32-byte ed25519 secret seed. */
  secretKey: Uint8Array;
  /** 32-byte ed25519 public key. */
  publicKey: Uint8Array;
  /** The public key as `did:key:z...`. */
  did: string;
};

/** Builds a node key from its 32-byte secret seed. */
export function nodeKeyFromSecret(secretKey: Uint8Array): NodeKey {
  if (secretKey.length !== 32) throw new RangeError(`secretKey must be 32 bytes, got ${secretKey.length}`);
  const publicKey = ed25519.getPublicKey(secretKey);
  return { secretKey, publicKey, did: datasetIdFromPublicKey(publicKey).didKey };
}

/** The ed25519 public key of a `did:key:z6Mk...`, or `undefined` when it is not one. */
export function publicKeyFromDidKey(did: string): Uint8Array | undefined {
  if (!did.startsWith("did:key:z")) return undefined;
  try {
    const id = parseDatasetId(did);
    // Only the canonical spelling is accepted, so one key has one verificationMethod.
    return id.didKey === did ? id.publicKey : undefined;
  } catch {
    return undefined;
  }
}

// DER prefixes of an ed25519 PKCS#8 private key and SPKI public key; the raw 32 bytes follow.
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
const privateKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

// ed25519 through node:crypto (OpenSSL): the same deterministic signatures as noble, ~50x faster.
function privateKeyObject(secretKey: Uint8Array): KeyObject {
  let key = privateKeys.get(secretKey);
  if (!key) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, secretKey]), format: "der", type: "pkcs8" });
    privateKeys.set(secretKey, key);
  }
  return key;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString("hex");
  let key = publicKeys.get(cacheKey);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: "der", type: "spki" });
    if (publicKeys.size >= 1024) publicKeys.clear();
    publicKeys.set(cacheKey, key);
  }
  return key;
}

/** Signs a commitment with the node key: the `proof` block of a response. */
export function signCommitment(commitment: Commitment, key: NodeKey): Proof {
  const signature = sign(null, canonicalJsonBytes(commitmentValue(commitment)), privateKeyObject(key.secretKey));
  return { type: "Ed25519Signature2020", verificationMethod: key.did, proofValue: base64url.encode(signature) };
}

/**
 * Checks a proof's signature over a commitment. Returns false for a wrong signature, a
 * `verificationMethod` that is not an ed25519 `did:key`, or a `proofValue` that is not a
 * `u`-base64url 64-byte signature. Does not check the proof type (the caller reports that).
 */
export function verifyCommitmentSignature(
  commitment: Commitment,
  proof: Pick<Proof, "verificationMethod" | "proofValue">,
): boolean {
  const publicKey = publicKeyFromDidKey(proof.verificationMethod);
  if (!publicKey) return false;
  let signature: Uint8Array;
  try {
    signature = base64url.decode(proof.proofValue);
  } catch {
    return false;
  }
  if (signature.length !== 64) return false;
  // The encoding must be the one we would produce (no alternative spellings of the same bytes).
  if (base64url.encode(signature) !== proof.proofValue) return false;
  try {
    return verify(null, canonicalJsonBytes(commitmentValue(commitment)), publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

function commitmentValue(commitment: Commitment): Commitment {
  return {
    inputHash: commitment.inputHash,
    outputHash: commitment.outputHash,
    subQueriesHash: commitment.subQueriesHash,
  };
}
