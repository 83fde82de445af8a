import { promises as fs } from "node:fs";
import path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { addDatasets } from "../../src/ingest/addDatasets";
import { parseDatasetSnapshotYaml } from "../../src/odf/metadata/yaml";
import { createFileHasher } from "../../src/odf/verify/fileHasher";
import { verifyDataset } from "../../src/odf/verify/verifyDataset";
import type { Dataset, Workspace } from "../../src/odf/workspace/workspace";

/** Creates one dataset from a snapshot manifest's YAML text. */
export async function addFromYaml(ws: Workspace, yaml: string): Promise<Dataset> {
  const created = await addDatasets(
    ws,
    parseDatasetSnapshotYaml(yaml).map((snapshot) => ({ file: "test.yaml", snapshot })),
  );
  return created[0] as Dataset;
}

/** Runs `odf verify`'s checks (metadata and every data file) and returns the problems. */
export async function verifyProblems(dataset: Dataset): Promise<string[]> {
  const hasher = await createFileHasher();
  try {
    const report = await verifyDataset(dataset.chain, { hasher });
    return report.problems.map((p) => p.message);
  } finally {
    await hasher.close();
  }
}

/** The dataset's head and committed data files (temp files excluded). */
export async function snapshotOf(
  dataset: Dataset,
): Promise<{ head: string | undefined; data: string[]; blocks: string[] }> {
  const list = async (kind: string) =>
    (await fs.readdir(path.join(dataset.dir, kind))).filter((n) => !n.startsWith(".")).sort();
  return { head: await dataset.chain.head(), data: await list("data"), blocks: await list("blocks") };
}

/** A zip archive (deflated entries) of the given files, written with Node's zlib. */
export function makeZip(entries: { name: string; content: string | Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
    const packed = deflateRawSync(data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
