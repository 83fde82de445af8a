import type { FastifyPluginAsync } from "fastify";
import type { JsonValue } from "../../query/jsonValue";
import { verifyQuery } from "../../query/verifyQuery";
import type { RouteContext } from "../createServer";
import { sendJson } from "../sendJson";

/**
 * `POST /verify`: checks a signed `/query` response (hashes, signature) and replays it. Answers
 * `200 {ok: true}` or `400 {ok: false, error: {kind, message, ...}}` with the ODF node's kinds.
 * The body is validated inside `verifyQuery` (not by a route schema) because the input hash is
 * computed over the input exactly as sent.
 */
export const verifyRoutes: FastifyPluginAsync<RouteContext> = async (app, ctx) => {
  const deps = { engine: ctx.engine, resolver: ctx.resolver, limits: ctx.limits };
  app.post(
    "/verify",
    {
      schema: {
        summary: "Verify a signed query response by checking its proof and replaying it",
        description:
          "Body: a /query response made with include: [Proof] (output may be left out). Error kinds: " +
          "InvalidRequest::InputHash, InvalidRequest::SubQueriesHash, InvalidRequest::BadSignature, " +
          "VerificationFailed::OutputMismatch, VerificationFailed::DatasetNotFound, VerificationFailed::DatasetBlockNotFound.",
      },
    },
    async (request, reply) => {
      const result = await verifyQuery(deps, request.body as JsonValue);
      ctx.metrics.verifications.inc({ result: result.ok ? "ok" : result.error.kind });
      return sendJson(reply, result.ok ? 200 : 400, result);
    },
  );
};
