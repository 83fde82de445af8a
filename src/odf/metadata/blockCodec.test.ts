import { Builder } from "flatbuffers";
import { describe, expect, test } from "vitest";
import { blockOf, HASH_A, RICH_EVENTS } from "../../../test/fixtures/metadataEvents";
import vectors from "../../../test/vectors/odf-blocks.json";
import {
  BlockDecodeError,
  UnexpectedManifestKindError,
  UnknownUnionTagError,
  UnsupportedManifestVersionError,
} from "../errors";
import { blockHash, decodeMetadataBlock, encodeMetadataBlock } from "./blockCodec";
import { MetadataEventUnion, TABLES, UNIONS } from "./schema";
import type { DataType, MetadataBlock, MetadataEvent } from "./types";

const envelope = (event: unknown): MetadataBlock => ({ ...vectors.envelope, event: event as MetadataEvent });

describe("blockCodec: known answers", () => {
  for (const c of vectors.cases) {
    test(`${c.name}: v3 and v2 hashes`, () => {
      const v3 = encodeMetadataBlock(envelope(c.event));
      const v2 = encodeMetadataBlock(envelope(c.event), { version: 2 });
      expect(blockHash(v3)).toBe(c.v3);
      expect(blockHash(v2)).toBe(c.v2);
      expect(decodeMetadataBlock(v3)).toEqual({ block: envelope(c.event), version: 3 });
      expect(decodeMetadataBlock(v2)).toEqual({ block: envelope(c.event), version: 2 });
    });
  }
});

