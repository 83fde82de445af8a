import { CborFloat, type CborItem, CborReader } from "./cbor";
import { ResponseDecodeError } from "./errors";
import { blockHashFromBytes, datasetIdFromBytes } from "./ids";
import type { OracleResponse, ResponseValue, StateEntry } from "./types";

function cell(item: CborItem, row: number, col: number): ResponseValue {
  if (item instanceof CborFloat) return item.value;
  if (item === null || typeof item === "boolean" || typeof item === "number" || typeof item === "bigint") return item;
  if (typeof item === "string") return item;
  throw new ResponseDecodeError(`unsupported value at row ${row}, column ${col}`);
}

/**
 * Decodes response bytes (DESIGN 4.3; definite lengths only). Floats come back as numbers,
 * integers as numbers when safe and bigints otherwise.
 * @throws ResponseDecodeError when the bytes are not a v1 response.
 */
export function decodeResponse(bytes: Uint8Array): OracleResponse {
  const reader = new CborReader(bytes, { allowIndefinite: false });
  let top: CborItem;
  try {
    top = reader.read();
  } catch (cause) {
    throw new ResponseDecodeError(`malformed response CBOR: ${(cause as Error).message}`, { cause });
  }
  if (!reader.done) throw new ResponseDecodeError(`trailing bytes after the response at byte ${reader.pos}`);
  if (!Array.isArray(top) || top[0] !== 1) throw new ResponseDecodeError("response is not a v1 array [1, ok, ...]");
  if (top[1] === false) {
    if (top.length !== 3 || typeof top[2] !== "string") {
      throw new ResponseDecodeError("error response must be [1, false, message]");
    }
    return { ok: false, errorMessage: top[2] };
  }
  const [, ok, rows, legacy, state] = top;
  if (
    top.length !== 5 ||
    ok !== true ||
    !Array.isArray(rows) ||
    !(legacy instanceof Uint8Array) ||
    !Array.isArray(state)
  ) {
    throw new ResponseDecodeError("success response must be [1, true, rows, h'', state]");
  }
  if (state.length % 2 !== 0) throw new ResponseDecodeError("state must hold (dataset id, block hash) pairs");
  const decodedRows = rows.map((row, r) => {
    if (!Array.isArray(row)) throw new ResponseDecodeError(`row ${r} is not an array`);
    return row.map((item, c) => cell(item, r, c));
  });
  const entries: StateEntry[] = [];
  for (let i = 0; i < state.length; i += 2) {
    const id = state[i];
    const hash = state[i + 1];
    const datasetId = id instanceof Uint8Array ? datasetIdFromBytes(id) : undefined;
    const blockHash = hash instanceof Uint8Array ? blockHashFromBytes(hash) : undefined;
    if (!datasetId || !blockHash) throw new ResponseDecodeError(`malformed state pair ${i / 2}`);
    entries.push({ datasetId, blockHash });
  }
  return { ok: true, rows: decodedRows, state: entries };
}
