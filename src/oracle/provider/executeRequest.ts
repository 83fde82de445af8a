import { type Hex, hexToBytes } from "viem";
import { DatasetNotFoundError, ForbiddenQueryError, InvalidQueryError, QueryLimitError } from "../../engines/errors";
import { BaseError } from "../../errors/base";
import { isJsonObject, JsonFloat, type JsonValue } from "../../query/jsonValue";
import { stringifyJson } from "../../query/stringifyJson";
import { decodeRequest } from "../codec/decodeRequest";
import { encodeResponse } from "../codec/encodeResponse";
import { RequestDecodeError } from "../codec/errors";
import type { ResponseValue } from "../codec/types";
import type { QueryRunner } from "./queryRunner";

/** Why a request was answered with an error (the `reason` label of the failure metric). */
export type ErrorReason =
  | "decode"
  | "invalid_sql"
  | "forbidden"
  | "too_many_rows"
  | "too_large"
  | "limit"
  | "execution"
  | "unsupported_value"
  | "unknown_dataset";

/** What executing a request gives: an answer to submit, or "a dataset is not held here". */
export type ExecutionOutcome =
  | {
      kind: "answer";
      response: Uint8Array;
      /** Set for error responses. */
      error?: { reason: ErrorReason; message: string };
      /** The signed `/query` response of a success (JSON text), kept and served at `/requests/{id}`. */
      commitment?: string;
    }
  | { kind: "unknown_dataset"; datasetId: string };

const MAX_ERROR_MESSAGE = 256;

function errorAnswer(reason: ErrorReason, message: string): ExecutionOutcome {
  const text = message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 3)}...` : message;
  return {
    kind: "answer",
    response: encodeResponse({ ok: false, errorMessage: text }),
    error: { reason, message: text },
  };
}

class UnsupportedValueError extends Error {}

function toResponseValue(value: JsonValue): ResponseValue {
  if (value === null || typeof value === "boolean" || typeof value === "string" || typeof value === "bigint")
    return value;
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (value instanceof JsonFloat) return value.value;
  throw new UnsupportedValueError("nested values (lists, structs, maps) cannot be sent; cast them to text in SQL");
}

/**
 * Executes one oracle request: decodes it (DESIGN 4.2), runs its SQL through the runner with the
 * row and byte limits, and encodes the response (DESIGN 4.3). Every problem of the request itself
 * becomes an error response (`[1, false, message]`), never a throw; a dataset this node does not
 * hold gives `unknown_dataset`. Throws only for failures of this node (remote node down, engine
 * closed), which the caller retries.
 */
export async function executeRequest(
  deps: { runner: QueryRunner; maxRows: number; maxResultBytes: number },
  requestBytes: Hex,
): Promise<ExecutionOutcome> {
  let request: ReturnType<typeof decodeRequest>;
  try {
    request = decodeRequest(hexToBytes(requestBytes));
  } catch (error) {
    if (error instanceof RequestDecodeError) return errorAnswer("decode", `Invalid request: ${error.shortMessage}`);
    throw error;
  }
  let result: object;
  try {
    result = await deps.runner.run({
      query: request.sql,
      datasets: request.datasets.map((d) => ({ id: d.id, alias: d.alias })),
      skip: 0,
      limit: deps.maxRows + 1,
    });
  } catch (error) {
    if (error instanceof DatasetNotFoundError) return { kind: "unknown_dataset", datasetId: error.datasetId };
    if (error instanceof InvalidQueryError) return errorAnswer("invalid_sql", error.shortMessage);
    if (error instanceof ForbiddenQueryError) return errorAnswer("forbidden", error.shortMessage);
    if (error instanceof QueryLimitError) {
      if (error.limit === "rows") return errorAnswer("too_many_rows", `Result has more than ${deps.maxRows} rows`);
      if (error.limit === "bytes")
        return errorAnswer("too_large", `Encoded response is larger than ${deps.maxResultBytes} bytes`);
      return errorAnswer("limit", error.shortMessage);
    }
    if (error instanceof BaseError && !error.retryable) return errorAnswer("execution", error.shortMessage);
    throw error;
  }
  const json = result as unknown as JsonValue;
  const output = isJsonObject(json) && isJsonObject(json.output) ? json.output : undefined;
  const input = isJsonObject(json) && isJsonObject(json.input) ? json.input : undefined;
  const data = output?.data;
  if (!Array.isArray(data)) throw new TypeError("query response has no JsonAoA output.data");
  if (data.length > deps.maxRows) return errorAnswer("too_many_rows", `Result has more than ${deps.maxRows} rows`);
  let rows: ResponseValue[][];
  try {
    rows = (data as readonly JsonValue[]).map((row) => (Array.isArray(row) ? row : [row]).map(toResponseValue));
  } catch (error) {
    if (error instanceof UnsupportedValueError) return errorAnswer("unsupported_value", error.message);
    throw error;
  }
  const datasets = Array.isArray(input?.datasets) ? input.datasets : [];
  const state = datasets.filter(isJsonObject).map((d) => ({ datasetId: String(d.id), blockHash: String(d.blockHash) }));
  const response = encodeResponse({ ok: true, rows, state });
  if (response.length > deps.maxResultBytes) {
    return errorAnswer(
      "too_large",
      `Encoded response is ${response.length} bytes, larger than the limit of ${deps.maxResultBytes} bytes`,
    );
  }
  return { kind: "answer", response, commitment: stringifyJson(json) };
}
