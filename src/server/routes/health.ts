import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../createServer";

/** `GET /health` (liveness, engine name and version) and `GET /metrics` (Prometheus text). */
export const healthRoutes: FastifyPluginAsync<RouteContext> = async (app, ctx) => {
  app.get("/health", { schema: { summary: "Liveness and engine version" } }, async () => ({
    ok: true,
    engine: { name: ctx.engine.name, version: ctx.engine.version },
    ...(ctx.nodeKey ? { nodeDid: ctx.nodeKey.did } : {}),
  }));

  app.get("/metrics", { schema: { summary: "Prometheus metrics", hide: true } }, async (_request, reply) => {
    const registry = ctx.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
