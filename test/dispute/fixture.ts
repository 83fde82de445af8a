import { chmodSync, cpSync, mkdtempSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address, Hex } from "viem";
import { createDuckDbEngine } from "../../src/engines/duckdb/createDuckDbEngine";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { createWorkspaceResolver } from "../../src/odf/workspace/workspaceResolver";
import { executeRequest } from "../../src/oracle/provider/executeRequest";
import { createLocalQueryRunner } from "../../src/oracle/provider/queryRunner";
import { nodeKeyFromSecret } from "../../src/query/proof";
import type { TestChain, Wallet } from "../contracts/fixture";

/** A copy of a workspace directory in a fresh temp dir. */
export function copyWorkspace(dir: string): string {
  const to = path.join(mkdtempSync(path.join(tmpdir(), "odf-dispute-")), "ws");
  cpSync(dir, to, { recursive: true });
  return to;
}

/**
 * Rewrites every data slice of a dataset in place, replacing one column with an SQL expression,
 * while the metadata chain (and so the recorded block hashes) stays as it was: a dishonest copy.
 */
export async function tamperDataset(workspaceDir: string, alias: string, column: string, expression: string) {
  const workspace = await openWorkspace(workspaceDir, { fsync: false });
  const dataset = await workspace.open(alias);
  const state = await dataset.chain.state();
  const db = await openDuckDb();
  try {
    for (const { slice } of state.slices) {
      const file = dataset.store.objectPath("data", slice.physicalHash);
      const tmp = `${file}.tampered`;
      await db.connection.run(
        `COPY (SELECT * REPLACE (${expression} AS "${column}") FROM read_parquet('${file}')) TO '${tmp}' (FORMAT parquet)`,
      );
      chmodSync(file, 0o644);
      renameSync(tmp, file);
    }
  } finally {
    db.close();
  }
}

/** Runs a request on a workspace exactly as a provider does; returns the response bytes. */
export async function answerFromWorkspace(workspaceDir: string, request: Hex): Promise<Uint8Array> {
  const workspace = await openWorkspace(workspaceDir, { fsync: false });
  const engine = await createDuckDbEngine({ resolver: createWorkspaceResolver(workspace) });
  try {
    const runner = createLocalQueryRunner({
      engine,
      nodeKey: nodeKeyFromSecret(new Uint8Array(32).fill(7)),
      maxResultBytes: 64 * 1024,
      timeoutMs: 10_000,
    });
    const outcome = await executeRequest({ runner, maxRows: 1000, maxResultBytes: 64 * 1024 }, request);
    if (outcome.kind !== "answer") throw new Error(`cannot answer: unknown dataset ${outcome.datasetId}`);
    return outcome.response;
  } finally {
    await engine.close();
  }
}

/** Submits a response with plain `provideResult` from `wallet` (a provider answering by hand). */
export async function provide(
  chain: TestChain,
  wallet: Wallet,
  oracle: Address,
  requestId: bigint,
  response: Uint8Array,
) {
  await chain.send(wallet, oracle, "provideResult", [requestId, `0x${Buffer.from(response).toString("hex")}`], {
    gas: 2_000_000n,
  });
}
