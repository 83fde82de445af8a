import { promises as fs } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { EmptyInputError, PrepareError, ReadInputError } from "../../src/ingest/errors";
import { pullDataset } from "../../src/ingest/pullers";
import { tailDataset } from "../../src/ingest/tailDataset";
import { appendData } from "../../src/odf/workspace/appendData";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { addFromYaml, makeZip, snapshotOf, verifyProblems } from "./helpers";

let dir: string;
let ws: Workspace;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-pull-"));
  // The workspace sits in `dir` as `.odf`, like `odf init` makes it: relative sources resolve to `dir`.
  ws = await initWorkspace(path.join(dir, ".odf"), { fsync: false });
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/csv" }).end("event_time,id\n2020-01-01T00:00:00Z,x\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

const pollYaml = (name: string, fetch: string, read: string, extra = "") => `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: SetPollingSource
      fetch: ${fetch}
${extra}      read: ${read}
      merge: { kind: Append }
`;

const TYPED =
  "{ kind: Csv, header: true, schema: { fields: [ { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }, { name: id, type: { kind: Int64 } } ] } }";
const FROM_PATH = 'eventTime: { kind: FromPath, pattern: "(\\\\d{4}-\\\\d{2}-\\\\d{2})" }';

const values = async (alias: string) => (await tailDataset(await ws.open(alias), 100)).rows.map((r) => r.slice(3));

/** The error a pull fails with, after checking it left the dataset as it was. */
async function pullError(alias: string): Promise<Error> {
  const dataset = await ws.open(alias);
  const before = await snapshotOf(dataset);
  const error = await pullDataset(ws, alias).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  expect(await snapshotOf(dataset)).toEqual(before);
  return error as Error;
}

describe("FilesGlob state: the path below the glob's fixed directory", () => {
  test("pullRoot: ** glob reads a new file that shares its base name with ingested ones", async () => {
    await write("d/2024-06-01/readings.csv", "v\n1\n");
    await write("d/2024-06-02/readings.csv", "v\n2\n");
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "readings",
        `{ kind: FilesGlob, path: "${dir}/d/**/*.csv", ${FROM_PATH} }`,
        "{ kind: Csv, header: true }",
      ),
    );
    expect(await pullDataset(ws, "readings")).toMatchObject({ status: "updated", rowCount: 2 });
    expect((await ds.chain.state()).sourceStates.default?.value).toBe("2024-06-02/readings.csv");
    expect(await pullDataset(ws, "readings")).toMatchObject({ status: "unchanged" });
    await write("d/2024-06-03/readings.csv", "v\n3\n");
    expect(await pullDataset(ws, "readings")).toMatchObject({ status: "updated", rowCount: 1 });
    expect(await values("readings")).toEqual([
      ["2024-06-01T00:00:00.000Z", "1"],
      ["2024-06-02T00:00:00.000Z", "2"],
      ["2024-06-03T00:00:00.000Z", "3"],
    ]);
    expect((await ds.chain.state()).sourceStates.default?.value).toBe("2024-06-03/readings.csv");
    expect(await verifyProblems(ds)).toEqual([]);
  });

  test("pullRoot: b/a.csv added after a/z.csv is read (whole relative paths are compared)", async () => {
    await write("e/a/z.csv", "v\nz\n");
    await addFromYaml(
      ws,
      pollYaml("nested", `{ kind: FilesGlob, path: "${dir}/e/*/*.csv" }`, "{ kind: Csv, header: true }"),
    );
    expect(await pullDataset(ws, "nested")).toMatchObject({ status: "updated", rowCount: 1 });
    await write("e/b/a.csv", "v\na\n");
    expect(await pullDataset(ws, "nested")).toMatchObject({ status: "updated", rowCount: 1 });
    expect((await values("nested")).map((r) => r[1])).toEqual(["z", "a"]);
  });

  test("pullRoot: a bare file name from an earlier version reads the files changed since that pull, once", async () => {
    const old = new Date(Date.now() - 3_600_000);
    for (const day of ["01", "02"]) {
      const file = await write(`legacy/2024-06-${day}/readings.csv`, `v\n${day}\n`);
      await fs.utimes(file, old, old);
    }
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "legacy",
        `{ kind: FilesGlob, path: "${dir}/legacy/**/*.csv", ${FROM_PATH} }`,
        "{ kind: Csv, header: true }",
      ),
    );
    await pullDataset(ws, "legacy");
    // What earlier versions recorded after that pull: the base name alone.
    const db = await openDuckDb();
    try {
      await appendData(ds, {
        connection: db.connection,
        source: "SELECT now() AS event_time, 'x' AS v WHERE false",
        sourceState: { sourceName: "default", kind: "odf/etag", value: "readings.csv" },
      });
    } finally {
      db.close();
    }
    expect(await pullDataset(ws, "legacy")).toMatchObject({ status: "unchanged" });
    const added = await write("legacy/2024-06-03/readings.csv", "v\n03\n");
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(added, later, later);
    expect(await pullDataset(ws, "legacy")).toMatchObject({ status: "updated", rowCount: 1 });
    expect((await values("legacy")).map((r) => r[1])).toEqual(["01", "02", "03"]);
    expect((await ds.chain.state()).sourceStates.default?.value).toBe("2024-06-03/readings.csv");
    expect(await pullDataset(ws, "legacy")).toMatchObject({ status: "unchanged" });
    expect(await verifyProblems(ds)).toEqual([]);
  });

  test("pullRoot: wildcards inside braces match (s_{2024*,2025*}.csv)", async () => {
    await write("braces/s_2023.csv", "v\n2023\n");
    await write("braces/s_2024-01.csv", "v\n2024\n");
    await write("braces/s_2025-01.csv", "v\n2025\n");
    await addFromYaml(
      ws,
      pollYaml(
        "braces",
        `{ kind: FilesGlob, path: "${dir}/braces/s_{2024*,2025*}.csv" }`,
        "{ kind: Csv, header: true }",
      ),
    );
    expect(await pullDataset(ws, "braces")).toMatchObject({ status: "updated", rowCount: 2 });
    expect((await values("braces")).map((r) => r[1])).toEqual(["2024", "2025"]);
  });
});

