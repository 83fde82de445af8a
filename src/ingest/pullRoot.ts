import path from "node:path";
import type { ChainState } from "../odf/chain/chainState";
import type { FetchStepFilesGlob, FetchStepUrl, SetPollingSource, SourceState } from "../odf/metadata/types";
import { compareInstants, formatInstant } from "../odf/time";
import { withDatasetLock } from "../odf/workspace/datasetLock";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { SourceNotFoundError, UnsupportedStepError } from "./errors";
import { fetchGlob, type GlobMatch } from "./fetchGlob";
import { fetchUrl } from "./fetchUrl";
import { type IngestInputFile, ingestFiles } from "./ingestFiles";
import { prepareFile } from "./prepareFile";
import type { PullOptions, PullOutcome } from "./pullers";
import { sourceEventTime } from "./sourceEventTime";
import { withTempDir } from "./tempDir";

/** Name under which a polling source records its state in `AddData.newSourceState`. */
export const POLLING_SOURCE_NAME = "default";

type Fetched = { files: IngestInputFile[]; sourceState: SourceState | undefined } | "unchanged";

/** How messages name a fetched URL: its last path segment, else the URL itself. */
function urlName(url: string): string {
  const segment = path.posix.basename(new URL(url).pathname);
  return segment ? decodeURIComponent(segment) : url;
}

async function fetchUrlSource(
  fetch: FetchStepUrl,
  state: ChainState,
  options: PullOptions,
  tempDir: string,
  source: SetPollingSource,
  systemTime: string,
  baseDir: string,
): Promise<Fetched> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(fetch.url) ? fetch.url : path.resolve(baseDir, fetch.url);
  const fetched = await fetchUrl({
    url,
    headers: fetch.headers,
    previousState: state.sourceStates[POLLING_SOURCE_NAME],
    force: options.force,
    tempDir,
    timeoutMs: options.timeoutMs,
    sourceName: POLLING_SOURCE_NAME,
  });
  if (fetched.status === "unchanged") return "unchanged";
  const name = fetched.temporary ? urlName(url) : path.basename(fetched.path);
  const prepared = await prepareFile(fetched.path, source.prepare ?? [], tempDir, name);
  const eventTime = sourceEventTime(fetch.eventTime, {
    path: new URL(url, "file:///").pathname,
    lastModified: fetched.lastModified,
    systemTime,
  });
  return {
    files: [{ path: prepared.path, name: prepared.name, sourceEventTime: eventTime }],
    sourceState: fetched.sourceState,
  };
}

/**
 * When the pull that recorded `value` ran, if `value` is a bare file name written by an earlier
 * version (which compared base names only) for a glob that reaches into subdirectories; else
 * undefined. Such a state cannot say which of several same-named files were read, so the files
 * changed after that pull count as new, once; the next pull records a relative path.
 */
async function legacyStateTime(
  dataset: Dataset,
  value: string,
  matches: readonly GlobMatch[],
): Promise<string | undefined> {
  if (value.includes("/") || !matches.some((m) => m.relativePath.includes("/"))) return undefined;
  for await (const { block } of dataset.chain.iterate()) {
    const e = block.event;
    if (e.kind === "AddData" && e.newSourceState?.sourceName === POLLING_SOURCE_NAME) return block.systemTime;
  }
  return undefined;
}

async function fetchGlobSource(
  fetch: FetchStepFilesGlob,
  dataset: Dataset,
  state: ChainState,
  options: PullOptions,
  tempDir: string,
  source: SetPollingSource,
  systemTime: string,
  baseDir: string,
): Promise<Fetched> {
  const matches = await fetchGlob(fetch.path, baseDir);
  const byEventTime = fetch.order === "ByEventTime";
  const keyed = matches.map((m) => {
    const eventTime = sourceEventTime(fetch.eventTime, {
      path: m.path,
      lastModified: formatInstant(m.mtime),
      systemTime,
    });
    return { ...m, eventTime, key: byEventTime ? eventTime : m.relativePath };
  });
  const compare = (a: string, b: string) => (byEventTime ? compareInstants(a, b) : a < b ? -1 : a > b ? 1 : 0);
  keyed.sort((a, b) => compare(a.key, b.key) || (a.path < b.path ? -1 : 1));
  const prev = options.force ? undefined : state.sourceStates[POLLING_SOURCE_NAME];
  const legacyTime = prev && !byEventTime ? await legacyStateTime(dataset, prev.value, matches) : undefined;
  const fresh = !prev
    ? keyed
    : legacyTime !== undefined
      ? keyed.filter((m) => compareInstants(formatInstant(m.mtime), legacyTime) > 0)
      : keyed.filter((m) => compare(m.key, prev.value) > 0);
  if (fresh.length === 0) return "unchanged";
  const files: IngestInputFile[] = [];
  for (const m of fresh) {
    const prepared = await prepareFile(m.path, source.prepare ?? [], tempDir, m.relativePath);
    files.push({ path: prepared.path, name: prepared.name, sourceEventTime: m.eventTime });
  }
  const last = fresh[fresh.length - 1] as (typeof fresh)[number];
  return { files, sourceState: { sourceName: POLLING_SOURCE_NAME, kind: "odf/etag", value: last.key } };
}

/**
 * Pulls a root dataset from its polling source (`SetPollingSource` with a `Url` or `FilesGlob`
 * fetch step): fetches (skipping an unchanged source unless `force`), prepares, reads,
 * preprocesses and merges the new data, and appends one `AddData` with the new source state.
 * `FilesGlob` ingests every file that sorts after the last one ingested (by its path below the
 * glob's fixed directory, recorded as the source state, or by event time with `order:
 * ByEventTime`), all in one block. Relative paths and URLs resolve against the directory holding
 * the workspace (`options.baseDir` overrides it), wherever the process runs.
 */
export async function pullRoot(
  workspace: Workspace,
  dataset: Dataset,
  options: PullOptions = {},
): Promise<PullOutcome> {
  // Held from the source-state check to the commit: two pulls must not both ingest one new version.
  return withDatasetLock(dataset, "pull", () => pullLocked(workspace, dataset, options));
}

async function pullLocked(workspace: Workspace, dataset: Dataset, options: PullOptions): Promise<PullOutcome> {
  const state = await dataset.chain.state();
  const source = state.pollingSource;
  if (!source) throw new SourceNotFoundError(`Dataset ${dataset.alias} has no polling source`);
  const systemTime = options.systemTime ?? formatInstant(new Date());
  const baseDir = options.baseDir ?? path.dirname(workspace.dir);
  return withTempDir(workspace, async (tempDir) => {
    let fetched: Fetched;
    if (source.fetch.kind === "Url")
      fetched = await fetchUrlSource(source.fetch, state, options, tempDir, source, systemTime, baseDir);
    else if (source.fetch.kind === "FilesGlob") {
      fetched = await fetchGlobSource(source.fetch, dataset, state, options, tempDir, source, systemTime, baseDir);
    } else throw new UnsupportedStepError(`Fetch step ${source.fetch.kind} in pullRoot`);
    if (fetched === "unchanged") return { status: "unchanged", rowCount: 0 };
    const result = await ingestFiles(dataset, {
      files: fetched.files,
      read: source.read,
      preprocess: source.preprocess,
      merge: source.merge,
      sourceState: fetched.sourceState,
      systemTime,
      tempDir,
    });
    return {
      status: result.blockHash ? "updated" : "unchanged",
      blockHash: result.blockHash,
      rowCount: result.rowCount,
      inputRows: result.inputRows,
    };
  });
}
