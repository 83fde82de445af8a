import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeRequest } from "../../src/oracle/codec/decodeRequest";
import { encodeRequest } from "../../src/oracle/codec/encodeRequest";
import { type EncodableValue, encodeResponse } from "../../src/oracle/codec/encodeResponse";
import type { DatasetId } from "../../src/oracle/codec/types";
import { expectRevert, startChain, type TestChain, toHex } from "./fixture";

const vectors = JSON.parse(readFileSync(path.resolve(__dirname, "../vectors/oracle-cbor.json"), "utf8")) as {
  request: { alias: string; did: DatasetId; sql: string; cborHex: string };
  responses: { name: string; cborHex: string }[];
};

type Cell = { raw: number; isNull: boolean; boolValue: boolean; intValue: bigint; fixedValue: bigint; data: Hex };
const DECIMALS = 9;

/** What the Solidity reader must return for a value, computed exactly with bigints. */
function expectedFixed(x: number): bigint {
  // x = m * 2^e exactly; truncate |x| * 10^DECIMALS toward zero
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const expField = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expField === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expField - 1075;
  }
  const scaled = mant * 10n ** BigInt(DECIMALS);
  const mag = e >= 0 ? scaled << BigInt(e) : scaled >> BigInt(-e);
  return neg ? -mag : mag;
}

let c: TestChain;
let harness: Address;

beforeAll(async () => {
  c = await startChain();
  harness = await c.deploy(c.wallets[0] as TestChain["wallets"][number], "CodecHarness");
});
afterAll(async () => {
  await c?.node.stop();
});

describe("OdfRequest (Solidity)", () => {
  test("buildRequest: emits the v1 request vector byte for byte", async () => {
    const { alias, did, sql, cborHex } = vectors.request;
    const bytes = await c.read<Hex>(harness, "buildRequest", [[alias], [did], sql]);
    expect(bytes).toBe(`0x${cborHex}`);
  });

  test("buildRequest: equals encodeRequest for several datasets and long SQL", async () => {
    const datasets = [
      { alias: "a", id: vectors.request.did },
      { alias: "b".repeat(30), id: `did:odf:fED01${"AB".repeat(32)}` as DatasetId },
    ];
    const sql = `select * from a join b using (k) where x = '${"y".repeat(300)}'`;
    const bytes = await c.read<Hex>(harness, "buildRequest", [
      datasets.map((d) => d.alias),
      datasets.map((d) => d.id),
      sql,
    ]);
    expect(bytes).toBe(toHex(encodeRequest({ datasets, sql })));
  });

  test("property: random requests built in Solidity equal encodeRequest and decode back", async () => {
    const did = fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .map((k) => `did:odf:fed01${Buffer.from(k).toString("hex")}` as DatasetId);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ alias: fc.string({ maxLength: 30 }), id: did }), { maxLength: 3 }),
        fc.string({ maxLength: 300 }),
        async (datasets, sql) => {
          const bytes = await c.read<Hex>(harness, "buildRequest", [
            datasets.map((d) => d.alias),
            datasets.map((d) => d.id),
            sql,
          ]);
          expect(bytes).toBe(toHex(encodeRequest({ datasets, sql })));
          expect(decodeRequest(Buffer.from(bytes.slice(2), "hex"))).toEqual({ datasets, sql });
        },
      ),
      { numRuns: 30 },
    );
  });

  test("datasetKey: names a dataset by its public key", async () => {
    const did = vectors.request.did;
    const key = `0x${did.slice(13)}` as Hex;
    const bytes = await c.read<Hex>(harness, "buildRequestWithKey", ["t", key, "select 1"]);
    expect(bytes).toBe(toHex(encodeRequest({ datasets: [{ alias: "t", id: did }], sql: "select 1" })));
  });

  test("parseDatasetId: rejects malformed ids", async () => {
    for (const bad of [
      `did:odf:fed02${"00".repeat(32)}`,
      `did:odf:fed01${"0g".repeat(32)}`,
      "did:odf:fed01",
      `did:key:fed01${"00".repeat(32)}`,
    ]) {
      await expectRevert(c.read(harness, "buildRequest", [["t"], [bad], "select 1"]), "OdfRequestInvalidDatasetId", [
        bad,
      ]);
    }
  });
});

