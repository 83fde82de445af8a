import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { lockDataset } from "../../src/odf/workspace/datasetLock";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { ensureBuilt } from "../harness/buildCli";
import { addFromYaml, snapshotOf, verifyProblems } from "./helpers";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin", "odf");
let dir: string;
let wsDir: string;
let ws: Workspace;

const MANIFEST = `kind: DatasetSnapshot
version: 1
content:
  name: conc
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: { kind: NdJson }
      merge: { kind: Ledger, primaryKey: [id] }
`;

function odf(args: string[], input: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--workspace", wsDir, ...args], { cwd: dir, encoding: "utf8", input });
  return { code: r.status, stderr: r.stderr };
}

beforeAll(async () => {
  ensureBuilt(); // the CLI runs from dist/ (npm ci builds it)
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-conc-"));
  wsDir = path.join(dir, "ws");
  ws = await initWorkspace(wsDir);
  await addFromYaml(ws, MANIFEST);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const row = (id: number) => `{"event_time":"2024-01-01T00:00:00Z","id":${id}}\n`;

test("an ingest while another writer holds the dataset is refused, names the writer and changes nothing", async () => {
  const dataset = await ws.open("conc");
  expect(odf(["ingest", "conc", "-"], row(1)).code).toBe(0);
  const before = await snapshotOf(dataset);

  const lock = await lockDataset(dataset, "transform run");
  try {
    const refused = odf(["ingest", "conc", "-"], row(2));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.split("\n")[0]).toMatch(
      new RegExp(
        `^odf: Dataset conc is being written by pid ${process.pid} on \\S+ \\(transform run, since \\S+\\); nothing was changed$`,
      ),
    );
  } finally {
    await lock.release();
  }
  expect(await snapshotOf(dataset)).toEqual(before);
  expect(odf(["ingest", "conc", "-"], row(2)).code).toBe(0);
  expect((await dataset.chain.state()).lastOffset).toBe(1);
});

test("two ingests started together: each either commits or is refused; nothing is lost or left behind", async () => {
  const dataset = await ws.open("conc");
  const input = Array.from({ length: 20_000 }, (_, i) => row(100 + i)).join("");
  const file = path.join(dir, "rows.ndjson");
  await fs.writeFile(file, input);
  const run = () =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child: ChildProcess = spawn(process.execPath, [bin, "--workspace", wsDir, "ingest", "conc", file], {
        cwd: dir,
      });
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += String(d);
      });
      child.on("exit", (code) => resolve({ code, stderr }));
    });
  const results = await Promise.all([run(), run()]);
  for (const r of results) {
    if (r.code !== 0) expect(r.stderr).toContain("is being written by pid");
  }
  expect(results.some((r) => r.code === 0)).toBe(true);
  // Ledger: the rows are in exactly once, whichever ingest committed them.
  const state = await dataset.chain.state();
  expect(state.lastOffset).toBe(1 + 20_000);
  expect(await verifyProblems(dataset)).toEqual([]);
  const snapshot = await snapshotOf(dataset);
  expect(snapshot.data).toHaveLength(state.slices.length);
  expect(await fs.readdir(dataset.dir)).not.toContain(".lock");
});
