import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CborWriter } from "./cbor";
import { decodeRequest } from "./decodeRequest";
import { decodeResponse } from "./decodeResponse";
import { encodeRequest } from "./encodeRequest";
import { encodeResponse } from "./encodeResponse";
import { CodecEncodeError, RequestDecodeError, ResponseDecodeError } from "./errors";
import type { DatasetId } from "./types";

type Vectors = {
  request: { alias: string; did: DatasetId; sql: string; cborHex: string };
  responses: { name: string; value: string; cborHex: string }[];
};
const vectors = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../../test/vectors/oracle-cbor.json"), "utf8"),
) as Vectors;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const ID_A: DatasetId = vectors.request.did;
const ID_B: DatasetId = `did:odf:fed01${"00".repeat(32)}`;
const HASH_1 = `f1620${"ab".repeat(32)}`;
const HASH_2 = `f1620${"cd".repeat(32)}`;

describe("encodeRequest", () => {
  test("encodeRequest: matches the v1 vector byte for byte", () => {
    const { alias, did, sql, cborHex } = vectors.request;
    expect(hex(encodeRequest({ datasets: [{ alias, id: did }], sql }))).toBe(cborHex);
  });

  test("encodeRequest: rejects a malformed dataset id", () => {
    expect(() => encodeRequest({ datasets: [{ alias: "t", id: "did:odf:fed01zz" }], sql: "select 1" })).toThrow(
      CodecEncodeError,
    );
  });
});

describe("decodeRequest", () => {
  test("decodeRequest: reads the v1 vector", () => {
    const { alias, did, sql, cborHex } = vectors.request;
    expect(decodeRequest(unhex(cborHex))).toEqual({ datasets: [{ alias, id: did }], sql });
  });

  test("decodeRequest: accepts a definite-length array", () => {
    const bytes = new CborWriter().array(3).int(1).text("sql").text("select 1").finish();
    expect(decodeRequest(bytes)).toEqual({ datasets: [], sql: "select 1" });
  });

  const idBytes = unhex(ID_B.slice(9));
  const cases: [string, Uint8Array, string][] = [
    [
      "wrong version",
      new CborWriter().array(3).int(2).text("sql").text("x").finish(),
      "unsupported request version 2, expected 1",
    ],
    [
      "unknown key",
      new CborWriter().array(5).int(1).text("sql").text("x").text("limit").int(3).finish(),
      'unknown request key "limit"',
    ],
    [
      "missing sql",
      new CborWriter().array(4).int(1).text("ds").text("a").bytes(idBytes).finish(),
      "request has no sql",
    ],
    [
      "malformed id",
      new CborWriter()
        .array(6)
        .int(1)
        .text("ds")
        .text("a")
        .bytes(idBytes.subarray(0, 33))
        .text("sql")
        .text("x")
        .finish(),
      'malformed id of dataset "a": bytes(33), expected 34 bytes starting 0xed01',
    ],
    ["not an array", new CborWriter().int(1).finish(), "request is not an array but 1"],
    ["truncated", unhex("9f0163"), "malformed request CBOR: string at byte 2 runs past the end"],
  ];
  for (const [name, bytes, message] of cases) {
    test(`decodeRequest: rejects ${name}`, () => {
      expect(() => decodeRequest(bytes)).toThrow(RequestDecodeError);
      expect(() => decodeRequest(bytes)).toThrow(message);
    });
  }

  test("decodeRequest: round-trips random requests", () => {
    const did = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => `did:odf:fed01${hex(k)}` as DatasetId);
    fc.assert(
      fc.property(
        fc.array(fc.record({ alias: fc.string(), id: did }), { maxLength: 4 }),
        fc.string(),
        (datasets, sql) => {
          expect(decodeRequest(encodeRequest({ datasets, sql }))).toEqual({ datasets, sql });
        },
      ),
    );
  });
});

describe("encodeResponse", () => {
  test("encodeResponse: matches the v1 error vector", () => {
    const v = vectors.responses.find((r) => r.name === "error");
    expect(hex(encodeResponse({ ok: false, errorMessage: "Invalid SQL" }))).toBe(v?.cborHex);
  });

  test("encodeResponse: shortest integers (bigint) and floats (number, even whole), NaN as null, binary as hex", () => {
    const bytes = encodeResponse({
      ok: true,
      rows: [
        [
          0n,
          23n,
          24n,
          -1n,
          -25n,
          256n,
          2n ** 64n - 1n,
          1.5,
          100000.5,
          1.1,
          Number.NaN,
          -0,
          new Uint8Array([1, 171]),
          3,
        ],
      ],
      state: [],
    });
    expect(hex(bytes)).toBe(
      [
        "8501f5818e",
        "00",
        "17",
        "1818",
        "20",
        "3818",
        "190100",
        "1bffffffffffffffff",
        "f93e00",
        "fa47c35040",
        "fb3ff199999999999a",
        "f6",
        "f98000",
        "6430316162",
        "f94200",
        "4080",
      ].join(""),
    );
  });

  test("encodeResponse: sorts state pairs by dataset id", () => {
    const bytes = encodeResponse({
      ok: true,
      rows: [],
      state: [
        { datasetId: ID_A, blockHash: HASH_1 },
        { datasetId: ID_B, blockHash: HASH_2 },
      ],
    });
    const decoded = decodeResponse(bytes);
    expect(decoded.ok && decoded.state).toEqual([
      { datasetId: ID_B, blockHash: HASH_2 },
      { datasetId: ID_A, blockHash: HASH_1 },
    ]);
  });

  test("encodeResponse: rejects a malformed block hash", () => {
    expect(() => encodeResponse({ ok: true, rows: [], state: [{ datasetId: ID_A, blockHash: "f1220ab" }] })).toThrow(
      CodecEncodeError,
    );
  });
});

describe("decodeResponse", () => {
  test("decodeResponse: reads the v1 error vector", () => {
    expect(decodeResponse(unhex("8301f46b496e76616c69642053514c"))).toEqual({ ok: false, errorMessage: "Invalid SQL" });
  });

  test("decodeResponse: rejects indefinite arrays and junk", () => {
    expect(() => decodeResponse(unhex("9f01f5ff"))).toThrow(ResponseDecodeError);
    expect(() => decodeResponse(unhex("8301f5"))).toThrow(ResponseDecodeError);
  });

  test("decodeResponse: round-trips random rows", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger(),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).filter((b) => b < -(2n ** 53n) || b > 2n ** 53n),
      fc.double({ noNaN: true }),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 5 }), { maxLength: 5 }), (rows) => {
        const decoded = decodeResponse(
          encodeResponse({ ok: true, rows, state: [{ datasetId: ID_A, blockHash: HASH_1 }] }),
        );
        expect(decoded).toEqual({ ok: true, rows, state: [{ datasetId: ID_A, blockHash: HASH_1 }] });
      }),
    );
  });
});
