import { promises as fs } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addDatasets, orderSnapshots, readSnapshots } from "../../src/ingest/addDatasets";
import { PrepareError, ReadInputError } from "../../src/ingest/errors";
import { ingestPush } from "../../src/ingest/ingestPush";
import { pullDataset } from "../../src/ingest/pullers";
import { tailDataset } from "../../src/ingest/tailDataset";
import { parseDatasetSnapshotYaml } from "../../src/odf/metadata/yaml";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { addFromYaml, makeZip, snapshotOf, verifyProblems } from "./helpers";

let dir: string;
let ws: Workspace;
let server: Server;
let base: string;
let etagBody = "id,name\n1,a\n2,b\n";
let etag = '"v1"';
let etagHits = 0;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-ingest-"));
  ws = await initWorkspace(path.join(dir, "ws"), { fsync: false });
  server = createServer((req, res) => {
    if (req.url === "/data.csv") {
      etagHits++;
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304).end();
        return;
      }
      res
        .writeHead(200, { "content-type": "text/csv", etag, "last-modified": "Wed, 01 Jan 2020 00:00:00 GMT" })
        .end(etagBody);
    } else if (req.url === "/slow") {
      // Never answers: the client's timeout must fire.
    } else res.writeHead(404, "Not Found").end("nope");
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

const rows = async (alias: string, n = 100) => (await tailDataset(await ws.open(alias), n)).rows;

function pushYaml(name: string, read: string, merge: string, extra = ""): string {
  return `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: ${read}
      merge: ${merge}
${extra}`;
}

const CSV_SCHEMA =
  "{ kind: Csv, header: true, schema: { fields: [ { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }, { name: id, type: { kind: Int64 } }, { name: name, type: { kind: String } } ] } }";

