import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { PrepStep } from "../odf/metadata/types";
import { PrepareError } from "./errors";
import { unzipEntry } from "./unzipEntry";

/** Pipes `input` through a command (no shell) into `output`; a non-zero exit is a `PrepareError`. */
async function pipeThrough(command: readonly string[], input: string, output: string): Promise<void> {
  const [program, ...args] = command;
  if (!program) throw new PrepareError("Pipe step has an empty command");
  const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 2000) stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  try {
    await Promise.all([
      pipeline(createReadStream(input), child.stdin).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
      }),
      pipeline(child.stdout, createWriteStream(output)),
    ]);
    const code = await exited;
    if (code !== 0) {
      throw new PrepareError(
        `Pipe step ${command.join(" ")} exited with ${code}${stderr ? `: ${stderr.trim().split("\n")[0]}` : ""}`,
      );
    }
  } catch (error) {
    if (error instanceof PrepareError) throw error;
    throw new PrepareError(`Pipe step ${command.join(" ")} failed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Runs the `prepare` steps over a fetched file: `Decompress` `Gzip` (streamed) or `Zip` (one entry,
 * chosen by `subPath`), and `Pipe` (the file through a command's stdin/stdout, no shell). Returns the
 * final path and the temp files created (the caller deletes them).
 */
export async function prepareFile(
  file: string,
  steps: readonly PrepStep[],
  tempDir: string,
): Promise<{ path: string; temporary: string[] }> {
  let current = file;
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
        throw new PrepareError(`${path.basename(current)} is not valid gzip: ${(error as Error).message}`, {
          cause: error,
        });
      }
    } else {
      await unzipEntry(current, dest, step.subPath);
    }
    current = dest;
  }
  return { path: current, temporary };
}
