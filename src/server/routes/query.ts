import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { RequestSchemaError } from "../../query/errors";
import { formatZodIssues, queryParamsSchema, queryParamsToRequest, queryRequestSchema } from "../../query/queryRequest";
import { runQuery } from "../../query/runQuery";
import type { RouteContext } from "../createServer";
import { sendJson } from "../sendJson";

/**
 * `POST /query` (body: the ODF node's `QueryRequest`) and `GET /query` (the same as query-string
 * parameters, `include` comma-separated, all workspace datasets visible under their aliases).
 */
export const queryRoutes: FastifyPluginAsync<RouteContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const deps = { engine: ctx.engine, resolver: ctx.resolver, nodeKey: ctx.nodeKey, limits: ctx.limits };

  app.post(
    "/query",
    {
      schema: {
        summary: "Run a reproducible SQL query",
        description:
          "Runs one SELECT over the named datasets (pinned at blockHash, or their head which is then " +
          "recorded). With include: [Proof] the response carries a commitment and an Ed25519Signature2020 proof.",
        body: queryRequestSchema,
      },
    },
    async (request, reply) => sendJson(reply, 200, await runQuery(deps, request.body)),
  );

  app.get(
    "/query",
    {
      schema: {
        summary: "Run a reproducible SQL query (query-string form)",
        querystring: queryParamsSchema,
      },
    },
    async (request, reply) => {
      const parsed = queryRequestSchema.safeParse(queryParamsToRequest(request.query));
      if (!parsed.success) throw new RequestSchemaError(formatZodIssues(parsed.error));
      return sendJson(reply, 200, await runQuery(deps, parsed.data));
    },
  );
};