describe("push sources and merge strategies", () => {
  test("Snapshot: +A, -C/+C and -R across three ingests; offsets contiguous; verify passes", async () => {
    const ds = await addFromYaml(ws, pushYaml("snap", CSV_SCHEMA, "{ kind: Snapshot, primaryKey: [id] }"));
    await ingestPush(
      ws,
      "snap",
      await write("s1.csv", "event_time,id,name\n2020-01-01T00:00:00Z,1,a\n2020-01-01T00:00:00Z,2,b\n"),
    );
    await ingestPush(
      ws,
      "snap",
      await write("s2.csv", "event_time,id,name\n2020-01-02T00:00:00Z,2,B\n2020-01-02T00:00:00Z,3,c\n"),
    );
    const unchanged = await ingestPush(
      ws,
      "snap",
      await write("s3.csv", "event_time,id,name\n2020-01-03T00:00:00Z,2,B\n2020-01-03T00:00:00Z,3,c\n"),
    );
    expect(unchanged.blockHash).toBeUndefined();
    const r = (await rows("snap")).map((x) => [x[0], x[1], x[3]?.slice(0, 10), x[4], x[5]]);
    expect(r).toEqual([
      ["0", "+A", "2020-01-01", "1", "a"],
      ["1", "+A", "2020-01-01", "2", "b"],
      ["2", "-C", "2020-01-01", "2", "b"],
      ["3", "+C", "2020-01-02", "2", "B"],
      ["4", "+A", "2020-01-02", "3", "c"],
      ["5", "-R", "2020-01-01", "1", "a"],
    ]);
    const state = await ds.chain.state();
    expect(state.slices.map((s) => s.slice.offsetInterval)).toEqual([
      { start: 0, end: 1 },
      { start: 2, end: 5 },
    ]);
    expect(state.watermark).toBe("2020-01-02T00:00:00Z");
    expect(await verifyProblems(ds)).toEqual([]);
  });

  test("Ledger adds only unseen keys; Append adds everything; one AddData per ingest", async () => {
    const ledger = await addFromYaml(ws, pushYaml("ledger", CSV_SCHEMA, "{ kind: Ledger, primaryKey: [id] }"));
    await ingestPush(
      ws,
      "ledger",
      await write("l1.csv", "event_time,id,name\n2020-01-01T00:00:00Z,1,a\n2020-01-01T00:00:00Z,2,b\n"),
    );
    const before = await ledger.chain.state();
    await ingestPush(
      ws,
      "ledger",
      await write("l2.csv", "event_time,id,name\n2020-01-01T00:00:00Z,2,b\n2020-01-02T00:00:00Z,3,c\n"),
    );
    const after = await ledger.chain.state();
    expect(after.sequenceNumber).toBe(before.sequenceNumber + 1);
    expect((await rows("ledger")).map((x) => x[4])).toEqual(["1", "2", "3"]);
    const app = await addFromYaml(ws, pushYaml("app", CSV_SCHEMA, "{ kind: Append }"));
    const file = await write("a1.csv", "event_time,id,name\n2020-01-01T00:00:00Z,1,a\n");
    await ingestPush(ws, "app", file);
    await ingestPush(ws, "app", file);
    expect((await rows("app")).map((x) => [x[0], x[1], x[4]])).toEqual([
      ["0", "+A", "1"],
      ["1", "+A", "1"],
    ]);
    expect(await verifyProblems(app)).toEqual([]);
  });

  test("UpsertStream re-classifies upserts and deletes; ChangelogStream writes ops as given", async () => {
    const nd =
      "{ kind: NdJson, schema: { fields: [ { name: op, type: { kind: Int32 } }, { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }, { name: id, type: { kind: Int64 } }, { name: v, type: { kind: String } } ] } }";
    const up = await addFromYaml(ws, pushYaml("upsert", nd, "{ kind: UpsertStream, primaryKey: [id] }"));
    const line = (op: number, day: number, id: number, v: string | null) =>
      JSON.stringify({ op, event_time: `2020-01-0${day}T00:00:00Z`, id, v });
    await ingestPush(ws, "upsert", await write("u1.ndjson", [line(0, 1, 1, "a"), line(0, 1, 2, "b")].join("\n")));
    await ingestPush(
      ws,
      "upsert",
      await write("u2.ndjson", [line(0, 2, 1, "a2"), line(1, 2, 2, null), line(1, 2, 9, null)].join("\n")),
    );
    expect((await rows("upsert")).map((x) => [x[1], x[4], x[5]])).toEqual([
      ["+A", "1", "a"],
      ["+A", "2", "b"],
      ["-C", "1", "a"],
      ["+C", "1", "a2"],
      ["-R", "2", "b"],
    ]);
    expect(await verifyProblems(up)).toEqual([]);

    await addFromYaml(ws, pushYaml("changelog", nd, "{ kind: ChangelogStream, primaryKey: [id] }"));
    await ingestPush(
      ws,
      "changelog",
      await write("c1.ndjson", [line(0, 1, 1, "a"), line(2, 2, 1, "a"), line(3, 2, 1, "b")].join("\n")),
    );
    expect((await rows("changelog")).map((x) => x[1])).toEqual(["+A", "-C", "+C"]);
  });

  test("schema evolution: a new nullable column is recorded as a new SetDataSchema; a removed column is refused", async () => {
    const read = "{ kind: Csv, header: true, inferSchema: true }";
    const ds = await addFromYaml(ws, pushYaml("evolve", read, "{ kind: Append }"));
    await ingestPush(ws, "evolve", await write("e1.csv", "event_time,a\n2020-01-01T00:00:00Z,1\n"));
    await ingestPush(ws, "evolve", await write("e2.csv", "event_time,a,b\n2020-01-02T00:00:00Z,2,x\n"));
    const state = await ds.chain.state();
    expect(state.schema?.schema?.fields.map((f) => f.name)).toEqual([
      "offset",
      "op",
      "system_time",
      "event_time",
      "a",
      "b",
    ]);
    const kinds: string[] = [];
    for await (const b of ds.chain.iterate()) kinds.push(b.block.event.kind);
    expect(kinds.filter((k) => k === "SetDataSchema")).toHaveLength(2);
    expect((await rows("evolve")).map((x) => x.slice(4))).toEqual([
      ["1", null],
      ["2", "x"],
    ]);
    const before = await snapshotOf(ds);
    await expect(
      ingestPush(ws, "evolve", await write("e3.csv", "event_time,b\n2020-01-03T00:00:00Z,y\n")),
    ).rejects.toThrow(/column "a" was removed/);
    expect(await snapshotOf(ds)).toEqual(before);
    expect(await verifyProblems(ds)).toEqual([]);
  });

  test("values are cast to the dataset's existing column types; one that does not convert is refused", async () => {
    const ds = await addFromYaml(ws, pushYaml("casts", "{ kind: NdJson }", "{ kind: Append }"));
    await ingestPush(ws, "casts", await write("t1.ndjson", '{"event_time":"2020-01-01T00:00:00Z","t":1.5}\n'));
    await ingestPush(ws, "casts", await write("t2.ndjson", '{"event_time":"2020-01-02T00:00:00Z","t":18}\n'));
    expect((await rows("casts")).map((x) => x[4])).toEqual(["1.5", "18"]);
    const before = await snapshotOf(ds);
    const bad = ingestPush(ws, "casts", await write("t3.ndjson", '{"event_time":"2020-01-03T00:00:00Z","t":"warm"}\n'));
    await expect(bad).rejects.toThrowError(ReadInputError);
    await expect(bad).rejects.toThrow(`Column t: cannot read "warm" as DOUBLE (the dataset's type)`);
    expect(await snapshotOf(ds)).toEqual(before);
    // Narrowing is not a cast: a DOUBLE into the BIGINT column n is a refused type change.
    const ints = await addFromYaml(ws, pushYaml("ints", "{ kind: NdJson }", "{ kind: Append }"));
    await ingestPush(ws, "ints", await write("n1.ndjson", '{"event_time":"2020-01-01T00:00:00Z","n":1}\n'));
    const intsBefore = await snapshotOf(ints);
    await expect(
      ingestPush(ws, "ints", await write("n2.ndjson", '{"event_time":"2020-01-02T00:00:00Z","n":1.5}\n')),
    ).rejects.toThrow(/^Schema change refused: column "n" changed type/);
    expect(await snapshotOf(ints)).toEqual(intsBefore);
  });

  test("push from a stream (stdin), Parquet and Json with subPath, preprocess SQL", async () => {
    const { Readable } = await import("node:stream");
    const pre = `
    - kind: AddPushSource
      sourceName: json
      read: { kind: Json, subPath: data.items }
      preprocess: { kind: Sql, engine: duckdb, query: "SELECT TIMESTAMPTZ '2020-05-01 00:00:00Z' AS event_time, id * 10 AS id10, upper(name) AS name FROM input" }
      merge: { kind: Append }`;
    await addFromYaml(ws, pushYaml("multi", "{ kind: Parquet }", "{ kind: Append }", pre));
    await expect(ingestPush(ws, "multi", Readable.from(["x"]))).rejects.toThrow(/2 push sources \(default, json\)/);
    await ingestPush(
      ws,
      "multi",
      Readable.from([
        JSON.stringify({
          data: {
            items: [
              { id: 1, name: "a" },
              { id: 2, name: "b" },
            ],
          },
        }),
      ]),
      {
        sourceName: "json",
      },
    );
    expect((await rows("multi")).map((x) => x.slice(3))).toEqual([
      ["2020-05-01T00:00:00.000Z", "10", "A"],
      ["2020-05-01T00:00:00.000Z", "20", "B"],
    ]);
  });
});

