import { createReadStream } from "node:fs";
import { encodeMultihash, multihashToString, SHA3_256_CODE } from "../multihash";
import { SliceReadError } from "./errors";
import { createSha3 } from "./sha3";

/**
 * Physical hash of a data slice: the SHA3-256 multihash of the file bytes as `f1620...` text.
 * Streams the file in 1 MiB reads, so it is fine for slices of any size.
 * Throws `SliceReadError` when the file cannot be read.
 */
export async function physicalHash(path: string): Promise<string> {
  const hasher = createSha3();
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hasher.update(chunk as Buffer);
  } catch (cause) {
    const problem = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(cause);
    throw new SliceReadError({ path, problem, cause });
  }
  return multihashToString(encodeMultihash(SHA3_256_CODE, hasher.digest()));
}
