import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { DatasetResolver, QueryEngine, QueryLimits } from "../engines/types";
import type { Workspace } from "../odf/workspace/workspace";
import { parseJson } from "../query/parseJson";
import type { NodeKey } from "../query/proof";
import { toHttpError } from "./httpError";
import { datasetRoutes } from "./routes/datasets";
import { healthRoutes } from "./routes/health";
import { queryRoutes } from "./routes/query";
import { transferRoutes } from "./routes/transfer";
import { verifyRoutes } from "./routes/verify";
import { sendJson } from "./sendJson";
import { createServerMetrics, type ServerMetrics } from "./serverMetrics";

/** Dependencies of the HTTP server. */
export type ServerDeps = {
  /** Runs `/query` and `/verify` replays. */
  engine: QueryEngine;
  /** Lists the datasets visible to requests that name none. */
  resolver: DatasetResolver;
  /** Serves `/datasets` and the Simple Transfer Protocol routes; without it those routes are absent. */
  workspace?: Workspace | undefined;
  /** Signs `include: [Proof]` responses; without it they answer 501. */
  nodeKey?: NodeKey | undefined;
  /** Request log (pino); none when omitted. */
  logger?: Logger | undefined;
  /** Where the server's metrics are registered (never the global registry). */
  metrics: Registry | ServerMetrics;
  /** Limits applied to every API query (the engine's defaults otherwise). */
  limits?: Partial<QueryLimits> | undefined;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number | undefined;
};

/** What route plugins receive. */
export type RouteContext = Omit<ServerDeps, "metrics"> & { metrics: ServerMetrics };

/**
 * Builds the Fastify app of the reproducible query API: `/query`, `/verify`, `/datasets`, the
 * Simple Transfer Protocol under `/datasets/{alias}/`, `/health`, `/metrics`, the OpenAPI
 * document at `/openapi.json` and a docs page at `/docs`. JSON bodies are parsed keeping the
 * int/float kind of numbers (commitments depend on it). Call `listen()` or `inject()` on it.
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const metrics = "registry" in deps.metrics ? (deps.metrics as ServerMetrics) : createServerMetrics(deps.metrics);
  const ctx: RouteContext = { ...deps, metrics };
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const message = error.validation
        .slice(0, 3)
        .map(
          (issue) => `${error.validationContext ?? "body"}${issue.instancePath.replaceAll("/", ".")}: ${issue.message}`,
        )
        .join("; ");
      return sendJson(reply, 422, {
        ok: false,
        error: { kind: "InvalidRequest::Schema", message: `Invalid request: ${message}` },
      });
    }
    const fastifyCode = (error as { code?: string }).code;
    if (fastifyCode === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendJson(reply, 413, {
        ok: false,
        error: { kind: "InvalidRequest::TooLarge", message: "Request body too large" },
      });
    }
    if (fastifyCode === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || fastifyCode === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return sendJson(reply, 415, {
        ok: false,
        error: { kind: "InvalidRequest::MediaType", message: "Send a JSON body with Content-Type: application/json" },
      });
    }
    const mapped = toHttpError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, "request failed");
    return sendJson(reply, mapped.status, mapped.body as never);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "odf-oracle query API",
        description:
          "Reproducible SQL queries over pinned Open Data Fabric dataset versions, with signed commitments " +
          "(compatible with the ODF node's /query and /verify), and the ODF Simple Transfer Protocol.",
        version: "1",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  await app.register(queryRoutes, ctx);
  await app.register(verifyRoutes, ctx);
  await app.register(healthRoutes, ctx);
  if (deps.workspace) {
    await app.register(datasetRoutes, { ...ctx, workspace: deps.workspace });
    await app.register(transferRoutes, { ...ctx, workspace: deps.workspace });
  }

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
