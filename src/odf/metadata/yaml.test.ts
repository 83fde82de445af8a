import { describe, expect, test } from "vitest";
import { blockOf, DATASET_ID, RICH_EVENTS } from "../../../test/fixtures/metadataEvents";
import vectors from "../../../test/vectors/odf-blocks.json";
import { ManifestValidationError } from "../errors";
import { blockHash, encodeMetadataBlock } from "./blockCodec";
import { blockToYaml, parseDatasetSnapshotYaml, parseMetadataBlockYaml } from "./yaml";

const vectorYaml = (version: number) => `kind: MetadataBlock
version: ${version}
content:
  systemTime: 2020-01-01T12:00:00Z
  prevBlockHash: ${vectors.envelope.prevBlockHash}
  sequenceNumber: 117
  event:
    kind: AddData
    prevCheckpoint: ${vectors.helpers["sha3('prev')"]}
    prevOffset: 9
    newWatermark: 2020-01-01T12:00:00Z
`;

describe("yaml: MetadataBlock manifests", () => {
  test("a YAML block reproduces the known-answer hash for its version", () => {
    const known = vectors.cases[2]!;
    for (const version of [3, 2] as const) {
      const parsed = parseMetadataBlockYaml(vectorYaml(version));
      expect(parsed.version).toBe(version);
      expect(blockHash(encodeMetadataBlock(parsed.block, { version }))).toBe(known[`v${version}`]);
    }
  });

  test("every rich event round-trips object -> YAML -> object", () => {
    for (const [i, event] of RICH_EVENTS.entries()) {
      const block = blockOf(event, i);
      const text = blockToYaml(block, 3);
      expect(parseMetadataBlockYaml(text)).toEqual({ block, version: 3 });
    }
  });

  test("normalizes accepted alternative forms", () => {
    const { block } = parseMetadataBlockYaml(`kind: MetadataBlock
version: 3
content:
  systemTime: 2020-01-01T14:00:00.5+02:00
  sequenceNumber: 0
  event:
    kind: SetPollingSource
    fetch: { kind: url, url: "http://x", eventTime: FromMetadata, cache: Forever }
    read: { kind: Csv, schema: { fields: [{ name: a, type: Int64 }] } }
    merge: { kind: Append }
`);
    expect(block.systemTime).toBe("2020-01-01T12:00:00.500Z");
    expect(block.event).toEqual({
      kind: "SetPollingSource",
      fetch: { kind: "Url", url: "http://x", eventTime: { kind: "FromMetadata" }, cache: { kind: "Forever" } },
      read: { kind: "Csv", schema: { fields: [{ name: "a", type: { kind: "Int64" } }] } },
      merge: { kind: "Append" },
    });
    const seed = parseMetadataBlockYaml(
      `kind: MetadataBlock\nversion: 3\ncontent: {systemTime: "2020-01-01T00:00:00Z", sequenceNumber: 0, event: {kind: Seed, datasetKind: Root, datasetId: "did:key:z6Mko2nqhQ9wYSTS5Giab2j1aHzGnxHimqwmFeEVY8aNsVnN"}}`,
    );
    expect(seed.block.event).toEqual({ kind: "Seed", datasetId: DATASET_ID, datasetKind: "Root" });
  });

  const bad = (content: string) => () =>
    parseMetadataBlockYaml(
      `kind: MetadataBlock\nversion: 3\ncontent:\n  systemTime: 2020-01-01T00:00:00Z\n  sequenceNumber: 1\n${content}`,
    );

  test("errors name the path of the offending field", () => {
    expect(
      bad(
        "  event:\n    kind: AddData\n    newData: {logicalHash: f1620aa, physicalHash: f1620aa, offsetInterval: {start: 0, end: 0}, size: x}\n",
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: content.event.newData.logicalHash: expected multihash (Multihash digest length 1 does not match its declared length 32)]`,
    );
    expect(
      bad(
        `  event:\n    kind: AddData\n    newData: {logicalHash: ${vectors.envelope.prevBlockHash}, physicalHash: ${vectors.envelope.prevBlockHash}, offsetInterval: {start: 0, end: 0}, size: x}\n`,
      ),
    ).toThrowErrorMatchingInlineSnapshot(`[ManifestValidationError: content.event.newData.size: expected integer]`);
    expect(bad("  event:\n    kind: Explode\n")).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: content.event.kind: unknown MetadataEvent kind "Explode" (expected one of AddData, ExecuteTransform, Seed, SetPollingSource, SetTransform, SetVocab, SetAttachments, SetInfo, SetLicense, SetDataSchema, AddPushSource, DisablePushSource, DisablePollingSource)]`,
    );
    expect(bad("  event:\n    kind: SetInfo\n    keywords: [a, 1]\n")).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: content.event.keywords[1]: expected string]`,
    );
    expect(bad("  event:\n    kind: SetVocab\n    offsetColum: o\n")).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: content.event.offsetColum: unknown field]`,
    );
    expect(bad("  event:\n    kind: AddData\n    prevOffset: 9007199254740993\n")).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: content.event.prevOffset: integer out of the safe range (|n| <= 2^53-1)]`,
    );
    expect(bad("  event:\n    kind: DisablePushSource\n")).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: content.event.sourceName: required field is missing]`,
    );
    expect(bad("  event: {kind: AddData, newWatermark: yesterday}\n")).toThrow(
      "content.event.newWatermark: expected RFC 3339 timestamp",
    );
    expect(bad("  event: {kind: AddData, extra: {nokey: 1}}\n")).toThrow(ManifestValidationError);
  });

  test("rejects other manifest kinds and versions, and YAML syntax errors", () => {
    expect(() =>
      parseMetadataBlockYaml("kind: MetadataBlock\nversion: 4\ncontent: {}\n"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ManifestValidationError: version: unsupported MetadataBlock version 4 (supported: 2, 3)]`,
    );
    expect(() => parseMetadataBlockYaml("kind: DatasetSnapshot\nversion: 1\ncontent: {}\n")).toThrow(
      "kind: expected MetadataBlock",
    );
    expect(() => parseMetadataBlockYaml("kind: [\n")).toThrow(ManifestValidationError);
  });
});

describe("yaml: DatasetSnapshot manifests", () => {
  const snapshot = (name: string) => `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: SetPollingSource
      fetch:
        kind: EthereumLogs
        chainId: 31337
        signature: Transfer(address indexed from, address indexed to, uint256 value)
      read:
        kind: Parquet
      merge:
        kind: Append
    - kind: SetInfo
      keywords: [erc20]
`;

  test("parses a multi-document file into snapshots", () => {
    const list = parseDatasetSnapshotYaml(`${snapshot("a.transfers")}---\n${snapshot("b.transfers")}`);
    expect(list.map((s) => s.name)).toEqual(["a.transfers", "b.transfers"]);
    expect(list[0]!.metadata[0]).toEqual({
      kind: "SetPollingSource",
      fetch: {
        kind: "EthereumLogs",
        chainId: 31337,
        signature: "Transfer(address indexed from, address indexed to, uint256 value)",
      },
      read: { kind: "Parquet" },
      merge: { kind: "Append" },
    });
  });

  test("errors name the document and path", () => {
    expect(() =>
      parseDatasetSnapshotYaml(`${snapshot("a")}---\n${snapshot("b").replace("kind: Parquet", "kind: Xml")}`),
    ).toThrow(`[1].content.metadata[0].read.kind: unknown ReadStep kind "Xml"`);
    expect(() => parseDatasetSnapshotYaml("kind: DatasetSnapshot\nversion: 2\ncontent: {}\n")).toThrow(
      "version: unsupported DatasetSnapshot version 2 (supported: 1)",
    );
  });
});
