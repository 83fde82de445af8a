import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { PrepStep } from "../odf/metadata/types";
import { PrepareError } from "./errors";
import { unzipEntry } from "./unzipEntry";

/**
 * Pipes `input` through a command (no shell) into `output`. A command that cannot start, exits
 * non-zero or dies by a signal is a `PrepareError` naming it (with the first line of its stderr).
 */
async function pipeThrough(command: readonly string[], input: string, output: string): Promise<void> {
  const [program, ...args] = command;
  if (!program) throw new PrepareError("Prepare step Pipe: the command is empty");
  const what = `Prepare step Pipe: command ${JSON.stringify(program)}`;
  const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
  // Attach every listener before the first await: a spawn error is emitted on the next tick.
  const started = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.on("error", reject);
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("close", (code, signal) => resolve([code, signal])),
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 2000) stderr += chunk.toString("utf8");
  });
  try {
    await started;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PrepareError(code === "ENOENT" ? `${what} not found` : `${what} cannot be run (${code ?? error})`, {
      cause: error,
    });
  }
  // The exit status explains a failure better than the broken pipe it causes, so wait for both.
  const streams = await Promise.allSettled([
    pipeline(createReadStream(input), child.stdin),
    pipeline(child.stdout, createWriteStream(output)),
  ]);
  const [code, signal] = await exited;
  const firstLine = stderr.trim().split("\n")[0];
  const said = firstLine ? `: ${firstLine}` : "";
  if (signal) throw new PrepareError(`${what} was killed by ${signal}${said}`);
  if (code !== 0) throw new PrepareError(`${what} exited with code ${code}${said}`);
  for (const s of streams) {
    // A command may stop reading once it has what it needs (`head`): EPIPE on its stdin is fine.
    if (s.status === "rejected" && (s.reason as NodeJS.ErrnoException).code !== "EPIPE") {
      throw new PrepareError(`${what} failed: ${(s.reason as Error).message}`, { cause: s.reason });
    }
  }
}

/**
 * Runs the `prepare` steps over a fetched file: `Decompress` `Gzip` (streamed) or `Zip` (one entry,
 * chosen by `subPath`), and `Pipe` (the file through a command's stdin/stdout, no shell). `name` is
 * how messages call the input (default: its file name). Returns the final path, the name to use
 * for it (`archive.zip/entry.csv` after a Zip step) and the temp files created (the caller deletes
 * them).
 */
export async function prepareFile(
  file: string,
  steps: readonly PrepStep[],
  tempDir: string,
  name: string = path.basename(file),
): Promise<{ path: string; name: string; temporary: string[] }> {
  let current = file;
  let currentName = name;
  const temporary: string[] = [];
  for (const step of steps) {
    await fs.mkdir(tempDir, { recursive: true });
    const base = path.basename(current).replace(/\.(gz|gzip|zip)$/i, "");
    const dest = path.join(tempDir, `${randomBytes(6).toString("hex")}-${base}`);
    temporary.push(dest);
    if (step.kind === "Pipe") await pipeThrough(step.command, current, dest);
    else if (step.format === "Gzip") {
      try {
        await pipeline(createReadStream(current), createGunzip(), createWriteStream(dest));
      } catch (error) {
        throw new PrepareError(`${currentName} is not valid gzip: ${(error as Error).message}`, {
          cause: error,
        });
      }
    } else {
      const entry = await unzipEntry(current, dest, step.subPath, currentName);
      currentName = `${currentName}/${entry}`;
    }
    current = dest;
  }
  return { path: current, name: currentName, temporary };
}
