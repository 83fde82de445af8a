import { createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AddPushSource } from "../odf/metadata/types";
import { formatInstant } from "../odf/time";
import type { Workspace } from "../odf/workspace/workspace";
import { FetchError, SourceNotFoundError } from "./errors";
import { ingestFiles } from "./ingestFiles";
import { withTempDir } from "./tempDir";

/** Options of `ingestPush`. */
export type IngestPushOptions = {
  /** Push source name; may be omitted when the dataset has exactly one. */
  sourceName?: string | undefined;
  /** Event time for records without an `event_time` column (default: the system time). */
  eventTime?: string | undefined;
  /** Block system time (default: now). */
  systemTime?: string | undefined;
};

/** What a push ingest wrote. */
export type IngestPushReturnType = {
  blockHash: string | undefined;
  rowCount: number;
  inputRows: number;
  sourceName: string;
};

/** The push source an ingest uses: the named one, else the only one. */
export function selectPushSource(
  pushSources: Readonly<Record<string, AddPushSource>>,
  alias: string,
  sourceName?: string,
): AddPushSource {
  const names = Object.keys(pushSources);
  if (sourceName !== undefined) {
    const source = pushSources[sourceName];
    if (!source) {
      throw new SourceNotFoundError(
        `Dataset ${alias} has no push source ${JSON.stringify(sourceName)}${names.length ? ` (it has: ${names.join(", ")})` : ""}`,
      );
    }
    return source;
  }
  if (names.length === 0)
    throw new SourceNotFoundError(`Dataset ${alias} has no push source`, {
      hints: ["Add an AddPushSource event to its manifest."],
    });
  if (names.length > 1)
    throw new SourceNotFoundError(
      `Dataset ${alias} has ${names.length} push sources (${names.join(", ")}); choose one with --source`,
    );
  return pushSources[names[0] as string] as AddPushSource;
}

/**
 * Ingests a file (or a stream, e.g. stdin) into a root dataset through one of its push sources
 * (`AddPushSource`): the source's read step, preprocess and merge strategy, one `AddData` block.
 */
export async function ingestPush(
  workspace: Workspace,
  aliasOrId: string,
  input: string | Readable,
  options: IngestPushOptions = {},
): Promise<IngestPushReturnType> {
  const dataset = await workspace.open(aliasOrId);
  const state = await dataset.chain.state();
  const source = selectPushSource(state.pushSources, dataset.alias, options.sourceName);
  const systemTime = options.systemTime ?? formatInstant(new Date());
  return withTempDir(workspace, async (tempDir) => {
    let file: string;
    let inputName: string;
    if (typeof input === "string") {
      file = path.resolve(input);
      inputName = path.basename(file);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) throw new FetchError({ url: input, problem: "no such file" });
    } else {
      file = path.join(tempDir, "stdin");
      inputName = "standard input";
      await pipeline(input, createWriteStream(file));
    }
    const result = await ingestFiles(dataset, {
      files: [{ path: file, sourceEventTime: options.eventTime ?? systemTime }],
      read: source.read,
      preprocess: source.preprocess,
      merge: source.merge,
      systemTime,
      tempDir,
      inputName,
    });
    return {
      blockHash: result.blockHash,
      rowCount: result.rowCount,
      inputRows: result.inputRows,
      sourceName: source.sourceName,
    };
  });
}