describe("relative sources resolve against the directory holding the workspace", () => {
  test("pullDataset: a relative Url and a relative FilesGlob read the workspace's neighbours, not the cwd", async () => {
    await write("data/weather.csv", "v\nurl\n");
    await write("data/glob/w1.csv", "v\nglob\n");
    await addFromYaml(ws, pollYaml("relurl", "{ kind: Url, url: data/weather.csv }", "{ kind: Csv, header: true }"));
    await addFromYaml(
      ws,
      pollYaml("relglob", '{ kind: FilesGlob, path: "data/glob/*.csv" }', "{ kind: Csv, header: true }"),
    );
    expect(process.cwd()).not.toBe(dir);
    expect(await pullDataset(ws, "relurl")).toMatchObject({ status: "updated", rowCount: 1 });
    expect(await pullDataset(ws, "relglob")).toMatchObject({ status: "updated", rowCount: 1 });
    expect((await values("relurl")).map((r) => r[1])).toEqual(["url"]);
    expect((await values("relglob")).map((r) => r[1])).toEqual(["glob"]);
  });
});

describe("messages name the input the user gave, not temp files", () => {
  test("pullRoot: an HTTP source is named by its URL's last segment", async () => {
    await addFromYaml(ws, pollYaml("named-http", `{ kind: Url, url: "${base}/data/rag.csv" }`, TYPED));
    const e = await pullError("named-http");
    expect(e).toBeInstanceOf(ReadInputError);
    expect(e.message).toMatchInlineSnapshot(`"rag.csv line 2: column id: cannot read "x" as BIGINT"`);
  });

  test("pullRoot: a gzip source is named by the archive, a zip entry as archive/entry", async () => {
    await write("named/cities.csv.gz", gzipSync("event_time,id\n2020-01-01T00:00:00Z,x\n"));
    await write(
      "named/cities.zip",
      makeZip([{ name: "cities.csv", content: "event_time,id\n2020-01-01T00:00:00Z,x\n" }]),
    );
    await addFromYaml(
      ws,
      pollYaml(
        "named-gz",
        `{ kind: Url, url: "${dir}/named/cities.csv.gz" }`,
        TYPED,
        "      prepare: [ { kind: Decompress, format: Gzip } ]\n",
      ),
    );
    await addFromYaml(
      ws,
      pollYaml(
        "named-zip",
        `{ kind: FilesGlob, path: "${dir}/named/*.zip" }`,
        TYPED,
        "      prepare: [ { kind: Decompress, format: Zip } ]\n",
      ),
    );
    expect((await pullError("named-gz")).message).toMatchInlineSnapshot(
      `"cities.csv.gz line 2: column id: cannot read "x" as BIGINT"`,
    );
    expect((await pullError("named-zip")).message).toMatchInlineSnapshot(
      `"cities.zip/cities.csv line 2: column id: cannot read "x" as BIGINT"`,
    );
  });
});

