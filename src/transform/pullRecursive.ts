import { SourceNotFoundError } from "../ingest/errors";
import { type PullOptions, type PullOutcome, pullDataset } from "../ingest/pullers";
import type { Workspace } from "../odf/workspace/workspace";
import { dependencyOrder, lineage } from "./lineage";

/** What `pullRecursive` did to one dataset of the graph. */
export type RecursivePullStep = { alias: string; outcome: PullOutcome | "skipped"; reason?: string };

/**
 * Brings a dataset and everything upstream of it up to date, inputs first (dependency order from
 * `lineage`, so a cycle or a missing input fails before anything is pulled): root datasets from
 * their polling sources (roots without one, fed by `odf ingest`, are skipped), derivative datasets
 * by executing their transforms. Calls `onStep` after each dataset.
 */
export async function pullRecursive(
  workspace: Workspace,
  aliasOrId: string,
  options: PullOptions = {},
  onStep: (step: RecursivePullStep) => void = () => {},
): Promise<RecursivePullStep[]> {
  const order = dependencyOrder(await lineage(workspace, aliasOrId));
  const target = order[order.length - 1];
  const steps: RecursivePullStep[] = [];
  for (const node of order) {
    let step: RecursivePullStep;
    try {
      step = { alias: node.alias, outcome: await pullDataset(workspace, node.id, options) };
    } catch (error) {
      if (node === target || node.kind !== "Root" || !(error instanceof SourceNotFoundError)) throw error;
      step = { alias: node.alias, outcome: "skipped", reason: "no polling source" };
    }
    steps.push(step);
    onStep(step);
  }
  return steps;
}
