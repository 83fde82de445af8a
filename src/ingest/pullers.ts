import type { ChainState } from "../odf/chain/chainState";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { SourceNotFoundError } from "./errors";

/** Options every puller accepts (`odf pull <alias> [--force]`). */
export type PullOptions = {
  /** Re-read the source even when its state says it has not changed. */
  force?: boolean | undefined;
  /** HTTP fetch timeout in milliseconds. */
  timeoutMs?: number | undefined;
  /** Block system time (default: now). */
  systemTime?: string | undefined;
  /**
   * Directory relative `Url`/`FilesGlob` paths resolve against (default: the directory holding
   * the workspace, so a pull reads the same files from any subdirectory).
   */
  baseDir?: string | undefined;
};

/** What a pull did. */
export type PullOutcome = {
  status: "updated" | "unchanged";
  /** Hash of the block written, when one was. */
  blockHash?: string | undefined;
  /** Records written. */
  rowCount: number;
  /** Records read from the source, when the puller knows. */
  inputRows?: number | undefined;
};

/** Brings one dataset up to date from its source. */
export type Puller = (workspace: Workspace, dataset: Dataset, options: PullOptions) => Promise<PullOutcome>;

/** A registry entry: which datasets it pulls, and a lazy loader (keeps CLI start-up lean). */
export type PullerEntry = {
  name: string;
  matches(dataset: Dataset, state: ChainState): boolean;
  load(): Promise<Puller>;
};

/**
 * The pullers `odf pull` dispatches to, first match wins. Add an entry for a new kind of source
 * here (e.g. `EthereumLogs` polling sources, derivative datasets) or call `registerPuller`.
 */
export const pullers: PullerEntry[] = [
  {
    name: "root-url-glob",
    matches: (_dataset, state) =>
      state.datasetKind === "Root" &&
      (state.pollingSource?.fetch.kind === "Url" || state.pollingSource?.fetch.kind === "FilesGlob"),
    load: async () => (await import("./pullRoot.js")).pullRoot,
  },
  {
    name: "ethereum-logs",
    matches: (_dataset, state) => state.datasetKind === "Root" && state.pollingSource?.fetch.kind === "EthereumLogs",
    load: async () => (await import("../chain-source/pullLogs.js")).pullLogs,
  },
  {
    name: "derivative",
    matches: (_dataset, state) => state.datasetKind === "Derivative",
    load: async () => (await import("../transform/pullDerivative.js")).pullDerivative,
  },
];

/** Adds a puller ahead of the built-in ones. */
export function registerPuller(entry: PullerEntry): void {
  pullers.unshift(entry);
}

/** Pulls a dataset with the first matching puller; throws `SourceNotFoundError` when none applies. */
export async function pullDataset(
  workspace: Workspace,
  aliasOrId: string,
  options: PullOptions = {},
): Promise<PullOutcome> {
  const dataset = await workspace.open(aliasOrId);
  const state = await dataset.chain.state();
  const entry = pullers.find((p) => p.matches(dataset, state));
  if (!entry) {
    const what =
      state.datasetKind === "Root"
        ? state.pollingSource
          ? `its ${state.pollingSource.fetch.kind} polling source is not supported`
          : "it has no polling source (use `odf ingest` for push sources)"
        : "derivative datasets are not pullable here yet";
    throw new SourceNotFoundError(`Cannot pull ${dataset.alias}: ${what}`);
  }
  const puller = await entry.load();
  return puller(workspace, dataset, options);
}
