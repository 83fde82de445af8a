import { promises as fs } from "node:fs";
import path from "node:path";
import { inflateRawSync } from "node:zlib";
import { PrepareError } from "./errors";

type Entry = { name: string; method: number; compressedSize: number; localOffset: number };

function readCentralDirectory(buf: Buffer, archive: string): Entry[] {
  // End of central directory: signature 0x06054b50, at most 65535 + 22 bytes from the end.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new PrepareError(`${archive} is not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new PrepareError(`${archive}: zip64 archives are not supported`);
  const entries: Entry[] = [];
  for (let n = 0; n < count; n++) {
    if (offset + 46 > buf.length || buf.readUInt32LE(offset) !== 0x02014b50) {
      throw new PrepareError(`${archive}: corrupt zip central directory`);
    }
    const method = buf.readUInt16LE(offset + 10);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const localOffset = buf.readUInt32LE(offset + 42);
    const name = buf.toString("utf8", offset + 46, offset + 46 + nameLength);
    entries.push({ name, method, compressedSize, localOffset });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function matches(name: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.+^$()|\\[\]{}?]/g, "\\$&"))
      .join("[^/]*")}$`,
  );
  return re.test(name);
}

/**
 * Extracts one file of a zip archive (stored or deflated entries) to `dest`: the entry matching
 * `subPath` (a path or `*` pattern), else the archive's only file, and returns the entry's name.
 * Throws `PrepareError` naming the archive as `name` (default: its file name) for a non-zip, a
 * missing entry or several candidates.
 */
export async function unzipEntry(
  file: string,
  dest: string,
  subPath?: string,
  name: string = path.basename(file),
): Promise<string> {
  const buf = await fs.readFile(file);
  const files = readCentralDirectory(buf, name).filter((e) => !e.name.endsWith("/"));
  const candidates = subPath ? files.filter((e) => matches(e.name, subPath)) : files;
  if (candidates.length === 0) {
    throw new PrepareError(`${name}: no entry ${subPath ? `matches ${subPath}` : "in the archive"}`);
  }
  if (candidates.length > 1) {
    throw new PrepareError(
      `${name}: ${candidates.length} entries match (${candidates
        .slice(0, 3)
        .map((e) => e.name)
        .join(", ")}...); set subPath`,
    );
  }
  const entry = candidates[0] as Entry;
  const local = entry.localOffset;
  if (buf.readUInt32LE(local) !== 0x04034b50) throw new PrepareError(`${name}: corrupt zip entry ${entry.name}`);
  const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
  const data = buf.subarray(start, start + entry.compressedSize);
  let out: Buffer;
  if (entry.method === 0) out = data;
  else if (entry.method === 8) {
    try {
      out = inflateRawSync(data);
    } catch (error) {
      throw new PrepareError(`${name}: entry ${entry.name} does not inflate`, { cause: error });
    }
  } else throw new PrepareError(`${name}: entry ${entry.name} uses unsupported compression method ${entry.method}`);
  await fs.writeFile(dest, out);
  return entry.name;
}
