import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Workspace } from "../../odf/workspace/workspace";
import type { RouteContext } from "../createServer";
import { sendJson } from "../sendJson";

const datasetParams = z.strictObject({ alias: z.string().min(1).max(256) });

/**
 * `GET /datasets` (every dataset: id, alias, kind) and `GET /datasets/{alias}` (id, alias, kind,
 * head block hash, ODF schema, record count). `{alias}` may also be the dataset's `did:odf:` id.
 */
export const datasetRoutes: FastifyPluginAsync<RouteContext & { workspace: Workspace }> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get("/datasets", { schema: { summary: "List the datasets of this node" } }, async (_request, reply) => {
    const datasets = await ctx.workspace.list();
    return sendJson(reply, 200, {
      datasets: datasets.map((d) => ({ id: d.id, alias: d.alias, kind: d.kind })),
    });
  });

  app.get(
    "/datasets/:alias",
    { schema: { summary: "Describe a dataset: id, kind, head, schema, record count", params: datasetParams } },
    async (request, reply) => {
      const dataset = await ctx.workspace.open(request.params.alias);
      const head = await dataset.chain.head();
      const state = head === undefined ? undefined : await dataset.chain.state(head);
      return sendJson(reply, 200, {
        id: dataset.id,
        alias: dataset.alias,
        kind: dataset.kind,
        head: head ?? null,
        schema: state?.schema?.schema ?? null,
        numRecords: state?.lastOffset === undefined ? 0 : state.lastOffset + 1,
      });
    },
  );
};
