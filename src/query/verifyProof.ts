import type { JsonValue } from "./jsonValue";
import { checkSignedResponse, parseVerifyRequest, type VerifyResult } from "./verifyQuery";

/**
 * Checks a signed `/query` response offline, without datasets or an engine: the proof type, the
 * input and sub-queries hashes, the ed25519 signature over the commitment, and the output hash
 * when the response carries its output. `body` is the response parsed with `parseJson` (so floats
 * keep their kind). Throws `RequestSchemaError` when it is not a signed response.
 */
export function verifyProof(body: JsonValue): VerifyResult {
  const request = parseVerifyRequest(body);
  const error = checkSignedResponse(body, request);
  return error ? { ok: false, error } : { ok: true };
}
