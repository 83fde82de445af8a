import { promises as fs } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addDatasets, readSnapshots } from "../../src/ingest/addDatasets";
import {
  EmptyInputError,
  FetchError,
  FetchRetryableError,
  ManifestApplyError,
  MergeError,
  NoFilesMatchedError,
  PreprocessError,
  ReadInputError,
} from "../../src/ingest/errors";
import { ingestPush } from "../../src/ingest/ingestPush";
import { pullDataset } from "../../src/ingest/pullers";
import { type Dataset, initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { addFromYaml, snapshotOf, verifyProblems } from "./helpers";

let dir: string;
let ws: Workspace;
let server: Server;
let base: string;
let typed: Dataset;

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

function yaml(name: string, source: string): string {
  return `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
${source}`;
}

const SCHEMA =
  "{ fields: [ { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }, { name: id, type: { kind: Int64 } }, { name: name, type: { kind: String } } ] }";

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-bad-"));
  ws = await initWorkspace(path.join(dir, "ws"), { fsync: false });
  server = createServer((req, res) => {
    if (req.url === "/slow") return; // never answers
    res.writeHead(404, "Not Found").end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  typed = await addFromYaml(
    ws,
    yaml(
      "typed",
      `    - kind: AddPushSource
      sourceName: csv
      read: { kind: Csv, header: true, schema: ${SCHEMA} }
      merge: { kind: Snapshot, primaryKey: [id] }
    - kind: AddPushSource
      sourceName: strings
      read: { kind: Csv, header: true }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: parquet
      read: { kind: Parquet }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: ndjson
      read: { kind: NdJson }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: pre
      read: { kind: Csv, header: true, schema: ${SCHEMA} }
      preprocess: { kind: Sql, engine: duckdb, query: "SELECT event_time, id, no_such_column FROM input" }
      merge: { kind: Append }
`,
    ),
  );
  await ingestPush(ws, "typed", await write("good.csv", "event_time,id,name\n2020-01-01T00:00:00Z,1,a\n"), {
    sourceName: "csv",
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs a failing ingest and checks the dataset is exactly as before and still verifies. */
async function refused(run: () => Promise<unknown>, dataset: Dataset = typed): Promise<Error> {
  const before = await snapshotOf(dataset);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  expect(await snapshotOf(dataset)).toEqual(before);
  expect(await verifyProblems(dataset)).toEqual([]);
  expect(await fs.readdir(ws.path(".tmp")).catch(() => [])).toEqual([]);
  return error as Error;
}

describe("bad input: clear error, nothing committed", () => {
  test("a CSV row of the wrong width (declared schema and plain strings)", async () => {
    const file = await write(
      "wide.csv",
      "event_time,id,name\n2020-01-02T00:00:00Z,2,b\n2020-01-02T00:00:00Z,3,c,extra\n",
    );
    const e1 = await refused(() => ingestPush(ws, "typed", file, { sourceName: "csv" }));
    expect(e1).toBeInstanceOf(ReadInputError);
    expect(e1.message).toMatchInlineSnapshot(`"wide.csv line 3: expected 3 columns, found 4"`);
    const e2 = await refused(() => ingestPush(ws, "typed", file, { sourceName: "strings" }));
    expect(e2.message).toMatchInlineSnapshot(`"wide.csv line 3: expected 3 columns, found 4"`);
  });

  test("a value that does not parse as the declared type", async () => {
    const file = await write(
      "type.csv",
      "event_time,id,name\n2020-01-02T00:00:00Z,2,b\n2020-01-02T00:00:00Z,three,c\n",
    );
    const e = await refused(() => ingestPush(ws, "typed", file, { sourceName: "csv" }));
    expect(e).toBeInstanceOf(ReadInputError);
    expect(e.message).toMatchInlineSnapshot(`"type.csv line 3: column id: cannot read "three" as BIGINT"`);
  });

  test("a file that is not the declared format", async () => {
    const file = await write("fake.parquet", "event_time,id\n2020-01-01T00:00:00Z,1\n");
    const e = await refused(() => ingestPush(ws, "typed", file, { sourceName: "parquet" }));
    expect(e).toBeInstanceOf(ReadInputError);
    expect(e.message).toMatchInlineSnapshot(`"fake.parquet is not a Parquet file"`);
    const e2 = await refused(() => ingestPush(ws, "typed", file, { sourceName: "ndjson" }));
    expect(e2).toBeInstanceOf(ReadInputError);
    expect(e2.message).toMatch(/^fake\.parquet is not valid NdJson/);
  });

  test("an empty file and a header-only CSV: no block, a message says so", async () => {
    const empty = await write("empty.csv", "");
    const e1 = await refused(() => ingestPush(ws, "typed", empty, { sourceName: "csv" }));
    expect(e1).toBeInstanceOf(EmptyInputError);
    expect(e1.message).toMatchInlineSnapshot(`"Input empty.csv is empty; nothing was ingested"`);
    const header = await write("header.csv", "event_time,id,name\n");
    const e2 = await refused(() => ingestPush(ws, "typed", header, { sourceName: "csv" }));
    expect(e2).toBeInstanceOf(EmptyInputError);
  });

  test("duplicate primary keys within one Snapshot input", async () => {
    const file = await write("dup.csv", "event_time,id,name\n2020-01-02T00:00:00Z,5,a\n2020-01-02T00:00:00Z,5,b\n");
    const e = await refused(() => ingestPush(ws, "typed", file, { sourceName: "csv" }));
    expect(e).toBeInstanceOf(MergeError);
    expect(e.message).toMatchInlineSnapshot(`"Duplicate primary key (id=5) in the snapshot input: it occurs 2 times"`);
  });

  test("a preprocess query that fails", async () => {
    const file = await write("pre.csv", "event_time,id,name\n2020-01-02T00:00:00Z,2,b\n");
    const e = await refused(() => ingestPush(ws, "typed", file, { sourceName: "pre" }));
    expect(e).toBeInstanceOf(PreprocessError);
    expect(e.message).toMatch(/^Preprocess query failed: .*no_such_column/);
  });

  test("a URL that answers 404 or times out; a glob that matches nothing", async () => {
    const poll = (name: string, fetch: string) =>
      addFromYaml(
        ws,
        yaml(
          name,
          `    - kind: SetPollingSource\n      fetch: ${fetch}\n      read: { kind: Csv, header: true }\n      merge: { kind: Append }\n`,
        ),
      );
    const missing = await poll("missing", `{ kind: Url, url: "${base}/missing.csv" }`);
    const e1 = await refused(() => pullDataset(ws, "missing"), missing);
    expect(e1).toBeInstanceOf(FetchError);
    expect(e1.message).toBe(`Fetching ${base}/missing.csv failed: HTTP 404 Not Found`);
    const slow = await poll("slow", `{ kind: Url, url: "${base}/slow" }`);
    const e2 = await refused(() => pullDataset(ws, "slow", { timeoutMs: 200 }), slow);
    expect(e2).toBeInstanceOf(FetchRetryableError);
    expect(e2.message).toBe(`Fetching ${base}/slow failed: no answer within 200 ms`);
    const glob = await poll("noglob", `{ kind: FilesGlob, path: "${dir}/nothing-*.csv" }`);
    const e3 = await refused(() => pullDataset(ws, "noglob"), glob);
    expect(e3).toBeInstanceOf(NoFilesMatchedError);
    expect(e3.message).toBe(`No files match ${dir}/nothing-*.csv`);
  });

  test("a manifest with an unknown field or an unknown event kind creates nothing", async () => {
    const before = (await ws.list()).map((d) => d.alias);
    const unknownField = await write(
      "field.yaml",
      yaml(
        "f1",
        "    - kind: AddPushSource\n      sourceName: x\n      read: { kind: Csv, colour: red }\n      merge: { kind: Append }\n",
      ),
    );
    await expect(readSnapshots([unknownField])).rejects.toThrowError(ManifestApplyError);
    await expect(readSnapshots([unknownField])).rejects.toThrow(/colour/);
    const unknownKind = await write("kind.yaml", yaml("f2", "    - kind: SetWeather\n      sunny: true\n"));
    await expect(readSnapshots([unknownKind])).rejects.toThrow(/SetWeather/);
    // A manifest whose events break a chain rule is rolled back (AddData needs a schema first).
    const chainRule = await write(
      "rule.yaml",
      yaml(
        "f3",
        "    - kind: SetTransform\n      inputs: []\n      transform: { kind: Sql, engine: duckdb, query: SELECT 1 }\n",
      ),
    );
    await expect(addDatasets(ws, await readSnapshots([chainRule]))).rejects.toThrowError(ManifestApplyError);
    expect((await ws.list()).map((d) => d.alias)).toEqual(before);
  });
});

describe("afterwards", () => {
  test("every dataset these tests produced passes odf verify", async () => {
    const datasets = await ws.list();
    expect(datasets.length).toBeGreaterThan(3);
    for (const info of datasets)
      expect([info.alias, await verifyProblems(await ws.open(info.alias))]).toEqual([info.alias, []]);
  });
});