describe("read options and manifests", () => {
  test("Csv options: separator, quote, nulls, Latin-1, Java date and timestamp formats", async () => {
    const read = `{ kind: Csv, header: true, separator: ";", quote: "'", nullValue: "NA", encoding: latin1, dateFormat: "dd.MM.yyyy", timestampFormat: "yyyy/MM/dd HH:mm", schema: { fields: [ { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }, { name: day, type: { kind: Date } }, { name: city, type: { kind: String } }, { name: n, type: { kind: Int32 } } ] } }`;
    await addFromYaml(ws, pushYaml("opts", read, "{ kind: Append }"));
    const body = Buffer.from("event_time;day;city;n\n2020/03/04 05:06;07.08.2020;'Z\u00fcrich; CH';NA\n", "latin1");
    await ingestPush(ws, "opts", await write("opts.csv", body));
    expect((await rows("opts")).map((x) => x.slice(3))).toEqual([
      ["2020-03-04T05:06:00.000Z", "2020-08-07", "Z\u00fcrich; CH", null],
    ]);
  });

  test("Csv quoting: doubled quotes by default, a backslash escape when declared", async () => {
    await addFromYaml(ws, pushYaml("quotes", "{ kind: Csv, header: true }", "{ kind: Append }"));
    await ingestPush(ws, "quotes", await write("q1.csv", 'id,name\n1,"x ""q"" y"\n'));
    await addFromYaml(ws, pushYaml("escaped", '{ kind: Csv, header: true, escape: "\\\\" }', "{ kind: Append }"));
    await ingestPush(ws, "escaped", await write("q2.csv", 'id,name\n1,"x \\"q\\" y"\n'));
    expect((await rows("quotes")).map((x) => x[5])).toEqual(['x "q" y']);
    expect((await rows("escaped")).map((x) => x[5])).toEqual(['x "q" y']);
  });

  test("odf add orders datasets by their transform inputs and refuses unknown inputs", async () => {
    const derivedYaml = `kind: DatasetSnapshot
version: 1
content:
  name: derived
  kind: Derivative
  metadata:
    - kind: SetTransform
      inputs: [ { datasetRef: base } ]
      transform: { kind: Sql, engine: duckdb, query: "SELECT * FROM base" }
`;
    const derived = parseDatasetSnapshotYaml(derivedYaml)[0];
    if (!derived) throw new Error("manifest did not parse");
    expect(() => orderSnapshots([{ file: "d.yaml", snapshot: derived }], () => false)).toThrow(
      "Dataset derived reads base, which is neither in the workspace nor being added",
    );
    // A directory of manifests: "a-derived.yaml" sorts first but is created after its input.
    await write("manifests/a-derived.yaml", derivedYaml);
    await write("manifests/b-base.yaml", pushYaml("base", CSV_SCHEMA, "{ kind: Append }"));
    await write("manifests/notes.txt", "not a manifest");
    const sources = await readSnapshots([path.join(dir, "manifests")]);
    expect(sources.map((s) => s.snapshot.name)).toEqual(["derived", "base"]);
    const created = await addDatasets(ws, sources);
    expect(created.map((d) => [d.alias, d.kind])).toEqual([
      ["base", "Root"],
      ["derived", "Derivative"],
    ]);
    expect((await created[1]?.chain.state())?.transform?.inputs).toEqual([{ datasetRef: "base" }]);
  });
});

