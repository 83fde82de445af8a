import { DatasetNotFoundError } from "../engines/errors";
import type { SetTransform } from "../odf/metadata/types";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { type TransformErrorLocation, TransformInputNotFoundError } from "./errors";

/** A transform input resolved to a dataset of the workspace, with the view name the SQL reads it by. */
export type ResolvedInput = { alias: string; ref: string; dataset: Dataset };

/** The view name of an input: its `alias`, else the ref when it is a name, else the dataset's alias. */
export function inputAlias(input: SetTransform["inputs"][number], dataset: Dataset | undefined): string {
  if (input.alias !== undefined) return input.alias;
  if (!input.datasetRef.startsWith("did:")) return input.datasetRef;
  return dataset?.alias ?? input.datasetRef;
}

/**
 * Resolves every input of a SetTransform; throws `TransformInputNotFoundError` naming the first
 * unknown one. An input whose ref (an alias) is not in the workspace is found by the id the last
 * run recorded for it (`recordedIds[i]`), when given: a pulled copy holds its inputs under other aliases.
 */
export async function resolveInputs(
  workspace: Workspace,
  event: SetTransform,
  location: TransformErrorLocation,
  recordedIds: readonly (string | undefined)[] = [],
): Promise<ResolvedInput[]> {
  const resolved: ResolvedInput[] = [];
  for (const [i, input] of event.inputs.entries()) {
    let dataset: Dataset;
    try {
      dataset = await workspace.open(input.datasetRef);
    } catch (error) {
      if (!(error instanceof DatasetNotFoundError)) throw error;
      const recorded = recordedIds[i];
      if (recorded === undefined || !(await workspace.has(recorded))) {
        throw new TransformInputNotFoundError(location, input.datasetRef);
      }
      dataset = await workspace.open(recorded);
    }
    resolved.push({ alias: inputAlias(input, dataset), ref: input.datasetRef, dataset });
  }
  const seen = new Set<string>();
  for (const r of resolved) {
    const key = r.alias.toLowerCase();
    if (seen.has(key)) throw new TransformInputNotFoundError(location, `${r.alias} (alias used twice)`);
    seen.add(key);
  }
  return resolved;
}
