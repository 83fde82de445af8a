import { BaseError } from "../../errors/base";

/** Request bytes from `SendRequest` are not a valid v1 request (answered on chain as an error). */
export class RequestDecodeError extends BaseError {
  override name = "RequestDecodeError";
}

/** Response bytes are not a valid v1 response. */
export class ResponseDecodeError extends BaseError {
  override name = "ResponseDecodeError";
}

/** A value cannot be put into a request or a response (bad dataset id, block hash or integer). */
export class CodecEncodeError extends BaseError {
  override name = "CodecEncodeError";
}
