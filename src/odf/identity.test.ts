import { hexToBytes } from "@noble/hashes/utils.js";
import { describe, expect, test } from "vitest";
import vectors from "../../test/vectors/identity.json";
import { InvalidDatasetIdError } from "./errors";
import {
  datasetIdFromBytes,
  datasetIdFromPublicKey,
  datasetIdToBytes,
  datasetKeyFromSecret,
  generateDatasetKey,
  normalizeDatasetId,
  parseDatasetId,
} from "./identity";
import { multibaseEncodeBase64Url } from "./multibase";

describe("identity", () => {
  for (const v of vectors.cases) {
    test(`known answer: secret ${v.ed25519SecretHex.slice(0, 8)}...`, () => {
      const pair = datasetKeyFromSecret(hexToBytes(v.ed25519SecretHex));
      const id = datasetIdFromPublicKey(pair.publicKey);
      expect(Buffer.from(pair.publicKey).toString("hex")).toBe(v.publicKeyHex);
      expect(id.didOdf).toBe(v.didOdf);
      expect(id.didOdf).toHaveLength(77);
      expect(id.didKey).toBe(v.didKey);
      expect(id.bytes).toHaveLength(34);
    });

    test("parseDatasetId: accepts did:odf (f, F, u, z) and did:key forms of the same key", () => {
      const bytes = datasetIdToBytes(v.didOdf);
      const forms = [
        v.didOdf,
        `did:odf:F${v.didOdf.slice(9).toUpperCase()}`,
        `did:odf:${multibaseEncodeBase64Url(bytes)}`,
        `did:odf:${v.didKey.slice(8)}`,
        v.didKey,
      ];
      for (const form of forms) {
        const id = parseDatasetId(form);
        expect(id.didOdf).toBe(v.didOdf);
        expect(id.didKey).toBe(v.didKey);
        expect(Buffer.from(id.publicKey).toString("hex")).toBe(v.publicKeyHex);
      }
      expect(normalizeDatasetId(v.didKey)).toBe(v.didOdf);
      expect(datasetIdFromBytes(bytes).didOdf).toBe(v.didOdf);
    });
  }

  test("generateDatasetKey: fresh keys give distinct valid ids", () => {
    const a = datasetIdFromPublicKey(generateDatasetKey().publicKey);
    const b = datasetIdFromPublicKey(generateDatasetKey().publicKey);
    expect(a.didOdf).not.toBe(b.didOdf);
    expect(parseDatasetId(a.didKey).didOdf).toBe(a.didOdf);
  });

  test("parseDatasetId: rejects malformed ids with one-line errors", () => {
    expect(() => parseDatasetId("odf:fed01")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidDatasetIdError: Not a dataset id (expected did:odf: or did:key:): "odf:fed01"]`,
    );
    expect(() => parseDatasetId("did:odf:fed01aa")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidDatasetIdError: Invalid dataset id "did:odf:fed01aa": not an ed25519 public key (ed01 + 32 bytes)]`,
    );
    expect(() => parseDatasetId("did:odf:xabc")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidDatasetIdError: Invalid dataset id "did:odf:xabc": Unsupported multibase prefix "x" (expected f, F, u or z)]`,
    );
    expect(() => datasetIdFromBytes(new Uint8Array(34))).toThrow(InvalidDatasetIdError);
    expect(() => datasetKeyFromSecret(new Uint8Array(31))).toThrow(TypeError);
  });
});
