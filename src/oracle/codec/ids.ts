import type { DatasetId } from "./types";

const DID_PATTERN = /^did:odf:f([eE][dD]01[0-9a-fA-F]{64})$/;
const HASH_PATTERN = /^f(1620[0-9a-fA-F]{64})$/;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** `did:odf:fed01<64 hex>` to its 34 id bytes, or undefined when malformed. */
export function datasetIdToBytes(id: string): Uint8Array | undefined {
  const m = DID_PATTERN.exec(id);
  return m?.[1] ? hexToBytes(m[1]) : undefined;
}

/** 34 id bytes (`0xed01` + public key) to `did:odf:f...`, or undefined when malformed. */
export function datasetIdFromBytes(bytes: Uint8Array): DatasetId | undefined {
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) return undefined;
  return `did:odf:f${bytesToHex(bytes)}`;
}

/** A block hash in multibase base16 (`f1620<64 hex>`) to its 34 multihash bytes, or undefined. */
export function blockHashToBytes(hash: string): Uint8Array | undefined {
  const m = HASH_PATTERN.exec(hash);
  return m?.[1] ? hexToBytes(m[1]) : undefined;
}

/** 34 multihash bytes (`0x1620` + 32) to multibase base16 `f1620...`, or undefined. */
export function blockHashFromBytes(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 34 || bytes[0] !== 0x16 || bytes[1] !== 0x20) return undefined;
  return `f${bytesToHex(bytes)}`;
}

/** Lowercase hex of bytes (no prefix), as the protocol writes binary columns. */
export function toHexText(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}
