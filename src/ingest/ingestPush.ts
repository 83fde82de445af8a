import { randomBytes } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AddPushSource } from "../odf/metadata/types";
import { formatInstant, parseInstant } from "../odf/time";
import { withDatasetLock } from "../odf/workspace/datasetLock";
import type { Dataset, Workspace } from "../odf/workspace/workspace";
import { FetchError, IngestOptionError, SourceNotFoundError } from "./errors";
import { ingestFiles } from "./ingestFiles";
import { withTempDir } from "./tempDir";

/** Options of `ingestPush`. */
export type IngestPushOptions = {
  /** Push source name; may be omitted when the dataset has exactly one. */
  sourceName?: string | undefined;
  /**
   * Event time for records without an `event_time` column, RFC 3339 (default: the system time).
   * Anything else is refused up front with an `IngestOptionError` naming `--event-time`.
   */
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

/** Whether `text` is an RFC 3339 timestamp of a real calendar date and time. */
function isRfc3339(text: string): boolean {
  try {
    parseInstant(text);
  } catch {
    return false;
  }
  // parseInstant checks the shape; a real date and time (no Feb 30, no hour 25) survives Date.
  const local = `${text.slice(0, 10)}T${text.slice(11, 19)}`;
  const date = new Date(`${local}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(local);
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
  if (options.eventTime !== undefined && !isRfc3339(options.eventTime)) {
    throw new IngestOptionError(`--event-time: ${JSON.stringify(options.eventTime)} is not an RFC 3339 timestamp`);
  }
  const dataset = await workspace.open(aliasOrId);
  // Held from reading the state (schema, previous records for the merge) to the commit.
  return withDatasetLock(dataset, "ingest", () => ingestLocked(workspace, dataset, input, options));
}

async function ingestLocked(
  workspace: Workspace,
  dataset: Dataset,
  input: string | Readable,
  options: IngestPushOptions,
): Promise<IngestPushReturnType> {
  const state = await dataset.chain.state();
  const source = selectPushSource(state.pushSources, dataset.alias, options.sourceName);
  const systemTime = options.systemTime ?? formatInstant(new Date());
  return withTempDir(workspace, async (tempDir) => {
    let file: string;
    let name: string;
    if (typeof input === "string") {
      file = path.resolve(input);
      name = path.basename(file);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) throw new FetchError({ url: input, problem: "no such file" });
    } else {
      // A unique name, so that messages can call it "standard input" (see ingestFiles).
      file = path.join(tempDir, `${randomBytes(6).toString("hex")}-stdin`);
      name = "standard input";
      await pipeline(input, createWriteStream(file));
    }
    const result = await ingestFiles(dataset, {
      files: [{ path: file, name, sourceEventTime: options.eventTime ?? systemTime }],
      read: source.read,
      preprocess: source.preprocess,
      merge: source.merge,
      systemTime,
      tempDir,
    });
    return {
      blockHash: result.blockHash,
      rowCount: result.rowCount,
      inputRows: result.inputRows,
      sourceName: source.sourceName,
    };
  });
}
