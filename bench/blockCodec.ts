import { blockHash, decodeMetadataBlock, encodeMetadataBlock } from "../src/odf/metadata/blockCodec";
import type { MetadataBlock, MetadataEvent } from "../src/odf/metadata/types";
import { blockOf, HASH_A, HASH_B, LOGICAL_HASH, RICH_EVENTS } from "../test/fixtures/metadataEvents";
import { type Figure, report } from "./lib/report";

/** A typical ingest block: AddData with a data slice, checkpoint, watermark and source state. */
function addDataBlock(i: number): MetadataBlock {
  return {
    systemTime: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    prevBlockHash: HASH_A,
    sequenceNumber: i,
    event: {
      kind: "AddData",
      prevCheckpoint: HASH_B,
      prevOffset: i * 100 + 99,
      newData: {
        logicalHash: LOGICAL_HASH,
        physicalHash: HASH_B,
        offsetInterval: { start: i * 100 + 100, end: i * 100 + 199 },
        size: 65_536 + i,
      },
      newCheckpoint: { physicalHash: HASH_A, size: 1024 },
      newWatermark: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      newSourceState: { sourceName: "default", kind: "odf/etag", value: `${i}@abcdef` },
    },
  };
}

function schemaBlock(fields: number): MetadataBlock {
  const event: MetadataEvent = {
    kind: "SetDataSchema",
    schema: { fields: Array.from({ length: fields }, (_, i) => ({ name: `column_${i}`, type: { kind: "Int64" } })) },
  };
  return blockOf(event);
}

/** Operations per second of CPU time (user + system), robust to a machine shared with other jobs. */
function rate(count: number, fn: (i: number) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) fn(i);
  const used = process.cpuUsage(start);
  return count / ((used.user + used.system) / 1e6);
}

/** `npm run bench -- blockCodec [count]`: encode, decode and hash throughput of metadata blocks. */
export async function run(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 50_000);
  const blocks = Array.from({ length: count }, (_, i) => addDataBlock(i));
  rate(2000, (i) => decodeMetadataBlock(encodeMetadataBlock(blocks[i]!))); // warm-up
  const bytes: Uint8Array[] = new Array(count);
  const encode = rate(count, (i) => {
    bytes[i] = encodeMetadataBlock(blocks[i]!);
  });
  const decode = rate(count, (i) => decodeMetadataBlock(bytes[i]!));
  const hash = rate(count, (i) => blockHash(bytes[i]!));
  const rich = RICH_EVENTS.map((e, i) => blockOf(e, i));
  const mixed = rate(count, (i) => {
    const b = encodeMetadataBlock(rich[i % rich.length]!);
    blockHash(b);
    decodeMetadataBlock(b);
  });
  const small = encodeMetadataBlock(schemaBlock(10));
  const large = encodeMetadataBlock(schemaBlock(10_000));
  const perFieldSmall = 1e9 / rate(2000, () => decodeMetadataBlock(small)) / 10;
  const perFieldLarge = 1e9 / rate(20, () => decodeMetadataBlock(large)) / 10_000;
  const figures: Figure[] = [
    { name: "encode AddData", value: Math.round(encode), unit: "blocks/s" },
    { name: "decode AddData", value: Math.round(decode), unit: "blocks/s" },
    { name: "hash AddData", value: Math.round(hash), unit: "blocks/s" },
    { name: "AddData block size", value: bytes[0]!.length, unit: "bytes" },
    { name: "encode+hash+decode, all event kinds", value: Math.round(mixed), unit: "blocks/s" },
    { name: "decode, schema of 10 fields", value: perFieldSmall, unit: "ns/field" },
    {
      name: "decode, schema of 10000 fields",
      value: perFieldLarge,
      unit: "ns/field",
      note: "linear if close to above",
    },
  ];
  report("blockCodec", figures, { count, clock: "process CPU time" });
}
