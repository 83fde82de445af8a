import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { blockOf, RICH_EVENTS } from "../../../test/fixtures/metadataEvents";
import { captureOutput, runCli } from "../../../test/harness/cli";
import vectors from "../../../test/vectors/odf-blocks.json";
import { blockHash, encodeMetadataBlock } from "../../odf/metadata/blockCodec";
import { createRootCommand } from "../program";
import { registerBlock } from "./block";

const run = runCli;

describe("odf block", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-block-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("hash: prints the known-answer hash of a YAML manifest, honouring its version", async () => {
    const known = vectors.cases[1]!;
    for (const version of [2, 3] as const) {
      const file = path.join(dir, `v${version}.yaml`);
      await writeFile(
        file,
        `kind: MetadataBlock\nversion: ${version}\ncontent:\n  systemTime: "2020-01-01T12:00:00Z"\n  prevBlockHash: ${vectors.envelope.prevBlockHash}\n  sequenceNumber: 117\n  event: {kind: AddData, prevCheckpoint: ${vectors.helpers["sha3('prev')"]}, prevOffset: 9}\n`,
      );
      const result = await run("block", "hash", file);
      expect(result).toMatchObject({ code: 0, stdout: `${known[`v${version}`]}\n`, stderr: "" });
    }
  });

  test("decode: prints a binary block as YAML that hashes back to the same block", async () => {
    const bytes = encodeMetadataBlock(blockOf(RICH_EVENTS[6]!), { version: 2 });
    const blockFile = path.join(dir, blockHash(bytes));
    await writeFile(blockFile, bytes);
    const decoded = await run("block", "decode", blockFile);
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toMatch(/^kind: MetadataBlock\nversion: 2\ncontent:\n/);
    const yamlFile = path.join(dir, "decoded.yaml");
    await writeFile(yamlFile, decoded.stdout);
    expect((await run("block", "hash", yamlFile)).stdout).toBe(`${blockHash(bytes)}\n`);
  });

  test("errors: one line, non-zero exit", async () => {
    const garbage = path.join(dir, "garbage");
    await writeFile(garbage, "this is not a flatbuffer at all");
    expect(await run("block", "decode", garbage)).toMatchObject({ code: 1, stdout: "" });
    expect((await run("block", "decode", garbage)).stderr).toMatch(/^odf: .+\n$/);
    const missing = await run("block", "hash", path.join(dir, "nope.yaml"));
    expect(missing).toMatchObject({
      code: 1,
      stderr: `odf: Cannot read ${path.join(dir, "nope.yaml")}: no such file\n`,
    });
    const badYaml = path.join(dir, "bad.yaml");
    await writeFile(badYaml, "kind: MetadataBlock\nversion: 3\ncontent: {systemTime: x, sequenceNumber: 0}\n");
    expect(await run("block", "hash", badYaml)).toMatchObject({
      code: 1,
      stderr: 'odf: content.systemTime: expected RFC 3339 timestamp (Not an RFC 3339 timestamp: "x")\n',
    });
  });

  test("--help describes each subcommand", () => {
    const program = createRootCommand();
    registerBlock(program, { out: captureOutput(), workspaceDir: () => dir });
    const block = program.commands.find((c) => c.name() === "block")!;
    const help = (name: string) => block.commands.find((c) => c.name() === name)!.helpInformation();
    expect(help("hash")).toContain("Usage: odf block hash [options] <file.yaml>");
    expect(help("hash")).toContain("version: 2|3");
    expect(help("decode")).toContain("Usage: odf block decode [options] <block-file>");
  });
});
