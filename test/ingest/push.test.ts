import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { IngestOptionError, NoRecordsAfterPreprocessError, ReadInputError } from "../../src/ingest/errors";
import { ingestPush } from "../../src/ingest/ingestPush";
import { tailDataset } from "../../src/ingest/tailDataset";
import { type Dataset, initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { addFromYaml, snapshotOf, verifyProblems } from "./helpers";

let dir: string;
let ws: Workspace;
let ds: Dataset;

const SCHEMA =
  "{ fields: [ { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }, { name: id, type: { kind: Int64 } } ] }";

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-push-"));
  ws = await initWorkspace(path.join(dir, ".odf"), { fsync: false });
  ds = await addFromYaml(
    ws,
    `kind: DatasetSnapshot
version: 1
content:
  name: pushed
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: csv
      read: { kind: Csv, header: true, schema: ${SCHEMA} }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: parquet
      read: { kind: Parquet }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: filtered
      read: { kind: Csv, header: true, schema: ${SCHEMA} }
      preprocess: { kind: Sql, engine: duckdb, query: "SELECT * FROM input WHERE id > 100" }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: plain
      read: { kind: Csv, header: true }
      merge: { kind: Append }
`,
  );
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** The error an ingest fails with, after checking it committed nothing and left no scratch files. */
async function refused(run: () => Promise<unknown>): Promise<Error> {
  const before = await snapshotOf(ds);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  expect(await snapshotOf(ds)).toEqual(before);
  expect(await fs.readdir(ws.path(".tmp")).catch(() => [])).toEqual([]);
  return error as Error;
}

const stdin = (text: string) => Readable.from([text]);

describe("push ingest messages", () => {
  test("ingestPush: standard input is called so, never by its temp file", async () => {
    const e1 = await refused(() =>
      ingestPush(ws, "pushed", stdin("event_time,id\n2020-01-01T00:00:00Z,x\n"), { sourceName: "csv" }),
    );
    expect(e1).toBeInstanceOf(ReadInputError);
    expect(e1.message).toMatchInlineSnapshot(`"standard input line 2: column id: cannot read "x" as BIGINT"`);
    // DuckDB names the file it reads in some messages: the temp path must not leak either.
    const e2 = await refused(() => ingestPush(ws, "pushed", stdin("not parquet"), { sourceName: "parquet" }));
    expect(e2).toBeInstanceOf(ReadInputError);
    expect(e2.message).toMatch(/^standard input: /);
    expect(e2.message).not.toMatch(/stdin|\.tmp|ingest-/);
  });

  test("ingestPush: a preprocess that keeps no record says so, not that the input is empty", async () => {
    const file = path.join(dir, "small-ids.csv");
    await fs.writeFile(file, "event_time,id\n2020-01-01T00:00:00Z,1\n");
    const e = await refused(() => ingestPush(ws, "pushed", file, { sourceName: "filtered" }));
    expect(e).toBeInstanceOf(NoRecordsAfterPreprocessError);
    expect(e.message).toMatchInlineSnapshot(
      `"Input small-ids.csv has no records after preprocess; nothing was ingested"`,
    );
  });

  test("ingestPush: eventTime is checked up front as RFC 3339, naming --event-time", async () => {
    const file = path.join(dir, "one.csv");
    await fs.writeFile(file, "v\n1\n");
    for (const bad of ["garbage", "2020-02-30T00:00:00Z", "2020-01-01"]) {
      const e = await refused(() => ingestPush(ws, "pushed", file, { sourceName: "plain", eventTime: bad }));
      expect(e).toBeInstanceOf(IngestOptionError);
      expect(e.message).toBe(`--event-time: ${JSON.stringify(bad)} is not an RFC 3339 timestamp`);
    }
    const ok = await ingestPush(ws, "pushed", file, { sourceName: "plain", eventTime: "2020-01-01T02:00:00+02:00" });
    expect(ok.rowCount).toBe(1);
    expect((await tailDataset(ds, 1)).rows[0]?.[3]).toBe("2020-01-01T00:00:00.000Z");
    expect(await verifyProblems(ds)).toEqual([]);
  });
});
