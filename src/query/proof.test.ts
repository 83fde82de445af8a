import { readFileSync } from "node:fs";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { hexToBytes } from "@noble/hashes/utils.js";
import { base64url } from "multiformats/bases/base64";
import { describe, expect, test } from "vitest";
import { canonicalJsonBytes } from "./canonicalJson";
import { computeCommitment, sha3Multihash } from "./commitment";
import { nodeKeyFromSecret, publicKeyFromDidKey, signCommitment, verifyCommitmentSignature } from "./proof";

const identity = JSON.parse(readFileSync(path.join(__dirname, "../../test/vectors/identity.json"), "utf8")) as {
  cases: { ed25519SecretHex: string; publicKeyHex: string; didKey: string }[];
  multihash: Record<string, string>;
};
const vector = identity.cases[0]!;
const key = nodeKeyFromSecret(hexToBytes(vector.ed25519SecretHex));

describe("proof", () => {
  test("nodeKeyFromSecret: public key and did:key match the identity vector", () => {
    expect(Buffer.from(key.publicKey).toString("hex")).toBe(vector.publicKeyHex);
    expect(key.did).toBe(vector.didKey);
    expect(Buffer.from(publicKeyFromDidKey(vector.didKey)!).toString("hex")).toBe(vector.publicKeyHex);
  });

  test("sha3Multihash: matches the vector for canonical JSON []", () => {
    expect(sha3Multihash([])).toBe(identity.multihash["sha3-256 of canonical JSON '[]'"]);
    expect(computeCommitment({ input: null, output: null, subQueries: [] }).subQueriesHash).toBe(
      identity.multihash["sha3-256 of canonical JSON '[]'"],
    );
  });

  test("signCommitment: Ed25519Signature2020 with did:key and u-base64url signature that verifies", () => {
    const commitment = computeCommitment({ input: { a: 1 }, output: { b: 2 }, subQueries: [] });
    const proof = signCommitment(commitment, key);
    expect(proof.type).toBe("Ed25519Signature2020");
    expect(proof.verificationMethod).toBe(vector.didKey);
    expect(proof.proofValue).toMatch(/^u[A-Za-z0-9_-]{86}$/);
    expect(verifyCommitmentSignature(commitment, proof)).toBe(true);
    // ed25519 is deterministic: the same commitment gives the same signature.
    expect(signCommitment(commitment, key).proofValue).toBe(proof.proofValue);
    // A plain RFC 8032 signature over the canonical JSON of the commitment (checked with noble).
    const signature = base64url.decode(proof.proofValue);
    expect(ed25519.verify(signature, canonicalJsonBytes(commitment), key.publicKey)).toBe(true);
    expect(
      Buffer.from(signature).equals(Buffer.from(ed25519.sign(canonicalJsonBytes(commitment), key.secretKey))),
    ).toBe(true);
  });

  test("verifyCommitmentSignature: rejects another commitment, key, or a malformed proof value", () => {
    const commitment = computeCommitment({ input: { a: 1 }, output: { b: 2 }, subQueries: [] });
    const proof = signCommitment(commitment, key);
    const other = nodeKeyFromSecret(new Uint8Array(32).fill(1));
    expect(verifyCommitmentSignature({ ...commitment, outputHash: sha3Multihash(3) }, proof)).toBe(false);
    expect(verifyCommitmentSignature(commitment, { ...proof, verificationMethod: other.did })).toBe(false);
    expect(verifyCommitmentSignature(commitment, { ...proof, verificationMethod: "did:key:zzz" })).toBe(false);
    expect(verifyCommitmentSignature(commitment, { ...proof, proofValue: proof.proofValue.slice(1) })).toBe(false);
    expect(verifyCommitmentSignature(commitment, { ...proof, proofValue: `${proof.proofValue}A` })).toBe(false);
  });
});
