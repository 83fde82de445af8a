import Fastify, { type FastifyInstance } from "fastify";
import { z } from "zod";
import type { JsonValue } from "../../query/jsonValue";
import { parseJson } from "../../query/parseJson";
import { stringifyJson } from "../../query/stringifyJson";
import type { ProviderMetrics } from "./metrics";
import type { Provider } from "./provider";

const requestIdParams = z.strictObject({ id: z.string().regex(/^[0-9]{1,20}$/, "expected a decimal request id") });

/**
 * The provider's HTTP app: `GET /health` (200 while polling works, else 503), `GET /metrics`
 * (Prometheus), `GET /status` (cursor, backlog, last answers), `GET /requests/{id}` (the journaled
 * request, our response and the signed `/query` commitment it was computed from).
 */
export function createProviderServer(deps: { provider: Provider; metrics: ProviderMetrics }): FastifyInstance {
  const app = Fastify({ logger: false });
  const json = (value: unknown) => stringifyJson(value as JsonValue);

  app.get("/health", async (_req, reply) => {
    const status = await deps.provider.status();
    const ok = deps.provider.healthy();
    return reply
      .code(ok ? 200 : 503)
      .type("application/json")
      .send(
        json({
          ok,
          head: status.head,
          cursor: status.cursor?.blockNumber ?? null,
          blocksBehind: status.blocksBehind,
          insufficientFunds: status.insufficientFunds,
        }),
      );
  });

  app.get("/metrics", async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );

  app.get("/status", async (_req, reply) => reply.type("application/json").send(json(await deps.provider.status())));

  app.get("/requests/:id", async (req, reply) => {
    const parsed = requestIdParams.safeParse(req.params);
    if (!parsed.success) {
      return reply
        .code(400)
        .type("application/json")
        .send(
          json({ ok: false, error: { kind: "InvalidRequest", message: parsed.error.issues[0]?.message ?? "bad id" } }),
        );
    }
    const rec = await deps.provider.getRequest(BigInt(parsed.data.id));
    if (!rec) {
      return reply
        .code(404)
        .type("application/json")
        .send(json({ ok: false, error: { kind: "RequestNotFound", message: `Request ${parsed.data.id} not seen` } }));
    }
    return reply.type("application/json").send(
      json({
        requestId: String(rec.requestId),
        consumer: rec.consumer,
        request: rec.request,
        block: { number: String(rec.blockNumber), hash: rec.blockHash },
        transaction: rec.txHash,
        status: rec.status,
        reason: rec.reason,
        response: rec.response,
        requestError: rec.requestError,
        answeredBy: rec.answeredBy,
        answerBlock: rec.answerBlock === null ? null : String(rec.answerBlock),
        commitment: rec.commitment === null ? null : parseJson(rec.commitment),
      }),
    );
  });
  return app;
}
