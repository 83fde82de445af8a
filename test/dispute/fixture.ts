import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address, Hex } from "viem";
import { createDuckDbEngine } from "../../src/engines/duckdb/createDuckDbEngine";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { createWorkspaceResolver } from "../../src/odf/workspace/workspaceResolver";
import { executeRequest } from "../../src/oracle/provider/executeRequest";
import { createLocalQueryRunner } from "../../src/oracle/provider/queryRunner";
import { nodeKeyFromSecret } from "../../src/query/proof";
import type { TestChain, Wallet } from "../contracts/fixture";
import { tamperDataset } from "../harness/tamperDataset";

export { tamperDataset };

/** A copy of a workspace directory in a fresh temp dir. */
export function copyWorkspace(dir: string): string {
  const to = path.join(mkdtempSync(path.join(tmpdir(), "odf-dispute-")), "ws");
  cpSync(dir, to, { recursive: true });
  return to;
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
