import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tailDataset } from "../../src/ingest/tailDataset";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { runCli } from "../harness/cli";
import { snapshotOf } from "./helpers";

let dir: string;
let wsDir: string;
let ws: Workspace;

const manifest = (name: string, merge: string) => `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: { kind: NdJson }
      merge: ${merge}
`;

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-upsert-op-"));
  wsDir = path.join(dir, "ws");
  ws = await initWorkspace(wsDir, { fsync: false });
  await write("up.yaml", manifest("up", "{ kind: UpsertStream, primaryKey: [id] }"));
  await write("cl.yaml", manifest("cl", "{ kind: ChangelogStream, primaryKey: [id] }"));
  expect((await runCli("--workspace", wsDir, "add", path.join(dir, "up.yaml"), path.join(dir, "cl.yaml"))).code).toBe(
    0,
  );
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("op values that are not ops", () => {
  test("UpsertStream refuses an unknown op (a typo must not turn a delete into an insert) and commits nothing", async () => {
    const first = await write("first.ndjson", '{"id":6,"v":"x"}\n');
    expect((await runCli("--workspace", wsDir, "ingest", "up", first)).code).toBe(0);
    const before = await snapshotOf(await ws.open("up"));
    const typo = await write("typo.ndjson", '{"id":7,"v":"y"}\n{"id":6,"v":"x","op":"delete"}\n');
    expect(await runCli("--workspace", wsDir, "ingest", "up", typo)).toEqual({
      code: 1,
      stdout: "",
      stderr: 'odf: Record 2: op "delete" is not allowed in UpsertStream input (allowed: +A, -R, +C)\n',
    });
    const junk = await write("junk.ndjson", '{"id":6,"v":"x","op":"zzz"}\n');
    expect((await runCli("--workspace", wsDir, "ingest", "up", junk)).stderr).toBe(
      'odf: Record 1: op "zzz" is not allowed in UpsertStream input (allowed: +A, -R, +C)\n',
    );
    expect(await snapshotOf(await ws.open("up"))).toEqual(before);
    // No op, or a real one, still works: an upsert of a new key and a delete.
    const good = await write("good.ndjson", '{"id":7,"v":"y"}\n{"id":6,"v":"x","op":"-R"}\n');
    expect((await runCli("--workspace", wsDir, "ingest", "up", good)).code).toBe(0);
    expect((await tailDataset(await ws.open("up"), 10)).rows.map((r) => [r[1], r[4], r[5]])).toEqual([
      ["+A", "6", "x"],
      ["+A", "7", "y"],
      ["-R", "6", "x"],
    ]);
  });

  test("ChangelogStream names the bad value, and a missing op", async () => {
    const typo = await write("cl-typo.ndjson", '{"id":1,"v":"a","op":"+A"}\n{"id":1,"v":"a","op":"delete"}\n');
    expect((await runCli("--workspace", wsDir, "ingest", "cl", typo)).stderr).toBe(
      'odf: Record 2: op "delete" is not allowed in ChangelogStream input (allowed: +A, -R, -C, +C)\n',
    );
    const missing = await write("cl-missing.ndjson", '{"id":1,"v":"a","op":0}\n{"id":2,"v":"b"}\n');
    expect((await runCli("--workspace", wsDir, "ingest", "cl", missing)).stderr).toBe(
      "odf: Record 2: op is missing in ChangelogStream input (allowed: +A, -R, -C, +C)\n",
    );
    expect((await (await ws.open("cl")).chain.state()).slices).toEqual([]);
  });
});
