import { createReadStream } from "node:fs";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ObjectKind } from "../../odf/storage/datasetStore";
import type { Workspace } from "../../odf/workspace/workspace";
import type { RouteContext } from "../createServer";
import { sendJson } from "../sendJson";

const HASH = /^[A-Za-z0-9_-]{8,128}$/;
const objectParams = z.strictObject({ alias: z.string().min(1).max(256), hash: z.string().regex(HASH) });
const refParams = z.strictObject({ alias: z.string().min(1).max(256), name: z.literal("head") });

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return sendJson(reply, 404, { ok: false, error: { kind: "Transfer::NotFound", message: `${what} not found` } });
}

/**
 * The ODF Simple Transfer Protocol for every dataset, relative to `/datasets/{alias}/`:
 * `GET refs/head` (text), `GET blocks/{hash}`, `GET data/{hash}`, `GET checkpoints/{hash}` (raw
 * bytes, streamed from disk with their length), so `odf pull http://host/datasets/{alias}` works.
 */
export const transferRoutes: FastifyPluginAsync<RouteContext & { workspace: Workspace }> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/datasets/:alias/refs/:name",
    { schema: { summary: "Simple Transfer Protocol: a ref (head block hash)", params: refParams } },
    async (request, reply) => {
      const dataset = await ctx.workspace.open(request.params.alias);
      const head = await dataset.store.readRef(request.params.name);
      if (head === undefined) return notFound(reply, `refs/${request.params.name}`);
      return reply.type("text/plain; charset=utf-8").send(head);
    },
  );

  for (const kind of ["blocks", "data", "checkpoints"] as const satisfies readonly ObjectKind[]) {
    app.get(
      `/datasets/:alias/${kind}/:hash`,
      { schema: { summary: `Simple Transfer Protocol: ${kind} object bytes`, params: objectParams } },
      async (request, reply) => {
        const dataset = await ctx.workspace.open(request.params.alias);
        const size = await dataset.store.statObject(kind, request.params.hash);
        if (size === undefined) return notFound(reply, `${kind}/${request.params.hash}`);
        return reply
          .type("application/octet-stream")
          .header("content-length", size)
          .header("cache-control", "public, max-age=31536000, immutable")
          .send(createReadStream(dataset.store.objectPath(kind, request.params.hash)));
      },
    );
  }
};
