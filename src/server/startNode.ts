import type { Logger } from "pino";
import { Registry } from "prom-client";
import { createDuckDbEngine } from "../engines/duckdb/createDuckDbEngine";
import type { QueryLimits } from "../engines/types";
import type { Workspace } from "../odf/workspace/workspace";
import { createWorkspaceResolver } from "../odf/workspace/workspaceResolver";
import type { NodeKey } from "../query/proof";
import { createServer } from "./createServer";
import { loadOrCreateNodeKey, NODE_KEY_FILE } from "./nodeKeyFile";

/** Parameters of `startNode`. */
export type StartNodeParameters = {
  workspace: Workspace;
  /** TCP port (0: any free port). Default 8080. */
  port?: number | undefined;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string | undefined;
  logger?: Logger | undefined;
  limits?: Partial<QueryLimits> | undefined;
};

/** A running node. */
export type StartNodeReturnType = {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  nodeKey: NodeKey;
  /** Whether the node key was created by this start (first start in this workspace). */
  keyCreated: boolean;
  /** Stops the server and the engine. */
  close(): Promise<void>;
};

/**
 * Starts the query API over a workspace (`odf serve`): loads the node key from the workspace
 * (`node-key.json`, created with mode 0600 on first start), opens a DuckDB engine over the
 * workspace's datasets and listens.
 */
export async function startNode(params: StartNodeParameters): Promise<StartNodeReturnType> {
  const { key, created } = await loadOrCreateNodeKey(params.workspace.path(NODE_KEY_FILE));
  const resolver = createWorkspaceResolver(params.workspace);
  const engine = await createDuckDbEngine({ resolver, ...(params.limits ? { limits: params.limits } : {}) });
  try {
    const app = await createServer({
      engine,
      resolver,
      workspace: params.workspace,
      nodeKey: key,
      logger: params.logger,
      metrics: new Registry(),
      limits: params.limits,
    });
    const host = params.host ?? "127.0.0.1";
    await app.listen({ port: params.port ?? 8080, host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : (params.port ?? 8080);
    const shownHost = host.includes(":") ? `[${host}]` : host;
    return {
      url: `http://${shownHost}:${port}`,
      nodeKey: key,
      keyCreated: created,
      async close() {
        await app.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
