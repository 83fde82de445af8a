import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { ensureBuilt } from "../harness/buildCli";
import { snapshotOf, verifyProblems } from "./helpers";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin", "odf");
let dir: string;
let wsDir: string;
let ws: Workspace;

const MANIFEST = `kind: DatasetSnapshot
version: 1
content:
  name: big
  kind: Root
  metadata:
    - kind: SetInfo
      description: kill test
    - kind: AddPushSource
      sourceName: default
      read:
        kind: Csv
        header: true
        schema:
          fields:
            - { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }
            - { name: id, type: { kind: Int64 } }
            - { name: name, type: { kind: String } }
      merge: { kind: Append }
`;

function odf(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--workspace", wsDir, ...args], {
    cwd: dir,
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  ensureBuilt(); // the CLI runs from dist/ (npm ci builds it)
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-cli-"));
  wsDir = path.join(dir, "ws");
  ws = await initWorkspace(wsDir);
  await fs.writeFile(path.join(dir, "big.yaml"), MANIFEST);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("odf add / ingest / tail from the CLI", () => {
  test("add a manifest, ingest from stdin, tail as csv; errors are one line with exit 1", () => {
    const added = odf(["add", "big.yaml"]);
    expect(added.stderr).toBe("");
    expect(added.stdout).toMatch(/^Added root dataset big \(did:odf:f[0-9a-f]{68}\)\n$/);
    const ingested = odf(
      ["ingest", "big", "-"],
      'event_time,id,name\n2020-01-01T00:00:00Z,1,a\n2020-01-01T00:00:00Z,2,"b, c"\n',
    );
    expect(ingested.stdout).toMatch(/^big: 2 records added from 2 read \(block f1620[0-9a-f]{64}\)\n$/);
    const tail = odf(["tail", "big", "-n", "1", "--format", "csv"]);
    expect(tail.stdout.split("\n")[0]).toBe("offset,op,system_time,event_time,id,name");
    expect(tail.stdout.split("\n")[1]).toMatch(/^1,\+A,[^,]+,2020-01-01T00:00:00.000Z,2,"b, c"$/);
    const bad = odf(["ingest", "big", "-"], "event_time,id,name\n2020-01-01T00:00:00Z,x,a\n");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('odf: standard input line 2: column id: cannot read "x" as BIGINT\n');
    const verify = odf(["verify", "big"]);
    expect(verify.code).toBe(0);
  });

  test("odf pull of a polling source: records added, then up to date; tail as json", async () => {
    await fs.writeFile(path.join(dir, "obs.csv"), "event_time,id,name\n2020-01-01T00:00:00Z,1,a\n");
    await fs.writeFile(
      path.join(dir, "polled.yaml"),
      MANIFEST.replace("name: big", "name: polled").replace(
        /- kind: AddPushSource\n {6}sourceName: default\n/,
        "- kind: SetPollingSource\n      fetch: { kind: Url, url: obs.csv }\n",
      ),
    );
    expect(odf(["add", "polled.yaml"]).code).toBe(0);
    expect(odf(["pull", "polled"]).stdout).toMatch(/^polled: 1 record added \(block f1620[0-9a-f]{64}\)\n$/);
    expect(odf(["pull", "polled"]).stdout).toBe("polled: up to date\n");
    const json = JSON.parse(odf(["tail", "polled", "--format", "json"]).stdout) as Record<string, unknown>[];
    expect(json).toEqual([
      {
        offset: 0,
        op: "+A",
        system_time: expect.any(String),
        event_time: "2020-01-01T00:00:00.000Z",
        id: 1,
        name: "a",
      },
    ]);
  });

  test("a killed ingest leaves the dataset exactly as it was and can simply be re-run", async () => {
    const dataset = await ws.open("big");
    const big = path.join(dir, "big.csv");
    const db = await openDuckDb();
    try {
      await db.connection.run(
        `COPY (SELECT TIMESTAMPTZ '2021-01-01 00:00:00+00' + to_seconds(i) AS event_time, i AS id, 'name-' || i AS name FROM range(1000000) t(i)) TO '${big}' (HEADER, DELIMITER ',')`,
      );
    } finally {
      db.close();
    }
    const before = await snapshotOf(dataset);
    const child: ChildProcess = spawn(process.execPath, [bin, "--workspace", wsDir, "ingest", "big", big], {
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    // Wait until the ingest is under way (its scratch directory exists), then kill it mid-read.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const entries = await fs.readdir(path.join(wsDir, ".tmp")).catch(() => [] as string[]);
      if (entries.some((e) => e.startsWith("ingest-")) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(await snapshotOf(dataset)).toEqual(before);
    expect(await verifyProblems(dataset)).toEqual([]);
    expect(odf(["verify", "big"]).code).toBe(0);
    expect(await fs.readdir(path.join(wsDir, ".tmp"))).toContainEqual(
      expect.stringMatching(new RegExp(`^ingest-${child.pid}-[0-9a-f]{12}$`)),
    );
    // The killed writer's lock is left behind; the next ingest takes it over (its pid is gone).
    expect(JSON.parse(await fs.readFile(path.join(dataset.dir, ".lock"), "utf8")).pid).toBe(child.pid);
    const rerun = odf(["ingest", "big", "-"], "event_time,id,name\n2021-01-01T00:00:00Z,3,c\n");
    expect(rerun.code).toBe(0);
    expect((await dataset.chain.state()).lastOffset).toBe(2);
    expect(await verifyProblems(dataset)).toEqual([]);
    // Nothing of the killed process is left: its scratch directory and any partial slice file.
    const leftovers = [
      ...(await fs.readdir(path.join(wsDir, ".tmp"))),
      ...(await fs.readdir(path.join(dataset.dir, "data"))),
    ].filter((name) => name.includes(`-${child.pid}-`));
    expect(leftovers).toEqual([]);
    expect(existsSync(path.join(dataset.dir, ".lock"))).toBe(false);
  });
});
