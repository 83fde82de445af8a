import { promises as fs } from "node:fs";
import path from "node:path";
import type { DatasetSnapshot } from "../odf/metadata/types";
import { parseDatasetSnapshotYaml } from "../odf/metadata/yaml";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { ManifestApplyError } from "./errors";

/** A snapshot with the file it came from (for messages). */
export type SnapshotSource = { file: string; snapshot: DatasetSnapshot };

/** Reads every `DatasetSnapshot` in the given files and directories (`*.yaml`, `*.yml`, sorted). */
export async function readSnapshots(paths: readonly string[]): Promise<SnapshotSource[]> {
  const files: string[] = [];
  for (const p of paths) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat) throw new ManifestApplyError(`No such file or directory: ${p}`);
    if (stat.isDirectory()) {
      const names = (await fs.readdir(p)).filter((n) => /\.ya?ml$/i.test(n)).sort();
      if (names.length === 0) throw new ManifestApplyError(`No .yaml manifests in ${p}`);
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  const out: SnapshotSource[] = [];
  for (const file of files) {
    const text = await fs.readFile(file, "utf8");
    let snapshots: DatasetSnapshot[];
    try {
      snapshots = parseDatasetSnapshotYaml(text);
    } catch (error) {
      throw new ManifestApplyError(`${path.basename(file)}: ${(error as Error).message}`, { cause: error });
    }
    for (const snapshot of snapshots) out.push({ file, snapshot });
  }
  return out;
}

/** Names of the datasets a snapshot reads (`SetTransform` inputs), by `datasetRef`. */
function inputRefs(snapshot: DatasetSnapshot): string[] {
  return snapshot.metadata.flatMap((e) => (e.kind === "SetTransform" ? e.inputs.map((i) => i.datasetRef) : []));
}

/**
 * Orders snapshots so every dataset comes after the datasets its transform reads. Inputs must be
 * in the batch or already in the workspace (`exists`); throws `ManifestApplyError` for a missing
 * input, a duplicate name or a cycle.
 */
export function orderSnapshots(sources: readonly SnapshotSource[], exists: (ref: string) => boolean): SnapshotSource[] {
  const byName = new Map<string, SnapshotSource>();
  for (const s of sources) {
    if (byName.has(s.snapshot.name)) throw new ManifestApplyError(`Dataset ${s.snapshot.name} is defined twice`);
    byName.set(s.snapshot.name, s);
  }
  const ordered: SnapshotSource[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: SnapshotSource, trail: string[]) => {
    const name = s.snapshot.name;
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting")
      throw new ManifestApplyError(`Dependency cycle: ${[...trail, name].join(" -> ")}`);
    state.set(name, "visiting");
    for (const ref of inputRefs(s.snapshot)) {
      const dep = byName.get(ref);
      if (dep) visit(dep, [...trail, name]);
      else if (!exists(ref))
        throw new ManifestApplyError(`Dataset ${name} reads ${ref}, which is neither in the workspace nor being added`);
    }
    state.set(name, "done");
    ordered.push(s);
  };
  for (const s of sources) visit(s, []);
  return ordered;
}

/**
 * Creates datasets from snapshot manifests (`odf add`), inputs first: a Seed with a fresh key,
 * then every metadata event of the manifest in order, each validated by the chain rules. A
 * dataset whose events fail is removed again, so a failed add leaves no half-made dataset.
 * Throws `ManifestApplyError` (or the chain rule error) naming the dataset.
 */
export async function addDatasets(workspace: Workspace, sources: readonly SnapshotSource[]): Promise<Dataset[]> {
  const existing = new Set<string>();
  for (const d of await workspace.list()) {
    existing.add(d.alias);
    existing.add(d.id);
  }
  for (const s of sources) {
    if (existing.has(s.snapshot.name))
      throw new ManifestApplyError(`Dataset ${s.snapshot.name} already exists in the workspace`);
  }
  const ordered = orderSnapshots(sources, (ref) => existing.has(ref));
  const created: Dataset[] = [];
  for (const { snapshot, file } of ordered) {
    const dataset = await workspace.create({ alias: snapshot.name, kind: snapshot.kind });
    try {
      for (const event of snapshot.metadata) {
        if (event.kind === "SetTransform") {
          // Inputs resolved to ids, engine version pinned, SQL checked (src/transform/setTransform.ts).
          const { prepareSetTransform } = await import("../transform/setTransform.js");
          await dataset.chain.append(await prepareSetTransform(workspace, dataset, event));
        } else await dataset.chain.append(event);
      }
    } catch (error) {
      await fs.rm(dataset.dir, { recursive: true, force: true });
      await fs.rm(workspace.path(".keys", `${dataset.id.slice("did:odf:".length)}.key`), { force: true });
      const message = error instanceof Error ? error.message : String(error);
      throw new ManifestApplyError(`${snapshot.name} (${path.basename(file)}): ${message}`, { cause: error });
    }
    created.push(dataset);
  }
  return created;
}
