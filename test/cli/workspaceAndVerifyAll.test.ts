import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../harness/cli";

let project: string;
let ws: string;

beforeAll(async () => {
  project = await fs.mkdtemp(path.join(tmpdir(), "odf-project-"));
  ws = path.join(project, ".odf");
  expect((await runCli("--workspace", ws, "init")).code).toBe(0);
});

afterAll(async () => {
  await fs.rm(project, { recursive: true, force: true });
});

describe("--workspace", () => {
  test("takes the project directory holding .odf as well as .odf itself", async () => {
    expect(await runCli("--workspace", project, "dataset", "new", "a")).toMatchObject({ code: 0, stderr: "" });
    expect((await runCli("--workspace", ws, "list", "--format", "json")).stdout).toContain('"alias": "a"');
    expect((await runCli("--workspace", project, "list", "--format", "json")).stdout).toContain('"alias": "a"');
    // init on the project directory finds the existing .odf instead of making the project a workspace.
    expect(await runCli("--workspace", project, "init")).toEqual({
      code: 0,
      stdout: `Initialized workspace in ${ws}\n`,
      stderr: "",
    });
  });
});

describe("odf verify --all", () => {
  test("verifies every dataset; exit 1 when one fails; an alias or --all is required", async () => {
    await fs.writeFile(
      path.join(project, "b.yaml"),
      `kind: DatasetSnapshot
version: 1
content:
  name: b
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: { kind: NdJson }
      merge: { kind: Append }
`,
    );
    expect((await runCli("--workspace", ws, "add", path.join(project, "b.yaml"))).code).toBe(0);
    await fs.writeFile(path.join(project, "b.ndjson"), '{"v":1}\n');
    expect((await runCli("--workspace", ws, "ingest", "b", path.join(project, "b.ndjson"))).code).toBe(0);
    expect(await runCli("--workspace", ws, "verify", "--all")).toEqual({
      code: 0,
      stdout: "a: OK (1 blocks, 0 data files verified)\nb: OK (4 blocks, 1 data files verified)\n",
      stderr: "",
    });
    const [file] = await fs.readdir(path.join(ws, "b", "data"));
    await fs.rm(path.join(ws, "b", "data", file as string));
    const failed = await runCli("--workspace", ws, "verify", "--all");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("a: OK (1 blocks, 0 data files verified)\n");
    expect(failed.stderr).toMatch(
      /^b: block 3 \(data\/f1620[0-9a-f]{64}\): file is missing\nb: FAILED \(1 problem\)\n$/,
    );
    expect(await runCli("--workspace", ws, "verify")).toEqual({
      code: 1,
      stdout: "",
      stderr: "odf: odf verify needs a dataset alias, or --all\n",
    });
    expect(await runCli("--workspace", ws, "verify", "a", "--all")).toEqual({
      code: 1,
      stdout: "",
      stderr: "odf: odf verify takes a dataset alias or --all, not both\n",
    });
  });
});
