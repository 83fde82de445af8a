import { promises as fs } from "node:fs";
import path from "node:path";
import { applyBlock, EMPTY_CHAIN_STATE } from "../odf/chain/chainState";
import { encodeMetadataBlock } from "../odf/metadata/blockCodec";
import type { DatasetSnapshot, MetadataEvent } from "../odf/metadata/types";
import { parseDatasetSnapshotYaml } from "../odf/metadata/yaml";
import { type DatasetLock, lockDataset } from "../odf/workspace/datasetLock";
import { assertAlias, type Dataset, type Workspace } from "../odf/workspace/workspace";
import { checkSourceSupport } from "./checkSourceSupport";
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

/** What `addDatasets` did with one snapshot. */
export type AddedDataset = Dataset & {
  /**
   * `created`; `completed`: it existed as the unfinished start of the same manifest (an add that was
   * interrupted) and its missing events were appended; `unchanged`: it already has the manifest's
   * events, nothing was written.
   */
  status: "created" | "completed" | "unchanged";
};

type Plan = SnapshotSource & { existing: Dataset | undefined; have: number };

const CHECK_TIME = "2000-01-01T00:00:00Z";

/** Applies the snapshot's events after a Seed to an empty chain state: throws the chain rule error. */
function checkChainRules(snapshot: DatasetSnapshot): void {
  const events: MetadataEvent[] = [
    { kind: "Seed", datasetId: "did:odf:manifest-check", datasetKind: snapshot.kind },
    ...snapshot.metadata,
  ];
  let state = EMPTY_CHAIN_STATE;
  for (const [i, event] of events.entries()) {
    const prev = state.head === undefined ? {} : { prevBlockHash: state.head };
    state = applyBlock(state, `manifest-check-${i}`, { systemTime: CHECK_TIME, sequenceNumber: i, event, ...prev });
  }
}

/** Whether a stored event is the manifest's (a SetTransform without `version` matches any pinned one). */
function sameEvent(stored: MetadataEvent, wanted: MetadataEvent): boolean {
  if (wanted.kind === "SetTransform" && stored.kind === "SetTransform" && wanted.transform.version === undefined) {
    const version = stored.transform.version;
    if (version !== undefined) wanted = { ...wanted, transform: { ...wanted.transform, version } };
  }
  const bytes = (event: MetadataEvent) =>
    Buffer.from(encodeMetadataBlock({ systemTime: CHECK_TIME, sequenceNumber: 1, event }));
  return bytes(stored).equals(bytes(wanted));
}

/**
 * How many of the snapshot's events (the Seed counted as one) an existing dataset of that name
 * already has; throws `ManifestApplyError` when it has other ones (it is not this manifest's).
 */
async function eventsPresent(dataset: Dataset, snapshot: DatasetSnapshot): Promise<number> {
  const differs = (why: string) =>
    new ManifestApplyError(`Dataset ${snapshot.name} already exists in the workspace with other metadata (${why})`);
  if (dataset.kind !== snapshot.kind) throw differs(`it is ${dataset.kind}`);
  const stored: MetadataEvent[] = [];
  for await (const b of dataset.chain.iterate()) stored.unshift(b.block.event);
  if (stored.length === 0) return 0;
  for (const [i, event] of snapshot.metadata.entries()) {
    const have = stored[i + 1];
    if (have === undefined) return i + 1;
    if (!sameEvent(have, event)) throw differs(`block ${i + 1} is ${have.kind}, not content.metadata[${i}]`);
  }
  return snapshot.metadata.length + 1;
}

async function remove(workspace: Workspace, dataset: Dataset): Promise<void> {
  await fs.rm(dataset.dir, { recursive: true, force: true });
  await fs.rm(workspace.path(".keys", `${dataset.id.slice("did:odf:".length)}.key`), { force: true });
}

/**
 * Creates datasets from snapshot manifests (`odf add`), inputs first: a Seed with a fresh key,
 * then every metadata event of the manifest in one append. All or nothing: every manifest is
 * checked first (names, chain rules, supported sources, inputs) and a failure while creating
 * removes every dataset this call created. A dataset of the same name that already holds the
 * manifest's events is left as it is (`unchanged`); one that holds only their beginning (an
 * interrupted add) is completed. Throws `ManifestApplyError` (its cause the underlying error)
 * naming the dataset and its file.
 */
export async function addDatasets(workspace: Workspace, sources: readonly SnapshotSource[]): Promise<AddedDataset[]> {
  const fail = (s: SnapshotSource, error: unknown) =>
    new ManifestApplyError(
      `${s.snapshot.name} (${path.basename(s.file)}): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  const existing = new Set<string>();
  for (const d of await workspace.list()) {
    existing.add(d.alias);
    existing.add(d.id);
  }
  const plans = new Map<string, Plan>();
  for (const s of sources) {
    try {
      assertAlias(s.snapshot.name);
      checkSourceSupport(s.snapshot);
      checkChainRules(s.snapshot);
      const dataset = existing.has(s.snapshot.name) ? await workspace.open(s.snapshot.name) : undefined;
      const have = dataset ? await eventsPresent(dataset, s.snapshot) : 0;
      plans.set(s.snapshot.name, { ...s, existing: dataset, have });
    } catch (error) {
      throw fail(s, error);
    }
  }
  const ordered = orderSnapshots(sources, (ref) => existing.has(ref));
  const created: Dataset[] = [];
  const added: AddedDataset[] = [];
  try {
    for (const { snapshot, file } of ordered) {
      const plan = plans.get(snapshot.name) as Plan;
      if (plan.existing && plan.have > snapshot.metadata.length) {
        added.push({ ...plan.existing, status: "unchanged" });
        continue;
      }
      let dataset = plan.existing;
      let lock: DatasetLock | undefined;
      try {
        if (dataset) lock = await lockDataset(dataset, "add");
        else {
          dataset = await workspace.create({ alias: snapshot.name, kind: snapshot.kind });
          created.push(dataset);
        }
        const events: MetadataEvent[] =
          plan.have === 0 && plan.existing ? [{ kind: "Seed", datasetId: dataset.id, datasetKind: dataset.kind }] : [];
        for (const event of snapshot.metadata.slice(Math.max(0, plan.have - 1))) {
          if (event.kind !== "SetTransform") events.push(event);
          else {
            // Inputs resolved to ids, engine version pinned, SQL checked (src/transform/setTransform.ts).
            const { prepareSetTransform } = await import("../transform/setTransform.js");
            events.push(await prepareSetTransform(workspace, dataset, event));
          }
        }
        await dataset.chain.appendMany(events);
      } catch (error) {
        throw fail({ snapshot, file }, error);
      } finally {
        await lock?.release();
      }
      added.push({ ...dataset, status: plan.existing ? "completed" : "created" });
    }
  } catch (error) {
    for (const dataset of created.reverse()) await remove(workspace, dataset);
    throw error;
  }
  return added;
}
