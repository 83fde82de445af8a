import type { DatasetKind } from "../odf/metadata/types";
import type { Workspace } from "../odf/workspace/workspace";
import { DependencyCycleError } from "./errors";
import { resolveInputs } from "./resolveInputs";

/** A dataset in a lineage graph, with the inputs its SetTransform in force reads. */
export type LineageNode = {
  alias: string;
  id: string;
  kind: DatasetKind;
  /** `engine version` of the transform in force (derivative datasets). */
  engine?: string | undefined;
  inputs: { alias: string; node: LineageNode }[];
};

/**
 * The dependency graph of a dataset: its SetTransform's inputs, their inputs, and so on down to
 * the root datasets (a dataset read twice is the same node object). Throws
 * `TransformInputNotFoundError` for an input missing from the workspace and `DependencyCycleError`
 * when datasets read each other in a loop.
 */
export async function lineage(
  workspace: Workspace,
  aliasOrId: string,
  /** Input ids the root dataset's last run recorded (see `resolveInputs`). */
  rootRecordedIds: readonly (string | undefined)[] = [],
): Promise<LineageNode> {
  const done = new Map<string, LineageNode>();
  const visit = async (ref: string, trail: string[]): Promise<LineageNode> => {
    const dataset = await workspace.open(ref);
    const known = done.get(dataset.id);
    if (known) return known;
    if (trail.includes(dataset.alias)) {
      const start = trail.indexOf(dataset.alias);
      throw new DependencyCycleError({ dataset: trail[0] as string }, [...trail.slice(start), dataset.alias]);
    }
    const state = await dataset.chain.state();
    const node: LineageNode = { alias: dataset.alias, id: dataset.id, kind: dataset.kind, inputs: [] };
    const transform = state.transform;
    if (transform) {
      node.engine = `${transform.transform.engine} ${transform.transform.version ?? "(unpinned)"}`;
      const recorded = trail.length === 0 ? rootRecordedIds : [];
      const inputs = await resolveInputs(workspace, transform, { dataset: dataset.alias }, recorded);
      for (const input of inputs) {
        node.inputs.push({ alias: input.alias, node: await visit(input.dataset.id, [...trail, dataset.alias]) });
      }
    }
    done.set(dataset.id, node);
    return node;
  };
  return visit(aliasOrId, []);
}

/** Every dataset of the graph, inputs before the datasets that read them (the root node last). */
export function dependencyOrder(root: LineageNode): LineageNode[] {
  const ordered: LineageNode[] = [];
  const seen = new Set<string>();
  const visit = (node: LineageNode) => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    for (const input of node.inputs) visit(input.node);
    ordered.push(node);
  };
  visit(root);
  return ordered;
}

function label(node: LineageNode): string {
  return node.engine === undefined ? `${node.alias} (${node.kind})` : `${node.alias} (${node.kind}, ${node.engine})`;
}

/** The graph as an indented text tree, the dataset first and its inputs below it. */
export function formatLineageText(root: LineageNode): string {
  const lines = [label(root)];
  const walk = (node: LineageNode, prefix: string) => {
    node.inputs.forEach((input, i) => {
      const last = i === node.inputs.length - 1;
      const as = input.alias === input.node.alias ? "" : ` as ${input.alias}`;
      lines.push(`${prefix}${last ? "└── " : "├── "}${label(input.node)}${as}`);
      walk(input.node, `${prefix}${last ? "    " : "│   "}`);
    });
  };
  walk(root, "");
  return lines.join("\n");
}

const dotId = (text: string) => `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** The graph in Graphviz DOT: one node per dataset (roots as boxes), edges from input to reader. */
export function formatLineageDot(root: LineageNode): string {
  const nodes = dependencyOrder(root);
  const lines = ["digraph lineage {", "  rankdir=LR;"];
  for (const node of nodes) {
    const shape = node.kind === "Root" ? "box" : "ellipse";
    lines.push(`  ${dotId(node.alias)} [shape=${shape}, tooltip=${dotId(node.id)}];`);
  }
  for (const node of nodes) {
    for (const input of node.inputs) {
      const as = input.alias === input.node.alias ? "" : ` [label=${dotId(input.alias)}]`;
      lines.push(`  ${dotId(input.node.alias)} -> ${dotId(node.alias)}${as};`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}
