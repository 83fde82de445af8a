import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { PrepStep } from "../odf/metadata/types";
import { PrepareError, UnsupportedStepError } from "./errors";
import { unzipEntry } from "./unzipEntry";

/**
 * Runs the `prepare` steps over a fetched file: `Decompress` `Gzip` (streamed) or `Zip` (one entry,
 * chosen by `subPath`). Returns the final path and the temp files created (the caller deletes them).
 */
export async function prepareFile(
  file: string,
  steps: readonly PrepStep[],
  tempDir: string,
): Promise<{ path: string; temporary: string[] }> {
  let current = file;
  const temporary: string[] = [];
  for (const step of steps) {
    if (step.kind !== "Decompress") throw new UnsupportedStepError(`Prepare step ${step.kind}`);
    await fs.mkdir(tempDir, { recursive: true });
    const base = path.basename(current).replace(/\.(gz|gzip|zip)$/i, "");
    const dest = path.join(tempDir, `${randomBytes(6).toString("hex")}-${base}`);
    temporary.push(dest);
    if (step.format === "Gzip") {
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