describe("messages name a glob's files by their path below its fixed directory", () => {
  test("pullRoot: a nested file is named by its relative path; base names that several files share are left alone", async () => {
    const bad = "event_time,id\n2020-01-01T00:00:00Z,x\n";
    const good = "event_time,id\n2020-01-01T00:00:00Z,1\n";
    await write("rel/2024/bad.csv", bad);
    await write("same/a/r.csv", good);
    await write("same/b/r.csv", bad);
    await addFromYaml(ws, pollYaml("rel-name", `{ kind: FilesGlob, path: "${dir}/rel/**/*.csv" }`, TYPED));
    await addFromYaml(ws, pollYaml("same-name", `{ kind: FilesGlob, path: "${dir}/same/**/*.csv" }`, TYPED));
    expect((await pullError("rel-name")).message).toMatchInlineSnapshot(
      `"2024/bad.csv line 2: column id: cannot read "x" as BIGINT"`,
    );
    expect((await pullError("same-name")).message).toMatchInlineSnapshot(
      `"r.csv line 2: column id: cannot read "x" as BIGINT"`,
    );
  });
});

describe("a preprocess that keeps no record", () => {
  test("pullRoot: records the new source state and reports no new records; an empty file is still empty", async () => {
    const file = await write("filtered/in.csv", "v\n1\n2\n");
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "filtered",
        `{ kind: Url, url: "${file}" }`,
        "{ kind: Csv, header: true }",
        "      preprocess: { kind: Sql, engine: duckdb, query: \"SELECT * FROM input WHERE v = '3'\" }\n",
      ),
    );
    const outcome = await pullDataset(ws, "filtered");
    expect(outcome).toMatchObject({ status: "updated", rowCount: 0 });
    const state = await ds.chain.state();
    expect(state.head).toBe(outcome.blockHash);
    expect(state.sourceStates.default?.kind).toBe("odf/last-modified");
    expect(state.slices).toEqual([]);
    expect(await pullDataset(ws, "filtered")).toMatchObject({ status: "unchanged" });
    expect(await verifyProblems(ds)).toEqual([]);

    await fs.writeFile(file, "");
    const e = await pullError("filtered");
    expect(e).toBeInstanceOf(EmptyInputError);
    expect(e.message).toMatchInlineSnapshot(`"Input in.csv is empty; nothing was ingested"`);
  });
});

describe("Pipe prepare step failures", () => {
  const pipe = (name: string, command: string) =>
    addFromYaml(
      ws,
      pollYaml(
        name,
        `{ kind: Url, url: "${dir}/pipe.csv" }`,
        "{ kind: Csv, header: true }",
        `      prepare: [ { kind: Pipe, command: ${command} } ]\n`,
      ),
    );

  test("prepareFile: a missing command, a non-zero exit (with its stderr) and a signal are PrepareErrors", async () => {
    await write("pipe.csv", "v\n1\n");
    await pipe("pipe-missing", '["no-such-command-odf"]');
    await pipe("pipe-false", '["false"]');
    await pipe("pipe-stderr", '["sh", "-c", "echo broken input >&2; exit 3"]');
    await pipe("pipe-killed", '["sh", "-c", "kill -TERM $$"]');
    const missing = await pullError("pipe-missing");
    expect(missing).toBeInstanceOf(PrepareError);
    expect(missing.message).toMatchInlineSnapshot(`"Prepare step Pipe: command "no-such-command-odf" not found"`);
    expect((await pullError("pipe-false")).message).toMatchInlineSnapshot(
      `"Prepare step Pipe: command "false" exited with code 1"`,
    );
    expect((await pullError("pipe-stderr")).message).toMatchInlineSnapshot(
      `"Prepare step Pipe: command "sh" exited with code 3: broken input"`,
    );
    expect((await pullError("pipe-killed")).message).toMatchInlineSnapshot(
      `"Prepare step Pipe: command "sh" was killed by SIGTERM"`,
    );
  });
});

describe("afterwards", () => {
  test("every dataset these tests produced passes odf verify; no scratch directory is left", async () => {
    for (const info of await ws.list())
      expect([info.alias, await verifyProblems(await ws.open(info.alias))]).toEqual([info.alias, []]);
    expect(await fs.readdir(ws.path(".tmp")).catch(() => [])).toEqual([]);
  });
});
