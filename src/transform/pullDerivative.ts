import type { PullOptions, PullOutcome } from "../ingest/pullers";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { executeTransform } from "./executeTransform";

/** The `odf pull` puller of derivative datasets: one incremental `executeTransform` run. */
export async function pullDerivative(
  workspace: Workspace,
  dataset: Dataset,
  options: PullOptions = {},
): Promise<PullOutcome> {
  const result = await executeTransform(workspace, dataset, { systemTime: options.systemTime });
  return {
    status: result.status,
    blockHash: result.blockHash,
    rowCount: result.rowCount,
    inputRows: result.inputRows,
  };
}
