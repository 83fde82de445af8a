import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { runCli } from "../harness/cli";

let dir: string;
let ws: string;
const dirs: string[] = [];

const snapshot = (name: string, kind: string, events: string) => `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: ${kind}
  metadata:
${events}`;

const PUSH = `    - kind: AddPushSource
      sourceName: default
      read: { kind: NdJson }
      merge: { kind: Append }
`;
const transform = (query: string) => `    - kind: SetTransform
      inputs: [ { datasetRef: good1 } ]
      transform: { kind: Sql, engine: duckdb, query: "${query}" }
`;
const QUERY = "SELECT op, event_time, v FROM good1";

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

const odf = (...args: string[]) => runCli("--workspace", ws, ...args);
const aliases = async () =>
  JSON.parse((await odf("list", "--format", "json")).stdout).map((d: { alias: string }) => d.alias);
const ID = /did:odf:fed01[0-9a-f]{64}/g;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-add-batch-"));
  dirs.push(dir);
  ws = path.join(dir, ".odf");
  expect((await odf("init")).code).toBe(0);
});

afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe("odf add of a batch", () => {
  test("a manifest breaking a chain rule creates nothing; once fixed the batch adds, and a re-run skips", async () => {
    await write("batch/1.yaml", snapshot("good1", "Root", PUSH));
    await write("batch/2.yaml", snapshot("good2", "Root", transform(QUERY)));
    expect(await odf("add", path.join(dir, "batch"))).toEqual({
      code: 1,
      stdout: "",
      stderr: "odf: good2 (2.yaml): Block 1: SetTransform is allowed only in derivative datasets\n",
    });
    expect(await aliases()).toEqual([]);

    await write("batch/2.yaml", snapshot("good2", "Derivative", transform(QUERY)));
    const added = await odf("add", path.join(dir, "batch"));
    expect({ ...added, stdout: added.stdout.replace(ID, "<id>") }).toEqual({
      code: 0,
      stdout: "Added root dataset good1 (<id>)\nAdded derivative dataset good2 (<id>)\n",
      stderr: "",
    });
    const again = await odf("add", path.join(dir, "batch"));
    expect({ ...again, stdout: again.stdout.replace(ID, "<id>") }).toEqual({
      code: 0,
      stdout:
        "Skipped root dataset good1 (<id>): it already exists with this manifest's metadata\n" +
        "Skipped derivative dataset good2 (<id>): it already exists with this manifest's metadata\n",
      stderr: "",
    });
    expect(await aliases()).toEqual(["good1", "good2"]);
  });

  test("a failure while creating (a refused query) removes the datasets the batch already created", async () => {
    await write("batch/1.yaml", snapshot("good1", "Root", PUSH));
    await write(
      "batch/2.yaml",
      snapshot("good2", "Derivative", transform("SELECT op, event_time, random() AS r FROM good1")),
    );
    expect(await odf("add", path.join(dir, "batch"))).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "odf: good2 (2.yaml): Dataset good2: the query does not compile: Forbidden query: function random() is volatile\n",
    });
    expect(await aliases()).toEqual([]);
    expect(await fs.readdir(path.join(ws, ".keys"))).toEqual([]);
  });

  test("an interrupted add (the Seed written, the events not) is completed by the re-run", async () => {
    await write("1.yaml", snapshot("good1", "Root", PUSH));
    expect((await odf("dataset", "new", "good1")).code).toBe(0); // what a killed add leaves
    const res = await odf("add", path.join(dir, "1.yaml"));
    expect(res.stdout.replace(ID, "<id>")).toBe(
      "Added root dataset good1 (<id>), completing an add that was interrupted\n",
    );
    const state = await (await (await openWorkspace(ws)).open("good1")).chain.state();
    expect([state.sequenceNumber, Object.keys(state.pushSources)]).toEqual([1, ["default"]]);
    expect((await odf("add", path.join(dir, "1.yaml"))).stdout).toMatch(/^Skipped root dataset good1 /);
  });

  test("a dataset of the same name with other metadata is refused before anything is created", async () => {
    expect((await odf("dataset", "new", "good1", "--kind", "derivative")).code).toBe(0);
    await write("batch/0.yaml", snapshot("another", "Root", PUSH));
    await write("batch/1.yaml", snapshot("good1", "Root", PUSH));
    expect(await odf("add", path.join(dir, "batch"))).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "odf: good1 (1.yaml): Dataset good1 already exists in the workspace with other metadata (it is Derivative)\n",
    });
    expect(await aliases()).toEqual(["good1"]);
  });
});

describe("odf add refuses source options this implementation cannot run, naming the field", () => {
  const cases: [string, string, string][] = [
    [
      "a two-character separator",
      '      read: { kind: Csv, separator: ";;" }',
      'content.metadata[0].read.separator: ";;" is not supported (expected a single character)',
    ],
    [
      "an unknown encoding",
      "      read: { kind: Csv, encoding: ebcdic }",
      'content.metadata[0].read.encoding: Encoding "ebcdic" (supported: utf8, utf16, latin1) is not supported by this implementation',
    ],
    [
      "a read format the reader lacks",
      "      read: { kind: GeoJson }",
      "content.metadata[0].read.kind: Read step GeoJson is not supported by this implementation",
    ],
    [
      "a quote that is not one ASCII character",
      '      read: { kind: Csv, quote: "«" }',
      'content.metadata[0].read.quote: "«" is not supported (expected one ASCII character, or "" for none)',
    ],
  ];
  test.each(cases)("%s", async (_name, read, message) => {
    await write(
      "bad.yaml",
      snapshot(
        "bad",
        "Root",
        `    - kind: AddPushSource\n      sourceName: x\n${read}\n      merge: { kind: Append }\n`,
      ),
    );
    expect(await odf("add", path.join(dir, "bad.yaml"))).toEqual({
      code: 1,
      stdout: "",
      stderr: `odf: bad (bad.yaml): ${message}\n`,
    });
    expect(await aliases()).toEqual([]);
  });

  test("a Container fetch step", async () => {
    await write(
      "bad.yaml",
      snapshot(
        "bad",
        "Root",
        "    - kind: SetPollingSource\n      fetch: { kind: Container, image: example/fetcher }\n      read: { kind: NdJson }\n      merge: { kind: Append }\n",
      ),
    );
    expect((await odf("add", path.join(dir, "bad.yaml"))).stderr).toBe(
      "odf: bad (bad.yaml): content.metadata[0].fetch.kind: Container is not supported by this implementation (supported: Url, FilesGlob, EthereumLogs)\n",
    );
    expect(await aliases()).toEqual([]);
  });
});
