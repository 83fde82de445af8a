import { CborWriter } from "./cbor";
import { CodecEncodeError } from "./errors";
import { blockHashToBytes, datasetIdToBytes, toHexText } from "./ids";
import type { ResponseValue } from "./types";

/** A cell as the engine may hand it over: response values plus raw binary (sent as hex text). */
export type EncodableValue = ResponseValue | Uint8Array;

/** The input of `encodeResponse`: rows may contain binary cells, state may be in any order. */
export type EncodeResponseParameters =
  | {
      ok: true;
      rows: readonly (readonly EncodableValue[])[];
      state: readonly { datasetId: string; blockHash: string }[];
    }
  | { ok: false; errorMessage: string };

function writeValue(w: CborWriter, value: EncodableValue, row: number, col: number): void {
  if (value === null) w.null();
  else if (typeof value === "boolean") w.bool(value);
  else if (typeof value === "string") w.text(value);
  else if (typeof value === "bigint") {
    if (value < -(1n << 64n) || value >= 1n << 64n) {
      throw new CodecEncodeError(`integer at row ${row}, column ${col} does not fit 64 bits: ${value}`);
    }
    w.int(value);
  } else if (typeof value === "number") {
    // Integer columns arrive as bigint; a number is a floating-point value even when it is whole
    // (DOUBLE 3.0 stays a float, so a consumer's reader sees one type per column).
    if (Number.isNaN(value)) w.null();
    else w.float(value);
  } else w.text(toHexText(value));
}

/**
 * Encodes a response exactly per DESIGN 4.3 (definite lengths only): success
 * `[1, true, rows, h'', state]` with the state pairs sorted by dataset id, or error
 * `[1, false, message]`. Bigints (integer columns) become CBOR integers (shortest head); numbers
 * (floating-point columns) the shortest exact float even when whole; NaN null; binary lowercase hex text.
 * @throws CodecEncodeError for a malformed dataset id or block hash, or an integer beyond 64 bits.
 */
export function encodeResponse(response: EncodeResponseParameters): Uint8Array {
  const w = new CborWriter();
  if (!response.ok) return w.array(3).int(1).bool(false).text(response.errorMessage).finish();
  w.array(5).int(1).bool(true).array(response.rows.length);
  response.rows.forEach((row, r) => {
    w.array(row.length);
    row.forEach((value, c) => {
      writeValue(w, value, r, c);
    });
  });
  w.bytes(new Uint8Array(0));
  const pairs = response.state.map(({ datasetId, blockHash }) => {
    const id = datasetIdToBytes(datasetId);
    if (!id) throw new CodecEncodeError(`invalid dataset id in state: ${datasetId}`);
    const hash = blockHashToBytes(blockHash);
    if (!hash) throw new CodecEncodeError(`invalid block hash of ${datasetId}: ${blockHash}, expected f1620<64 hex>`);
    return { key: toHexText(id), id, hash };
  });
  pairs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  w.array(pairs.length * 2);
  for (const p of pairs) w.bytes(p.id).bytes(p.hash);
  return w.finish();
}
