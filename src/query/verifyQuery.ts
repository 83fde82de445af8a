import { DatasetBlockNotFoundError, DatasetNotFoundError } from "../engines/errors";
import { sha3Multihash } from "./commitment";
import { InvalidQueryRequestError, RequestSchemaError } from "./errors";
import { type ExecuteQueryDeps, executeQuery } from "./executeQuery";
import { isJsonObject, type JsonValue } from "./jsonValue";
import { verifyCommitmentSignature } from "./proof";
import { formatZodIssues, type VerifyRequest, verifyRequestSchema } from "./queryRequest";
import { asJson } from "./runQuery";

/** Kinds of `/verify` failures (the ODF node's names). */
export type VerifyErrorKind =
  | "InvalidRequest::InputHash"
  | "InvalidRequest::SubQueriesHash"
  | "InvalidRequest::BadSignature"
  | "VerificationFailed::OutputMismatch"
  | "VerificationFailed::DatasetNotFound"
  | "VerificationFailed::DatasetBlockNotFound";

/** Why a response did not verify; extra fields use the ODF node's snake_case names. */
export type VerifyError = {
  kind: VerifyErrorKind;
  message: string;
  expected_hash?: string;
  actual_hash?: string;
  dataset_id?: string;
  block_hash?: string;
};

/** Outcome of `/verify`: `{ ok: true }` or `{ ok: false, error }`. */
export type VerifyResult = { ok: true } | { ok: false; error: VerifyError };

const INVALID = "The commitment is invalid and cannot be disputed";

/**
 * Offline part of verification (no engine): the proof type, `commitment.inputHash` against the
 * canonical JSON of `input` exactly as given, `subQueriesHash` likewise, the ed25519 signature over
 * the commitment and, when the response carries `output`, `outputHash` against it. Returns the
 * first failure in that order, or `undefined` when all hold. `body` must be the parsed JSON
 * (`parseJson`, so floats keep their kind) and already match `verifyRequestSchema`.
 */
export function checkSignedResponse(body: JsonValue, request: VerifyRequest): VerifyError | undefined {
  const raw = isJsonObject(body) ? body : {};
  if (request.proof.type !== "Ed25519Signature2020") {
    return {
      kind: "InvalidRequest::BadSignature",
      message: `${INVALID}: unsupported proof type ${JSON.stringify(request.proof.type)} (expected Ed25519Signature2020)`,
    };
  }
  if (sha3Multihash(raw.input ?? null) !== request.commitment.inputHash) {
    return {
      kind: "InvalidRequest::InputHash",
      message: `${INVALID}: commitment.inputHash doesn't match the hash of input object`,
    };
  }
  if (sha3Multihash(raw.subQueries ?? null) !== request.commitment.subQueriesHash) {
    return {
      kind: "InvalidRequest::SubQueriesHash",
      message: `${INVALID}: commitment.subQueriesHash doesn't match the hash of subQueries object`,
    };
  }
  if (!verifyCommitmentSignature(request.commitment, request.proof)) {
    return {
      kind: "InvalidRequest::BadSignature",
      message: `${INVALID}: the signature does not match the commitment and ${request.proof.verificationMethod}`,
    };
  }
  if (raw.output !== undefined) {
    const actual = sha3Multihash(raw.output);
    if (actual !== request.commitment.outputHash) {
      return {
        kind: "VerificationFailed::OutputMismatch",
        message: "The output given with the response does not match commitment.outputHash",
        expected_hash: request.commitment.outputHash,
        actual_hash: actual,
      };
    }
  }
  return undefined;
}

/** Parses a `/verify` body; throws `RequestSchemaError` naming the first bad key. */
export function parseVerifyRequest(body: JsonValue): VerifyRequest {
  const parsed = verifyRequestSchema.safeParse(body);
  if (!parsed.success) throw new RequestSchemaError(formatZodIssues(parsed.error));
  return parsed.data;
}

/**
 * Verifies a signed `/query` response (`POST /verify`): the offline checks of
 * `checkSignedResponse`, then replays the query at the recorded block hashes and compares the
 * output hash. Dataset lookups that fail become `VerificationFailed::DatasetNotFound` /
 * `DatasetBlockNotFound`; other engine errors are thrown. Throws `InvalidQueryRequestError` for a
 * body that is not a signed response or an input that does not pin every dataset.
 */
export async function verifyQuery(deps: ExecuteQueryDeps, body: JsonValue): Promise<VerifyResult> {
  const request = parseVerifyRequest(body);
  const offline = checkSignedResponse(body, request);
  if (offline) return { ok: false, error: offline };

  const datasets = request.input.datasets;
  if (!datasets) throw new InvalidQueryRequestError("input.datasets is required to replay a query");
  const unpinned = datasets.findIndex((d) => d.blockHash === undefined);
  if (unpinned >= 0) throw new InvalidQueryRequestError(`input.datasets.${unpinned}.blockHash is required to replay`);

  let replayed: Awaited<ReturnType<typeof executeQuery>>;
  try {
    replayed = await executeQuery(deps, { ...request.input, datasets });
  } catch (error) {
    if (error instanceof DatasetBlockNotFoundError) {
      return {
        ok: false,
        error: {
          kind: "VerificationFailed::DatasetBlockNotFound",
          message: `Unable to reproduce the query: dataset ${error.datasetId} has no block ${error.blockHash}`,
          dataset_id: error.datasetId,
          block_hash: error.blockHash,
        },
      };
    }
    if (error instanceof DatasetNotFoundError) {
      return {
        ok: false,
        error: {
          kind: "VerificationFailed::DatasetNotFound",
          message: `Unable to reproduce the query: dataset ${error.datasetId} is not on this node`,
          dataset_id: error.datasetId,
        },
      };
    }
    throw error;
  }
  const actual = sha3Multihash(asJson(replayed.output));
  if (actual !== request.commitment.outputHash) {
    const engineNote =
      request.engine &&
      (request.engine.name !== replayed.engine.name || request.engine.version !== replayed.engine.version)
        ? ` (the response names engine ${request.engine.name} ${request.engine.version}; this node runs ${replayed.engine.name} ${replayed.engine.version})`
        : "";
    return {
      ok: false,
      error: {
        kind: "VerificationFailed::OutputMismatch",
        message: `Query was reproduced but resulted in an output hash different from the commitment${engineNote}`,
        expected_hash: request.commitment.outputHash,
        actual_hash: actual,
      },
    };
  }
  return { ok: true };
}
