import path from "node:path";
import type { InputFile } from "../engines/duckdb/ingest/loadNewRecords";
import type { ChainState } from "../odf/chain/chainState";
import type { FetchStepFilesGlob, FetchStepUrl, SetPollingSource, SourceState } from "../odf/metadata/types";
import { compareInstants, formatInstant } from "../odf/time";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { SourceNotFoundError, UnsupportedStepError } from "./errors";
import { fetchGlob } from "./fetchGlob";
import { fetchUrl } from "./fetchUrl";
import { ingestFiles } from "./ingestFiles";
import { prepareFile } from "./prepareFile";
import type { PullOptions, PullOutcome } from "./pullers";
import { sourceEventTime } from "./sourceEventTime";
import { withTempDir } from "./tempDir";

/** Name under which a polling source records its state in `AddData.newSourceState`. */
export const POLLING_SOURCE_NAME = "default";

type Fetched = { files: InputFile[]; sourceState: SourceState | undefined } | "unchanged";

async function fetchUrlSource(
  fetch: FetchStepUrl,
  state: ChainState,
  options: PullOptions,
  tempDir: string,
  source: SetPollingSource,
  systemTime: string,
  cwd: string,
): Promise<Fetched> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(fetch.url) ? fetch.url : path.resolve(cwd, fetch.url);
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
  const prepared = await prepareFile(fetched.path, source.prepare ?? [], tempDir);
  const eventTime = sourceEventTime(fetch.eventTime, {
    path: new URL(url, "file:///").pathname,
    lastModified: fetched.lastModified,
    systemTime,
  });
  return { files: [{ path: prepared.path, sourceEventTime: eventTime }], sourceState: fetched.sourceState };
}

async function fetchGlobSource(
  fetch: FetchStepFilesGlob,
  state: ChainState,
  options: PullOptions,
  tempDir: string,
  source: SetPollingSource,
  systemTime: string,
  cwd: string,
): Promise<Fetched> {
  const matches = await fetchGlob(fetch.path, cwd);
  const byEventTime = fetch.order === "ByEventTime";
  const keyed = matches.map((m) => {
    const eventTime = sourceEventTime(fetch.eventTime, {
      path: m.path,
      lastModified: formatInstant(m.mtime),
      systemTime,
    });
    return { ...m, eventTime, key: byEventTime ? eventTime : path.basename(m.path) };
  });
  const compare = (a: string, b: string) => (byEventTime ? compareInstants(a, b) : a < b ? -1 : a > b ? 1 : 0);
  keyed.sort((a, b) => compare(a.key, b.key) || (a.path < b.path ? -1 : 1));
  const prev = state.sourceStates[POLLING_SOURCE_NAME];
  const fresh = options.force || !prev ? keyed : keyed.filter((m) => compare(m.key, prev.value) > 0);
  if (fresh.length === 0) return "unchanged";
  const files: InputFile[] = [];
  for (const m of fresh) {
    const prepared = await prepareFile(m.path, source.prepare ?? [], tempDir);
    files.push({ path: prepared.path, sourceEventTime: m.eventTime });
  }
  const last = fresh[fresh.length - 1] as (typeof fresh)[number];
  return { files, sourceState: { sourceName: POLLING_SOURCE_NAME, kind: "odf/etag", value: last.key } };
}

/**
 * Pulls a root dataset from its polling source (`SetPollingSource` with a `Url` or `FilesGlob`
 * fetch step): fetches (skipping an unchanged source unless `force`), prepares, reads,
 * preprocesses and merges the new data, and appends one `AddData` with the new source state.
 * `FilesGlob` ingests every file that sorts after the last one ingested (by name, or by event time
 * with `order: ByEventTime`), all in one block.
 */
export async function pullRoot(
  workspace: Workspace,
  dataset: Dataset,
  options: PullOptions = {},
): Promise<PullOutcome> {
  const state = await dataset.chain.state();
  const source = state.pollingSource;
  if (!source) throw new SourceNotFoundError(`Dataset ${dataset.alias} has no polling source`);
  const systemTime = options.systemTime ?? formatInstant(new Date());
  const cwd = options.cwd ?? process.cwd();
  return withTempDir(workspace, async (tempDir) => {
    let fetched: Fetched;
    if (source.fetch.kind === "Url")
      fetched = await fetchUrlSource(source.fetch, state, options, tempDir, source, systemTime, cwd);
    else if (source.fetch.kind === "FilesGlob") {
      fetched = await fetchGlobSource(source.fetch, state, options, tempDir, source, systemTime, cwd);
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
