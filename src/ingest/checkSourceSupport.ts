import { readStepSql } from "../engines/duckdb/ingest/readStepSql";
import type { DatasetSnapshot, ReadStep, ReadStepCsv } from "../odf/metadata/types";
import { ManifestApplyError, UnsupportedStepError } from "./errors";

/** Fetch steps `odf pull` runs (see `pullers.ts`); `Container` and `Mqtt` are not. */
const FETCH_KINDS = ["Url", "FilesGlob", "EthereumLogs"];

/** The reader's refusal of a read step (built as SQL, never run), or undefined when it takes it. */
function refusal(read: ReadStep): UnsupportedStepError | undefined {
  try {
    readStepSql(read, "manifest-check");
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedStepError) return error;
    throw error;
  }
}

function checkRead(read: ReadStep, path: string): void {
  const kind = refusal({ kind: read.kind } as ReadStep);
  if (kind) throw new ManifestApplyError(`${path}.kind: ${kind.shortMessage}`, { cause: kind });
  if ("encoding" in read && read.encoding !== undefined) {
    const encoding = refusal({ kind: read.kind, encoding: read.encoding } as ReadStep);
    if (encoding) throw new ManifestApplyError(`${path}.encoding: ${encoding.shortMessage}`, { cause: encoding });
  }
  if (read.kind !== "Csv") return;
  // The ODF spec asks for single characters; DuckDB also takes quote and escape of one byte only.
  const csv: ReadStepCsv = read;
  if (csv.separator !== undefined && [...csv.separator].length !== 1)
    throw new ManifestApplyError(
      `${path}.separator: ${JSON.stringify(csv.separator)} is not supported (expected a single character)`,
    );
  for (const key of ["quote", "escape"] as const) {
    const value = csv[key];
    if (value !== undefined && !/^[\x20-\x7e]?$/.test(value))
      throw new ManifestApplyError(
        `${path}.${key}: ${JSON.stringify(value)} is not supported (expected one ASCII character, or "" for none)`,
      );
  }
}

/**
 * Refuses, before anything is created, the source options of a snapshot that this implementation
 * would only fail on at pull or ingest time: fetch steps other than Url, FilesGlob and
 * EthereumLogs, read formats and encodings the DuckDB reader does not take, CSV separators that are
 * not one character, quotes and escapes that are not one ASCII character, and empty Pipe commands.
 * Throws `ManifestApplyError` naming the field path (`content.metadata[1].read.encoding: ...`).
 */
export function checkSourceSupport(snapshot: DatasetSnapshot): void {
  for (const [i, event] of snapshot.metadata.entries()) {
    const path = `content.metadata[${i}]`;
    if (event.kind === "SetPollingSource") {
      if (!FETCH_KINDS.includes(event.fetch.kind))
        throw new ManifestApplyError(
          `${path}.fetch.kind: ${event.fetch.kind} is not supported by this implementation (supported: ${FETCH_KINDS.join(", ")})`,
        );
      for (const [j, step] of (event.prepare ?? []).entries()) {
        if (step.kind === "Pipe" && step.command.length === 0)
          throw new ManifestApplyError(`${path}.prepare[${j}].command: expected a program and its arguments`);
      }
      checkRead(event.read, `${path}.read`);
    } else if (event.kind === "AddPushSource") checkRead(event.read, `${path}.read`);
  }
}
