import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { createPublicClient, fallback, http, type PublicClient, type Transport, webSocket } from "viem";
import { createDuckDbEngine } from "../../engines/duckdb/createDuckDbEngine";
import type { QueryEngine } from "../../engines/types";
import { openWorkspace } from "../../odf/workspace/workspace";
import { createWorkspaceResolver } from "../../odf/workspace/workspaceResolver";
import type { ProviderConfig } from "./config";
import { ChainIdMismatchError } from "./errors";
import { createJournal, type Journal } from "./journal";
import { createProviderLogger, type ProviderLogger } from "./logger";
import { createProviderMetrics, type ProviderMetrics } from "./metrics";
import { loadOrCreateNodeKey } from "./nodeKey";
import { createProvider, type Provider } from "./provider";
import { createLocalQueryRunner, type QueryRunner } from "./queryRunner";
import { createRemoteQueryRunner } from "./remoteQueryRunner";
import { createProviderServer } from "./server";
import { loadSigner, type ProviderSigner } from "./signer";

/** A provider node assembled from its config and running. */
export type ProviderNode = {
  provider: Provider;
  metrics: ProviderMetrics;
  server: FastifyInstance;
  /** Base URL of the HTTP server (`http://host:port`). */
  url: string;
  /** Graceful shutdown: stops watching, finishes or journals in-flight work, closes everything. */
  stop(): Promise<void>;
};

/** Path of the provider journal inside a workspace. */
export function journalPath(workspaceDir: string): string {
  return path.join(workspaceDir, "provider", "journal.duckdb");
}

/** A viem public client over the configured RPC URLs (fallbacks in order; WebSocket URLs subscribe to heads). */
export function createRpcClient(urls: readonly string[], timeoutMs = 10_000): PublicClient {
  const transports: Transport[] = urls.map((url) =>
    url.startsWith("ws") ? webSocket(url, { timeout: timeoutMs }) : http(url, { timeout: timeoutMs, retryCount: 3 }),
  );
  const transport = transports.length === 1 ? (transports[0] as Transport) : fallback(transports);
  return createPublicClient({ transport, pollingInterval: 1000, cacheTime: 0 }) as PublicClient;
}

/**
 * Closes the WebSocket connections of a client made by `createRpcClient` (their keep-alive timers
 * and sockets would keep the process alive after the provider stopped); HTTP transports hold nothing.
 */
export async function closeRpcClient(client: PublicClient): Promise<void> {
  type Part = { type?: string; getRpcClient?: () => Promise<{ close(): void }> };
  const transport = client.transport as Part & { transports?: { config: { type: string }; value?: Part }[] };
  const parts: Part[] = transport.transports
    ? transport.transports.map((t) => ({ type: t.config.type, ...t.value }))
    : [transport];
  for (const part of parts) {
    if (part.type === "webSocket" && part.getRpcClient) (await part.getRpcClient()).close();
  }
}

/**
 * Assembles and starts a provider node from a validated config: the signer (env or 0600 key
 * file), the RPC client, the query runner (in-process engine over the workspace, or a remote
 * node's `/query`), the journal, metrics and the HTTP server. Refuses to start on a chain id
 * mismatch. `overrides` replace parts (tests inject a logger or a signer).
 */
export async function startProviderNode(
  config: ProviderConfig,
  overrides: {
    env?: Record<string, string | undefined>;
    logger?: ProviderLogger;
    signer?: ProviderSigner;
    client?: PublicClient;
    executeConcurrency?: number;
    waitingRecheckMs?: number;
  } = {},
): Promise<ProviderNode> {
  const logger = overrides.logger ?? createProviderLogger(config.logLevel);
  const signer = overrides.signer ?? loadSigner(config.key, overrides.env ?? process.env);
  const client = overrides.client ?? createRpcClient(config.rpcUrls, Math.max(config.limits.timeoutMs, 5000));
  const closers: (() => Promise<void> | void)[] = overrides.client ? [] : [() => closeRpcClient(client)];
  const closeAll = async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  try {
    const chainId = await client.getChainId();
    if (chainId !== config.chainId) {
      throw new ChainIdMismatchError({ expected: config.chainId, actual: chainId, url: config.rpcUrls[0] ?? "" });
    }
    let runner: QueryRunner;
    if (config.apiUrl !== undefined) {
      if (!existsSync(config.workspace)) mkdirSync(config.workspace, { recursive: true });
      runner = createRemoteQueryRunner({ apiUrl: config.apiUrl, timeoutMs: config.limits.timeoutMs });
    } else {
      const workspace = await openWorkspace(config.workspace);
      const engine: QueryEngine = await createDuckDbEngine({ resolver: createWorkspaceResolver(workspace) });
      closers.push(() => engine.close());
      const nodeKey = loadOrCreateNodeKey(config.nodeKeyFile ?? path.join(config.workspace, "provider", "node.key"));
      runner = createLocalQueryRunner({
        engine,
        nodeKey,
        maxResultBytes: config.limits.maxResultBytes,
        timeoutMs: config.limits.timeoutMs,
      });
    }
    const journal: Journal = await createJournal({
      path: journalPath(config.workspace),
      recentBlocks: 4 * config.rescanBlocks + 1, // the widest re-scan of the log watcher
    });
    closers.push(() => journal.close());
    const metrics = createProviderMetrics();
    const provider = createProvider({
      client,
      signer,
      journal,
      runner,
      logger,
      metrics,
      settings: {
        rpcUrl: config.rpcUrls[0] ?? "",
        chainId: config.chainId,
        oracleAddress: config.oracleAddress as `0x${string}`,
        signedResults: config.signedResults,
        confirmations: config.confirmations,
        startBlock: config.startBlock,
        rescanBlocks: config.rescanBlocks,
        maxBlockRange: config.maxBlockRange,
        pollIntervalMs: config.pollIntervalMs,
        maxRows: config.limits.maxRows,
        maxResultBytes: config.limits.maxResultBytes,
        unknownDatasetGraceSeconds: config.unknownDatasetGraceSeconds,
        maxInFlight: config.submit.maxInFlight,
        maxBatch: config.submit.maxBatch,
        maxBatchGas: config.submit.maxBatchGas,
        stuckAfterMs: config.submit.stuckAfterMs,
        feeBumpPercent: config.submit.feeBumpPercent,
        maxFeePerGasGwei: config.submit.maxFeePerGasGwei,
        gasLimit: config.submit.gasLimit,
        ...(overrides.executeConcurrency !== undefined ? { executeConcurrency: overrides.executeConcurrency } : {}),
        ...(overrides.waitingRecheckMs !== undefined ? { waitingRecheckMs: overrides.waitingRecheckMs } : {}),
      },
    });
    await provider.start();
    closers.push(() => provider.stop());
    const server = createProviderServer({ provider, metrics });
    await server.listen({ host: config.http.host, port: config.http.port });
    closers.push(() => server.close());
    const address = server.server.address();
    const port = typeof address === "object" && address ? address.port : config.http.port;
    let stopping: Promise<void> | undefined;
    return {
      provider,
      metrics,
      server,
      url: `http://${config.http.host}:${port}`,
      stop: () => {
        stopping ??= closeAll();
        return stopping;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
