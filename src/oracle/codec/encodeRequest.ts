import { CborWriter } from "./cbor";
import { CodecEncodeError } from "./errors";
import { datasetIdToBytes } from "./ids";
import type { OracleRequest } from "./types";

/**
 * Encodes a request exactly as the Solidity `OdfRequest` builder does (DESIGN 4.2): the
 * indefinite-length array `[1, ("ds", alias, idBytes)*, "sql", sql]`.
 * @throws CodecEncodeError when a dataset id is not `did:odf:fed01<64 hex>`.
 */
export function encodeRequest(request: OracleRequest): Uint8Array {
  const w = new CborWriter().raw([0x9f]).int(1);
  for (const ds of request.datasets) {
    const id = datasetIdToBytes(ds.id);
    if (!id) throw new CodecEncodeError(`invalid dataset id for alias "${ds.alias}": ${ds.id}`);
    w.text("ds").text(ds.alias).bytes(id);
  }
  return w.text("sql").text(request.sql).raw([0xff]).finish();
}