describe("polling sources", () => {
  const pollYaml = (name: string, fetch: string, read: string, merge: string, prepare = "") => `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: SetPollingSource
      fetch: ${fetch}
${prepare}      read: ${read}
      merge: ${merge}
`;

  test("Url over HTTP: ETag state skips an unchanged source, --force re-reads, a new ETag is ingested", async () => {
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "http",
        `{ kind: Url, url: "${base}/data.csv" }`,
        "{ kind: Csv, header: true }",
        "{ kind: Ledger, primaryKey: [id] }",
      ),
    );
    const first = await pullDataset(ws, "http");
    expect(first).toMatchObject({ status: "updated", rowCount: 2 });
    const state = await ds.chain.state();
    expect(state.sourceStates.default).toEqual({ sourceName: "default", kind: "odf/etag", value: '"v1"' });
    // Event time comes from Last-Modified (FromMetadata is the default).
    expect((await rows("http"))[0]?.[3]).toBe("2020-01-01T00:00:00.000Z");
    expect(await pullDataset(ws, "http")).toMatchObject({ status: "unchanged" });
    const hits = etagHits;
    expect(await pullDataset(ws, "http", { force: true })).toMatchObject({ status: "unchanged", rowCount: 0 });
    expect(etagHits).toBe(hits + 1);
    etagBody = "id,name\n2,b\n3,c\n";
    etag = '"v2"';
    expect(await pullDataset(ws, "http")).toMatchObject({ status: "updated", rowCount: 1 });
    expect((await ds.chain.state()).sourceStates.default?.value).toBe('"v2"');
    expect(await verifyProblems(ds)).toEqual([]);
  });

  test("Url file: with gzip, NdJson, preprocess, event time from the file's mtime", async () => {
    const file = await write("gz/data.ndjson.gz", gzipSync('{"k":"x","v":1}\n{"k":"y","v":2}\n'));
    const mtime = new Date("2021-06-01T12:00:00Z");
    await fs.utimes(file, mtime, mtime);
    const prepare = "      prepare: [ { kind: Decompress, format: Gzip } ]\n";
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "gz",
        `{ kind: Url, url: "file://${file}", eventTime: { kind: FromMetadata } }`,
        "{ kind: NdJson }",
        "{ kind: Append }",
        `${prepare}      preprocess: { kind: Sql, engine: duckdb, query: "SELECT k, v * 2 AS v2 FROM input" }\n`,
      ),
    );
    expect(await pullDataset(ws, "gz")).toMatchObject({ status: "updated", rowCount: 2 });
    expect((await rows("gz")).map((x) => x.slice(3))).toEqual([
      ["2021-06-01T12:00:00.000Z", "x", "2"],
      ["2021-06-01T12:00:00.000Z", "y", "4"],
    ]);
    expect((await ds.chain.state()).sourceStates.default).toEqual({
      sourceName: "default",
      kind: "odf/last-modified",
      value: "2021-06-01T12:00:00Z",
    });
    expect(await pullDataset(ws, "gz")).toMatchObject({ status: "unchanged" });
  });

  test("Pipe prepare step runs a command over the file; a failing command is a PrepareError", async () => {
    const file = await write("pipe/semi.csv", "k;v\nx;1\n");
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "piped",
        `{ kind: Url, url: "${file}", eventTime: { kind: FromSystemTime } }`,
        "{ kind: Csv, header: true }",
        "{ kind: Append }",
        '      prepare: [ { kind: Pipe, command: [tr, ";", ","] } ]\n',
      ),
    );
    expect(await pullDataset(ws, "piped")).toMatchObject({ rowCount: 1 });
    const [row] = await rows("piped");
    expect(row?.slice(4)).toEqual(["x", "1"]);
    expect(row?.[3]).toBe(row?.[2]); // FromSystemTime: event time is the ingest's system time
    const failing = await addFromYaml(
      ws,
      pollYaml(
        "pipefail",
        `{ kind: Url, url: "${file}" }`,
        "{ kind: Csv }",
        "{ kind: Append }",
        '      prepare: [ { kind: Pipe, command: ["false"] } ]\n',
      ),
    );
    const before = await snapshotOf(failing);
    await expect(pullDataset(ws, "pipefail")).rejects.toThrowError(PrepareError);
    expect(await snapshotOf(failing)).toEqual(before);
    expect(await verifyProblems(ds)).toEqual([]);
  });

  test("FilesGlob with zip archives and FromPath event time: only files after the last one are ingested", async () => {
    await write("glob/obs-2020-01-01.zip", makeZip([{ name: "obs.csv", content: "station,temp\nA,1.5\n" }]));
    await write(
      "glob/obs-2020-01-02.zip",
      makeZip([
        { name: "readme.txt", content: "x" },
        { name: "obs.csv", content: "station,temp\nA,2.5\n" },
      ]),
    );
    const ds = await addFromYaml(
      ws,
      pollYaml(
        "glob",
        `{ kind: FilesGlob, path: "${dir}/glob/obs-*.zip", eventTime: { kind: FromPath, pattern: "obs-(\\\\d{4}-\\\\d{2}-\\\\d{2})", timestampFormat: "yyyy-MM-dd" } }`,
        "{ kind: Csv, header: true, schema: { fields: [ { name: station, type: { kind: String } }, { name: temp, type: { kind: Float64 } } ] } }",
        "{ kind: Append }",
        "      prepare: [ { kind: Decompress, format: Zip, subPath: obs.csv } ]\n",
      ),
    );
    expect(await pullDataset(ws, "glob")).toMatchObject({ status: "updated", rowCount: 2 });
    expect(await pullDataset(ws, "glob")).toMatchObject({ status: "unchanged" });
    await write("glob/obs-2020-01-03.zip", makeZip([{ name: "obs.csv", content: "station,temp\nB,3\n" }]));
    expect(await pullDataset(ws, "glob")).toMatchObject({ status: "updated", rowCount: 1 });
    expect((await rows("glob")).map((x) => [x[3]?.slice(0, 10), x[4], x[5]])).toEqual([
      ["2020-01-01", "A", "1.5"],
      ["2020-01-02", "A", "2.5"],
      ["2020-01-03", "B", "3"],
    ]);
    expect((await ds.chain.state()).sourceStates.default?.value).toBe("obs-2020-01-03.zip");
    expect(await verifyProblems(ds)).toEqual([]);
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
