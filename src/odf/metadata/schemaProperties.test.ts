import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { blockHash, decodeMetadataBlock, encodeMetadataBlock } from "./blockCodec";
import { type FieldType, MetadataBlockTable, type TableDef, type UnionDef } from "./schema";
import type { MetadataBlock } from "./types";
import { blockToYaml, parseMetadataBlockYaml } from "./yaml";

type Obj = Record<string, unknown>;

/** Random valid objects for any table of the schema, driven by the schema itself. */
function generator(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const hex = (n: number) => Array.from({ length: n }, () => int(0, 255).toString(16).padStart(2, "0")).join("");
  const text = () => pick(["", "a", "SELECT * FROM t", "ünï ✓ 🚀", "line\nbreak", "x".repeat(int(1, 80))]);

  const value = (t: FieldType, depth: number): unknown => {
    switch (t.type) {
      case "string":
        return text();
      case "bytes":
        if (t.form === "multihash") return `f1620${hex(32)}`;
        if (t.form === "datasetId") return `did:odf:fed01${hex(32)}`;
        return Buffer.from(hex(int(0, 12)), "hex").toString("base64");
      case "scalar":
        if (t.scalar === "bool") return next() < 0.5;
        if (t.scalar === "int32") return int(-0x80000000, 0x7fffffff);
        if (t.scalar === "uint32") return int(0, 0xffffffff);
        return pick([0, 1, int(0, 1000), Number.MAX_SAFE_INTEGER, int(0, Number.MAX_SAFE_INTEGER)]);
      case "enum":
        return pick(t.enum.values);
      case "timestamp": {
        const iso = new Date(int(0, 253_402_300_799_999)).toISOString();
        return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
      }
      case "extra":
        return { "opendatafabric.org/x": pick([1, "two", [true, null], { n: 2.5 }]) };
      case "table":
        return table(t.table, depth + 1);
      case "union":
        return union(t.union, depth + 1);
      case "stringVector":
        return Array.from({ length: depth > 3 ? 0 : int(0, 3) }, text);
      case "tableVector":
        return Array.from({ length: depth > 3 ? 0 : int(0, 3) }, () => table(t.table, depth + 1));
      case "unionVector":
        return Array.from({ length: depth > 3 ? 0 : int(0, 3) }, () => union(t.union, depth + 1));
    }
  };

  const table = (def: TableDef, depth: number, kind?: string): Obj => {
    const out: Obj = kind === undefined ? {} : { kind };
    for (const f of def.fields) if (f.required || next() < 0.6) out[f.name] = value(f.type, depth);
    return out;
  };

  const recursive = (def: TableDef) => def.fields.some((f) => f.required && f.type.type === "union");
  const union = (def: UnionDef, depth: number): Obj => {
    const leafs = def.members.filter((m) => !recursive(m.table));
    const member = pick(depth > 4 && leafs.length > 0 ? leafs : def.members);
    return table(member.table, depth, member.kind);
  };

  return { block: () => table(MetadataBlockTable, 0) as unknown as MetadataBlock };
}

describe("schema properties", () => {
  test("random valid blocks round-trip through binary (v2, v3) and YAML", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const block = generator(seed).block();
        for (const version of [3, 2] as const) {
          const bytes = encodeMetadataBlock(block, { version });
          const decoded = decodeMetadataBlock(bytes);
          expect(JSON.stringify(decoded.block)).toBe(JSON.stringify(block));
          expect(blockHash(encodeMetadataBlock(decoded.block, { version }))).toBe(blockHash(bytes));
        }
        expect(parseMetadataBlockYaml(blockToYaml(block, 3)).block).toEqual(block);
      }),
      { numRuns: 150 },
    );
  });
});