describe("blockCodec: round trips", () => {
  test("fixtures cover every event kind and every union member", () => {
    const seen = new Set<string>();
    const visit = (value: unknown, unionHint?: string): void => {
      if (Array.isArray(value)) for (const v of value) visit(v, unionHint);
      else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) if (k !== "extra") visit(v);
        const kind = (value as { kind?: unknown }).kind;
        if (typeof kind === "string") seen.add(kind);
      }
    };
    visit(RICH_EVENTS);
    for (const union of UNIONS.values()) {
      for (const member of union.members) expect(seen, `${union.name}.${member.kind}`).toContain(member.kind);
    }
    expect(MetadataEventUnion.members).toHaveLength(13);
    expect(TABLES.get("MetadataBlock")?.slotCount).toBe(5);
  });

  for (const [i, event] of RICH_EVENTS.entries()) {
    test(`${event.kind} #${i}: object -> binary -> object -> binary (v3 and v2)`, () => {
      for (const version of [3, 2] as const) {
        const block = blockOf(event, i);
        const bytes = encodeMetadataBlock(block, { version });
        const decoded = decodeMetadataBlock(bytes);
        expect(decoded.version).toBe(version);
        expect(decoded.block).toEqual(block);
        expect(JSON.stringify(decoded.block)).toBe(JSON.stringify(block));
        const again = encodeMetadataBlock(decoded.block, { version });
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      }
    });
  }

  test("a block without prevBlockHash (a Seed) round-trips", () => {
    const { prevBlockHash: _, ...seed } = blockOf(RICH_EVENTS[0]!, 0);
    const bytes = encodeMetadataBlock(seed);
    expect(decodeMetadataBlock(bytes).block).toEqual(seed);
    expect(blockHash(bytes)).toMatch(/^f1620[0-9a-f]{64}$/);
  });

  test("v2 and v3 differ only in timestamp alignment", () => {
    const block = blockOf(RICH_EVENTS[2]!);
    expect(blockHash(encodeMetadataBlock(block, { version: 2 }))).not.toBe(
      blockHash(encodeMetadataBlock(block, { version: 3 })),
    );
  });

  test("encode: malformed objects fail naming the field", () => {
    expect(() =>
      encodeMetadataBlock({ ...blockOf(RICH_EVENTS[0]!), sequenceNumber: 2 ** 53 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: block.sequenceNumber: expected an integer in [0, 9007199254740991] (uint64), got 9007199254740992]`,
    );
    expect(() =>
      encodeMetadataBlock(blockOf({ kind: "Nope" } as unknown as MetadataEvent)),
    ).toThrowErrorMatchingInlineSnapshot(`[TypeError: block.event.kind: unknown MetadataEvent kind "Nope"]`);
    expect(() =>
      encodeMetadataBlock(blockOf({ kind: "DisablePushSource" } as MetadataEvent)),
    ).toThrowErrorMatchingInlineSnapshot(`[TypeError: block.event.sourceName: required field is missing]`);
    expect(() =>
      encodeMetadataBlock({ ...blockOf(RICH_EVENTS[0]!), prevBlockHash: "f1620ab" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: block.prevBlockHash: Multihash digest length 1 does not match its declared length 32]`,
    );
    expect(() =>
      encodeMetadataBlock({ ...blockOf(RICH_EVENTS[0]!), systemTime: "2020-13-01T00:00:00Z" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: block.systemTime: Not a valid date and time: "2020-13-01T00:00:00Z"]`,
    );
  });
});

describe("blockCodec: bad input", () => {
  const good = encodeMetadataBlock(blockOf(RICH_EVENTS[6]!));

  test("truncated buffers fail with BlockDecodeError, never a raw RangeError", () => {
    for (let n = 0; n < good.length; n += 7) {
      expect(() => decodeMetadataBlock(good.subarray(0, n))).toThrow(BlockDecodeError);
    }
    expect(() => decodeMetadataBlock(good.subarray(0, 4))).toThrowErrorMatchingInlineSnapshot(
      `[BlockDecodeError: Metadata block is truncated (4 bytes)]`,
    );
  });

  test("random garbage and random byte flips fail cleanly", () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const garbage = new Uint8Array(16 + (rand() % 400)).map(() => rand() & 0xff);
      expect(() => decodeMetadataBlock(garbage)).toThrow(BlockDecodeError);
    }
    for (let i = 0; i < 1000; i++) {
      const flipped = good.slice();
      flipped[rand() % flipped.length] = rand() & 0xff;
      try {
        decodeMetadataBlock(flipped);
      } catch (error) {
        expect(error).toBeInstanceOf(BlockDecodeError);
      }
    }
  });

  test("an unknown union tag names the union, tag and path", () => {
    const bytes = encodeMetadataBlock(blockOf({ kind: "DisablePollingSource" }));
    const patched = bytes.slice();
    const tagAt = patched.indexOf(13, 40); // the MetadataEvent type byte (13 = DisablePollingSource)
    expect(tagAt).toBeGreaterThan(0);
    patched[tagAt] = 14;
    expect(() => decodeMetadataBlock(patched)).toThrowErrorMatchingInlineSnapshot(
      `[UnknownUnionTagError: Unknown MetadataEvent union tag 14 at block.event]`,
    );
    expect(() => decodeMetadataBlock(patched)).toThrow(UnknownUnionTagError);
  });

  test("manifest kind other than 0x400000 is rejected", () => {
    const patched = good.slice();
    const at = Buffer.from(patched).indexOf(Buffer.from([0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00]));
    patched[at + 2] = 0x40;
    patched[at] = 0x01; // 0x400001, a dataset snapshot
    expect(() => decodeMetadataBlock(patched)).toThrowErrorMatchingInlineSnapshot(
      `[UnexpectedManifestKindError: Manifest kind 0x400001 is not a metadata block (0x400000)]`,
    );
    expect(() => decodeMetadataBlock(patched)).toThrow(UnexpectedManifestKindError);
  });

  test("manifest versions 1 and 4 are rejected", () => {
    for (const version of [1, 4]) {
      const patched = good.slice();
      const at = Buffer.from(patched).indexOf(Buffer.from([0x03, 0x00, 0x00, 0x00]));
      patched[at] = version;
      expect(() => decodeMetadataBlock(patched)).toThrow(UnsupportedManifestVersionError);
      expect(() => decodeMetadataBlock(patched)).toThrow(
        `Unsupported metadata block manifest version ${version} (supported: 2, 3)`,
      );
    }
  });

  test("absurdly deep nesting is refused instead of overflowing the stack", () => {
    let type: DataType = { kind: "Int8" };
    for (let i = 0; i < 70; i++) type = { kind: "Option", inner: type };
    const bytes = encodeMetadataBlock(blockOf({ kind: "SetDataSchema", schema: { fields: [{ name: "x", type }] } }));
    expect(() => decodeMetadataBlock(bytes)).toThrow(
      /^Nesting deeper than 64 at block\.event\.schema\.fields\[0\]\.type/,
    );
  });

  test("a buffer whose tables share subtrees cannot blow up decoding", () => {
    // Each level is a Struct whose 100 fields all point at the same DataField of the level below:
    // a tree walk would visit 100^4 tables. Legitimate writers never share tables.
    const b = new Builder(1024);
    const name = b.createString("x");
    b.startObject(0);
    let type = b.endObject(); // DataTypeInt8
    let typeTag = 9;
    for (let level = 0; level < 4; level++) {
      b.startObject(4);
      b.addFieldOffset(0, name, 0);
      b.addFieldInt8(1, typeTag, 0);
      b.addFieldOffset(2, type, 0);
      const field = b.endObject();
      b.startVector(4, 100, 4);
      for (let i = 0; i < 100; i++) b.addOffset(field);
      const fields = b.endVector();
      b.startObject(1);
      b.addFieldOffset(0, fields, 0);
      type = b.endObject(); // DataTypeStruct
      typeTag = 21;
    }
    b.startObject(4);
    b.addFieldOffset(0, name, 0);
    b.addFieldInt8(1, typeTag, 0);
    b.addFieldOffset(2, type, 0);
    const top = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(top);
    const topFields = b.endVector();
    b.startObject(2);
    b.addFieldOffset(0, topFields, 0);
    const schema = b.endObject();
    b.startObject(2);
    b.addFieldOffset(1, schema, 0);
    const event = b.endObject(); // SetDataSchema
    b.startObject(5);
    b.prep(4, 16);
    b.writeInt32(0);
    b.writeInt32(0);
    b.pad(2);
    b.writeInt16(1);
    b.writeInt32(2020);
    b.addFieldStruct(0, b.offset(), 0);
    b.addFieldInt64(2, BigInt(1), BigInt(0));
    b.addFieldInt8(3, 10, 0);
    b.addFieldOffset(4, event, 0);
    b.finish(b.endObject());
    const m = new Builder(1024);
    const content = m.createByteVector(b.asUint8Array());
    m.startObject(3);
    m.addFieldInt64(0, BigInt(0x400000), BigInt(0));
    m.addFieldInt32(1, 3, 0);
    m.addFieldOffset(2, content, 0);
    m.finish(m.endObject());
    expect(() => decodeMetadataBlock(m.asUint8Array())).toThrow(/^Too many references in the buffer at /);
  });

  test("a block hash is over the exact bytes", () => {
    expect(blockHash(new TextEncoder().encode("prev"))).toBe(HASH_A);
  });
});
