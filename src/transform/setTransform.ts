import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openTransformSession } from "../engines/duckdb/transform/openTransformSession";
import type { SetTransform } from "../odf/metadata/types";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { compileTransform } from "./compileTransform";
import { checkTransformEngine, runningEngineVersion, TRANSFORM_ENGINE } from "./engine";
import { DependencyCycleError, type TransformErrorLocation, TransformNotSetError } from "./errors";
import { type LineageNode, lineage } from "./lineage";
import { resolveInputs } from "./resolveInputs";

/**
 * Checks and normalizes a SetTransform for `dataset` before it is written:
 * - every input resolves to a dataset of the workspace (refs are kept as written: an alias or a
 *   `did:odf:` id; ExecuteTransform blocks record the ids actually read);
 * - no input depends on `dataset` (a cycle);
 * - the engine is `duckdb`; a missing `version` is pinned to the running engine's;
 * - the SQL passes the sandbox and is incremental; when every input has a schema it must also bind
 *   and output `op` and `event_time`.
 * Throws the matching `TransformError` naming the dataset.
 */
export async function prepareSetTransform(
  workspace: Workspace,
  dataset: Dataset,
  event: SetTransform,
): Promise<SetTransform> {
  const location: TransformErrorLocation = { dataset: dataset.alias };
  if (dataset.kind !== "Derivative") throw new TransformNotSetError(location, "is not a derivative dataset");
  const normalized: SetTransform = {
    kind: "SetTransform",
    inputs: [],
    transform: { ...event.transform, version: event.transform.version ?? runningEngineVersion() },
  };
  checkTransformEngine(normalized, location, { allowMismatch: true, hint: "" });
  const inputs = await resolveInputs(workspace, event, location);
  for (const input of inputs) {
    const written = event.inputs[normalized.inputs.length] as SetTransform["inputs"][number];
    normalized.inputs.push(written);
    if (input.dataset.id === dataset.id) throw new DependencyCycleError(location, [dataset.alias, dataset.alias]);
    const upstream = await lineage(workspace, input.dataset.id);
    const path = findPath(upstream, dataset.id);
    if (path) throw new DependencyCycleError(location, [dataset.alias, ...path]);
  }

  const views = [];
  const unbound: string[] = [];
  for (const input of inputs) {
    const schema = (await input.dataset.chain.state()).schema?.schema;
    if (schema) views.push({ alias: input.alias, schema, files: [] });
    else unbound.push(input.alias);
  }
  const scratch = await mkdtemp(path.join(tmpdir(), "odf-transform-check-"));
  try {
    const session = await openTransformSession({ inputs: views, outputDir: scratch, unboundAliases: unbound });
    try {
      await compileTransform(session, normalized.transform, location, { bind: unbound.length === 0 });
    } finally {
      session.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return normalized;
}

/** Aliases on the way from `node` down to the dataset `id`, or undefined when it is not upstream. */
function findPath(node: LineageNode, id: string): string[] | undefined {
  if (node.id === id) return [node.alias];
  for (const input of node.inputs) {
    const below = findPath(input.node, id);
    if (below) return [node.alias, ...below];
  }
  return undefined;
}

export type SetTransformParameters = {
  /** Inputs as `{ datasetRef, alias? }`; default: the inputs of the transform in force. */
  inputs?: SetTransform["inputs"] | undefined;
  /** The SQL; default: the query of the transform in force (an engine upgrade). */
  query?: string | undefined;
  systemTime?: string | undefined;
};

/**
 * Writes a new SetTransform (a query migration or an engine upgrade): the given inputs and query,
 * or those of the transform in force, always pinned to the running engine version. Records
 * processed before keep the transform they were processed with; later ExecuteTransforms (and their
 * replay) use this one. Returns the block hash.
 */
export async function setTransform(
  workspace: Workspace,
  dataset: Dataset,
  params: SetTransformParameters,
): Promise<{ blockHash: string; event: SetTransform }> {
  const current = (await dataset.chain.state()).transform;
  const inputs = params.inputs ?? current?.inputs;
  if (!inputs || inputs.length === 0) {
    throw new TransformNotSetError({ dataset: dataset.alias }, "needs at least one input (--input <ref>)");
  }
  let transform = current?.transform;
  if (params.query !== undefined) transform = { kind: "Sql", engine: TRANSFORM_ENGINE, query: params.query };
  if (!transform) throw new TransformNotSetError({ dataset: dataset.alias }, "needs a query (--query <sql>)");
  const { version: _previous, ...unpinned } = transform;
  const event = await prepareSetTransform(workspace, dataset, {
    kind: "SetTransform",
    inputs,
    transform: { ...unpinned, engine: TRANSFORM_ENGINE, version: runningEngineVersion() },
  });
  const block = await dataset.chain.append(event, params.systemTime ? { systemTime: params.systemTime } : {});
  return { blockHash: block.hash, event };
}
