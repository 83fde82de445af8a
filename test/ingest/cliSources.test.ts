import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureBuilt } from "../harness/buildCli";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin", "odf");
let dir: string;

const WEATHER = `kind: DatasetSnapshot
version: 1
content:
  name: weather
  kind: Root
  metadata:
    - kind: SetPollingSource
      fetch:
        kind: Url
        url: data/weather.csv
      read:
        kind: Csv
        header: true
        schema:
          fields:
            - { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }
            - { name: station, type: { kind: String } }
            - { name: temp_c, type: { kind: Float64 } }
      merge:
        kind: Ledger
        primaryKey: [event_time, station]
    - kind: AddPushSource
      sourceName: manual
      read:
        kind: Csv
        header: true
        schema:
          fields:
            - { name: event_time, type: { kind: Timestamp, unit: Millisecond, timezone: UTC } }
            - { name: station, type: { kind: String } }
            - { name: temp_c, type: { kind: Float64 } }
      merge: { kind: Append }
    - kind: AddPushSource
      sourceName: plain
      read: { kind: Csv, header: true }
      merge: { kind: Append }
`;

/** Runs the CLI in `cwd` with no --workspace: it finds `.odf` upward, like git. */
function odf(cwd: string, args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.ODF_WORKSPACE;
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env,
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  ensureBuilt(); // the CLI runs from dist/ (npm ci builds it)
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-cli-sources-"));
  await fs.mkdir(path.join(dir, "data"));
  await fs.mkdir(path.join(dir, "sub"));
  await fs.writeFile(path.join(dir, "weather.yaml"), WEATHER);
  await fs.writeFile(
    path.join(dir, "data", "weather.csv"),
    "event_time,station,temp_c\n2024-06-01T12:00:00Z,ZRH,21.5\n2024-06-01T12:00:00Z,GVA,23.0\n",
  );
  expect(odf(dir, ["init"]).code).toBe(0);
  expect(odf(dir, ["add", "weather.yaml"]).code).toBe(0);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("odf pull and ingest from the CLI, run from a subdirectory", () => {
  test("odf pull: a relative url resolves against the directory holding .odf, not the shell's", () => {
    const sub = path.join(dir, "sub");
    const pulled = odf(sub, ["pull", "weather"]);
    expect(pulled.stderr).toBe("");
    expect(pulled.stdout).toMatch(/^weather: 2 records added \(block f1620[0-9a-f]{64}\)\n$/);
    expect(odf(sub, ["pull", "weather"]).stdout).toBe("weather: up to date\n");
  });

  test("odf ingest -: errors call stdin standard input", () => {
    const bad = odf(
      dir,
      ["ingest", "weather", "-", "--source", "manual"],
      "event_time,station,temp_c\n2024-06-03T12:00:00Z,BRN,warm\n",
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('odf: standard input line 2: column temp_c: cannot read "warm" as DOUBLE\n');
  });

  test("odf ingest --event-time: a malformed value is refused as the option, not as the file", async () => {
    await fs.writeFile(path.join(dir, "one.csv"), "v\n1\n");
    const bad = odf(dir, ["ingest", "weather", "one.csv", "--source", "plain", "--event-time", "garbage"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('odf: --event-time: "garbage" is not an RFC 3339 timestamp\n');
  });
});
