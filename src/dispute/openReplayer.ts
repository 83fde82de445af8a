import { randomBytes } from "node:crypto";
import { createDuckDbEngine } from "../engines/duckdb/createDuckDbEngine";
import { openWorkspace } from "../odf/workspace/workspace";
import { createWorkspaceResolver } from "../odf/workspace/workspaceResolver";
import { nodeKeyFromSecret } from "../query/proof";
import type { ReplayDeps } from "./replayAnswer";

/** Replay dependencies over a workspace directory, with the engine to close when done. */
export type Replayer = ReplayDeps & { close(): Promise<void> };

/**
 * Opens a workspace and an in-process engine over it for replaying answers. Replays sign nothing
 * that is kept, so the node key is ephemeral (response bytes carry no signature).
 */
export async function openReplayer(workspaceDir: string): Promise<Replayer> {
  const workspace = await openWorkspace(workspaceDir);
  const engine = await createDuckDbEngine({ resolver: createWorkspaceResolver(workspace) });
  return { workspace, engine, nodeKey: nodeKeyFromSecret(randomBytes(32)), close: () => engine.close() };
}
