import { randomBytes } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { RequestHeader, SourceState } from "../odf/metadata/types";
import { formatInstant } from "../odf/time";
import { FetchError, FetchRetryableError } from "./errors";

/** Parameters of `fetchUrl`. */
export type FetchUrlParameters = {
  url: string;
  headers?: readonly RequestHeader[] | undefined;
  /** The source state recorded by the last ingest (`odf/etag` or `odf/last-modified`). */
  previousState?: SourceState | undefined;
  /** Re-read even when the source says it has not changed. */
  force?: boolean | undefined;
  /** Directory for the downloaded file (same filesystem as the dataset). */
  tempDir: string;
  /** Abort after this many milliseconds without a complete answer (default 30 s). */
  timeoutMs?: number | undefined;
  /** Name the new source state is recorded under (default `default`). */
  sourceName?: string | undefined;
};

/** The result of `fetchUrl`: the source has not changed, or a local file with its metadata. */
export type FetchUrlReturnType =
  | { status: "unchanged" }
  | {
      status: "fetched";
      /** Local path of the content (the original file for `file:` URLs, never deleted). */
      path: string;
      /** Whether `path` is a temp file the caller should delete. */
      temporary: boolean;
      /** Source modification time as RFC 3339 UTC, when the source says. */
      lastModified: string | undefined;
      /** State to record with the ingest, so the next pull can skip an unchanged source. */
      sourceState: SourceState | undefined;
    };

const DEFAULT_TIMEOUT_MS = 30_000;

function toRfc3339(httpDate: string | null): string | undefined {
  if (!httpDate) return undefined;
  const ms = Date.parse(httpDate);
  return Number.isNaN(ms) ? undefined : formatInstant(new Date(ms));
}

async function fetchFile(params: FetchUrlParameters, sourceName: string): Promise<FetchUrlReturnType> {
  const file = params.url.startsWith("file:") ? fileURLToPath(params.url) : params.url;
  let stat: import("node:fs").Stats;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new FetchError({ url: params.url, problem: "no such file" });
  }
  if (!stat.isFile()) throw new FetchError({ url: params.url, problem: "not a regular file" });
  const lastModified = formatInstant(stat.mtime);
  const value = `${lastModified}`;
  const sourceState: SourceState = { sourceName, kind: "odf/last-modified", value };
  const prev = params.previousState;
  if (!params.force && prev && prev.kind === sourceState.kind && prev.value === value) return { status: "unchanged" };
  return { status: "fetched", path: file, temporary: false, lastModified, sourceState };
}

async function fetchHttp(params: FetchUrlParameters, sourceName: string): Promise<FetchUrlReturnType> {
  const headers = new Headers();
  for (const h of params.headers ?? []) headers.set(h.name, h.value);
  const prev = params.previousState;
  if (!params.force && prev) {
    if (prev.kind === "odf/etag") headers.set("If-None-Match", prev.value);
    if (prev.kind === "odf/last-modified") headers.set("If-Modified-Since", new Date(prev.value).toUTCString());
  }
  const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(params.url, { headers, signal, redirect: "follow" });
  } catch (error) {
    const timedOut = signal.aborted;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new FetchRetryableError({
      url: params.url,
      problem: timedOut
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message),
      cause: error,
    });
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: "unchanged" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    const problem = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new FetchRetryableError({ url: params.url, problem });
    }
    throw new FetchError({ url: params.url, problem });
  }
  const etag = response.headers.get("etag");
  const lastModifiedHeader = response.headers.get("last-modified");
  const lastModified = toRfc3339(lastModifiedHeader);
  const sourceState: SourceState | undefined = etag
    ? { sourceName, kind: "odf/etag", value: etag }
    : lastModified
      ? { sourceName, kind: "odf/last-modified", value: lastModified }
      : undefined;
  if (!params.force && prev && sourceState && prev.kind === sourceState.kind && prev.value === sourceState.value) {
    await response.body?.cancel();
    return { status: "unchanged" };
  }
  await fs.mkdir(params.tempDir, { recursive: true });
  const name = path.basename(new URL(params.url).pathname) || "download";
  const target = path.join(params.tempDir, `${randomBytes(6).toString("hex")}-${name}`);
  try {
    if (response.body) {
      await pipeline(
        Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
        createWriteStream(target),
      );
    } else await fs.writeFile(target, "");
  } catch (error) {
    await fs.rm(target, { force: true });
    throw new FetchRetryableError({
      url: params.url,
      problem: signal.aborted ? `no complete answer within ${timeoutMs} ms` : (error as Error).message,
      cause: error,
    });
  }
  return { status: "fetched", path: target, temporary: true, lastModified, sourceState };
}

/**
 * Fetches a `Url` source (`http:`, `https:` or `file:`; a plain path is read as a file). HTTP uses
 * conditional requests (`If-None-Match` / `If-Modified-Since`) from the previous source state and
 * reports `unchanged` on 304 or an equal ETag / Last-Modified; files compare their modification
 * time. 4xx answers throw `FetchError`; timeouts, 5xx and connection errors `FetchRetryableError`.
 */
export async function fetchUrl(params: FetchUrlParameters): Promise<FetchUrlReturnType> {
  const sourceName = params.sourceName ?? "default";
  let protocol: string;
  try {
    protocol = new URL(params.url).protocol;
  } catch {
    protocol = "file:";
  }
  if (protocol === "file:") return fetchFile(params, sourceName);
  if (protocol === "http:" || protocol === "https:") return fetchHttp(params, sourceName);
  throw new FetchError({ url: params.url, problem: `unsupported protocol ${protocol} (http, https and file are)` });
}