describe("OdfResponse (Solidity)", () => {
  const ID_A = vectors.request.did;
  const ID_B: DatasetId = `did:odf:fed01${"00".repeat(32)}`;
  const HASH = `f1620${"ab".repeat(32)}`;

  test("errorMessage: reads the v1 error vector", async () => {
    const v = vectors.responses.find((r) => r.name === "error")?.cborHex;
    expect(await c.read(harness, "errorMessage", [`0x${v}`])).toBe("Invalid SQL");
    await expectRevert(c.read(harness, "recordCount", [`0x${v}`]), "OdfResponseNotOk");
  });

  test("decode: reads rows, all value kinds and sorted state pairs", async () => {
    const bytes = encodeResponse({
      ok: true,
      rows: [
        ["2024-09-02T21:50:00Z", 21.5, -3n, 2n ** 64n - 1n, true, null, new Uint8Array([0xde, 0xad])],
        ["x", 1e-9, 0n, -(2n ** 64n), false, Number.NaN, "z"],
      ],
      state: [
        { datasetId: ID_A, blockHash: HASH },
        { datasetId: ID_B, blockHash: HASH },
      ],
    });
    const [ok, , rows, ids, hashes] = await c.read<[boolean, string, Cell[][], Hex[], Hex[]]>(harness, "decode", [
      toHex(bytes),
      DECIMALS,
    ]);
    expect(ok).toBe(true);
    const r0 = rows[0] as Cell[];
    expect(Buffer.from((r0[0] as Cell).data.slice(2), "hex").toString()).toBe("2024-09-02T21:50:00Z");
    expect((r0[1] as Cell).fixedValue).toBe(21_500_000_000n);
    expect((r0[2] as Cell).intValue).toBe(-3n);
    expect((r0[3] as Cell).intValue).toBe(2n ** 64n - 1n);
    expect((r0[4] as Cell).boolValue).toBe(true);
    expect((r0[5] as Cell).isNull).toBe(true);
    expect(Buffer.from((r0[6] as Cell).data.slice(2), "hex").toString()).toBe("dead");
    const r1 = rows[1] as Cell[];
    expect((r1[1] as Cell).fixedValue).toBe(expectedFixed(1e-9));
    expect((r1[3] as Cell).intValue).toBe(-(2n ** 64n));
    expect((r1[5] as Cell).isNull).toBe(true);
    expect(ids).toEqual([`0x${ID_B.slice(9)}`, `0x${ID_A.slice(9)}`]);
    expect(hashes).toEqual([`0x${HASH.slice(1)}`, `0x${HASH.slice(1)}`]);
  });

  test("readers: typed errors for wrong types, indexes, infinities and bad bytes", async () => {
    const bytes = toHex(encodeResponse({ ok: true, rows: [["t", Number.POSITIVE_INFINITY, -1n]], state: [] }));
    await expectRevert(c.read(harness, "readUint", [bytes, 0, 0]), "OdfResponseWrongType");
    await expectRevert(c.read(harness, "readUint", [bytes, 0, 2]), "OdfResponseWrongType");
    await expectRevert(c.read(harness, "readBool", [bytes, 0, 0]), "OdfResponseWrongType");
    await expectRevert(c.read(harness, "readBytes", [bytes, 0, 0]), "OdfResponseWrongType");
    await expectRevert(c.read(harness, "readFixed", [bytes, 0, 1, 2]), "OdfResponseOverflow");
    await expectRevert(c.read(harness, "readFixed", [bytes, 0, 2, 61]), "OdfResponseOverflow");
    await expectRevert(c.read(harness, "readText", [bytes, 1, 0]), "OdfResponseIndexOutOfRange", [1n, 1n]);
    await expectRevert(c.read(harness, "readText", [bytes, 0, 3]), "OdfResponseIndexOutOfRange", [3n, 3n]);
    await expectRevert(c.read(harness, "errorMessage", [bytes]), "OdfResponseIsOk");
    await expectRevert(c.read(harness, "recordCount", ["0x8201f5"]), "OdfResponseMalformed");
    await expectRevert(c.read(harness, "readText", ["0x8501f58181781e61", 0, 0]), "CborReaderTruncated");
    await expectRevert(c.read(harness, "readText", ["0x8501f59f", 0, 0]), "CborReaderUnsupported");
    expect(await c.read(harness, "readFixed", [bytes, 0, 2, 3])).toBe(-1000n);
  });

  test("property: random rows encoded in TypeScript decode identically in Solidity", async () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger().map(BigInt),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(value, { minLength: 1, maxLength: 4 }), { maxLength: 4 }), async (rows) => {
        const bytes = encodeResponse({ ok: true, rows, state: [{ datasetId: ID_A, blockHash: HASH }] });
        const [ok, , decoded, ids] = await c.read<[boolean, string, Cell[][], Hex[]]>(harness, "decode", [
          toHex(bytes),
          DECIMALS,
        ]);
        expect(ok).toBe(true);
        expect(ids).toEqual([`0x${ID_A.slice(9)}`]);
        expect(decoded.length).toBe(rows.length);
        rows.forEach((row, i) => {
          row.forEach((v: EncodableValue, j) => {
            const cell = decoded[i]?.[j] as Cell;
            if (v === null) expect(cell.isNull).toBe(true);
            else if (typeof v === "boolean") expect(cell.boolValue).toBe(v);
            else if (typeof v === "bigint") expect(cell.intValue).toBe(v);
            else if (typeof v === "number") expect(cell.fixedValue).toBe(expectedFixed(v));
            else if (typeof v === "string") expect(Buffer.from(cell.data.slice(2), "hex").toString()).toBe(v);
            else expect(Buffer.from(cell.data.slice(2), "hex").toString()).toBe(Buffer.from(v).toString("hex"));
          });
        });
      }),
      { numRuns: 60 },
    );
  });
});
