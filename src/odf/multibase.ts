import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { base58btc } from "multiformats/bases/base58";
import { base64url } from "multiformats/bases/base64";
import { MultibaseDecodeError } from "./errors";

/** Multibase prefixes accepted on input: base16 (`f`, `F`), base64url without padding (`u`), base58btc (`z`). */
export type MultibasePrefix = "f" | "F" | "u" | "z";

const HEX = /^[0-9a-fA-F]*$/;

/** Formats bytes as multibase base16 (`f` + lowercase hex), the form ODF prints hashes and ids in. */
export function multibaseEncode(bytes: Uint8Array): string {
  return `f${bytesToHex(bytes)}`;
}

/** Formats bytes as multibase base58btc (`z...`), as used by `did:key`. */
export function multibaseEncodeBase58(bytes: Uint8Array): string {
  return base58btc.encode(bytes);
}

/** Formats bytes as multibase base64url without padding (`u...`). */
export function multibaseEncodeBase64Url(bytes: Uint8Array): string {
  return base64url.encode(bytes);
}

/**
 * Decodes a multibase string with prefix `f`/`F` (base16), `u` (base64url, no padding) or `z` (base58btc).
 * Throws `MultibaseDecodeError` naming the problem for any other prefix or a character outside the alphabet.
 */
export function multibaseDecode(text: string): Uint8Array {
  if (typeof text !== "string" || text.length === 0) throw new MultibaseDecodeError("Empty multibase string");
  const prefix = text[0];
  const body = text.slice(1);
  switch (prefix) {
    case "f":
    case "F":
      if (body.length % 2 !== 0 || !HEX.test(body)) {
        throw new MultibaseDecodeError(`Invalid base16 multibase string: ${preview(text)}`);
      }
      return hexToBytes(body.toLowerCase());
    case "u":
      try {
        return base64url.decode(text);
      } catch (cause) {
        throw new MultibaseDecodeError(`Invalid base64url multibase string: ${preview(text)}`, { cause });
      }
    case "z":
      try {
        return base58btc.decode(text);
      } catch (cause) {
        throw new MultibaseDecodeError(`Invalid base58btc multibase string: ${preview(text)}`, { cause });
      }
    default:
      throw new MultibaseDecodeError(`Unsupported multibase prefix ${JSON.stringify(prefix)} (expected f, F, u or z)`);
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
