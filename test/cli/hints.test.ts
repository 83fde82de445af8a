import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCli } from "../harness/cli";

let dir: string;
let ws: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-hints-"));
  ws = path.join(dir, ".odf");
  expect((await runCli("--workspace", ws, "init")).code).toBe(0);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test("errors print their hints as `hint:` lines under the unchanged first line", async () => {
  await fs.writeFile(
    path.join(dir, "csv.yaml"),
    `kind: DatasetSnapshot
version: 1
content:
  name: csv
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: { kind: Csv, header: true }
      merge: { kind: Append }
`,
  );
  expect((await runCli("--workspace", ws, "add", path.join(dir, "csv.yaml"))).code).toBe(0);
  await fs.writeFile(path.join(dir, "header.csv"), "event_time,id\n");
  expect(await runCli("--workspace", ws, "ingest", "csv", path.join(dir, "header.csv"))).toEqual({
    code: 1,
    stdout: "",
    stderr: "odf: Input header.csv is empty; nothing was ingested\nhint: It has no records (only a header?).\n",
  });
  expect(await runCli("--workspace", ws, "dataset", "new", "a/b")).toEqual({
    code: 1,
    stdout: "",
    stderr:
      'odf: Invalid dataset alias "a/b"\n' +
      "hint: Aliases start with a letter or digit and contain only letters, digits, '.', '_' and '-'.\n",
  });
});
