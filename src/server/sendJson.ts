import type { FastifyReply } from "fastify";
import type { JsonValue } from "../query/jsonValue";
import { stringifyJson } from "../query/stringifyJson";

/**
 * Sends a JSON reply serialized by `stringifyJson`, so floats keep their kind (`1.0`) and
 * bigints all their digits: a client that re-parses the body with `parseJson` recomputes the same
 * commitment hashes.
 */
export function sendJson(reply: FastifyReply, status: number, value: JsonValue | object): FastifyReply {
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send(stringifyJson(value as JsonValue));
}
