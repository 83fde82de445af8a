import { type CborItem, CborReader } from "./cbor";
import { RequestDecodeError } from "./errors";
import { datasetIdFromBytes } from "./ids";
import type { OracleRequest, RequestDataset } from "./types";

function describe(item: CborItem): string {
  if (item instanceof Uint8Array) return `bytes(${item.length})`;
  if (Array.isArray(item)) return "array";
  if (typeof item === "string") return JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}...` : item);
  return String(item);
}

/**
 * Decodes request bytes from a `SendRequest` event (DESIGN 4.2). Accepts definite and indefinite
 * arrays. A wrong version, an unknown key, a missing or repeated `sql`, or a malformed dataset id
 * throws `RequestDecodeError` (the provider answers those on chain with an error response).
 */
export function decodeRequest(bytes: Uint8Array): OracleRequest {
  let items: CborItem;
  const reader = new CborReader(bytes, { allowIndefinite: true });
  try {
    items = reader.read();
  } catch (cause) {
    throw new RequestDecodeError(`malformed request CBOR: ${(cause as Error).message}`, { cause });
  }
  if (!reader.done) throw new RequestDecodeError(`trailing bytes after the request at byte ${reader.pos}`);
  if (!Array.isArray(items)) throw new RequestDecodeError(`request is not an array but ${describe(items)}`);
  if (items[0] !== 1) throw new RequestDecodeError(`unsupported request version ${describe(items[0])}, expected 1`);
  const datasets: RequestDataset[] = [];
  let sql: string | undefined;
  let i = 1;
  const next = (what: string): CborItem => {
    if (i >= items.length) throw new RequestDecodeError(`request ends where ${what} was expected`);
    return items[i++];
  };
  while (i < items.length) {
    const key = next("a key");
    if (key === "ds") {
      const alias = next("a dataset alias");
      if (typeof alias !== "string") throw new RequestDecodeError(`dataset alias is ${describe(alias)}, not text`);
      const idBytes = next(`the id of dataset "${alias}"`);
      const id = idBytes instanceof Uint8Array ? datasetIdFromBytes(idBytes) : undefined;
      if (!id) {
        throw new RequestDecodeError(
          `malformed id of dataset "${alias}": ${describe(idBytes)}, expected 34 bytes starting 0xed01`,
        );
      }
      datasets.push({ alias, id });
    } else if (key === "sql") {
      if (sql !== undefined) throw new RequestDecodeError("request has more than one sql key");
      const text = next("the sql text");
      if (typeof text !== "string") throw new RequestDecodeError(`sql is ${describe(text)}, not text`);
      sql = text;
    } else {
      throw new RequestDecodeError(`unknown request key ${describe(key)}`);
    }
  }
  if (sql === undefined) throw new RequestDecodeError("request has no sql");
  return { datasets, sql };
}
