import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli/main";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { appendData } from "../../src/odf/workspace/appendData";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { captureOutput, runCli } from "../harness/cli";

describe("odf sql", () => {
  let dir: string;
  let ws: string;
  let first: string;
  let second: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-sql-"));
    ws = path.join(dir, ".odf");
    expect((await runCli("--workspace", ws, "init")).code).toBe(0);
    const workspace = await openWorkspace(ws, { fsync: false });
    const sensor = await workspace.create({ alias: "sensor", kind: "Root" });
    await workspace.create({ alias: "empty", kind: "Root" });
    const db = await openDuckDb();
    try {
      const a = await appendData(sensor, {
        connection: db.connection,
        source: "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_time, 'Oslo' AS city, 1.5::DOUBLE AS temp",
      });
      const b = await appendData(sensor, {
        connection: db.connection,
        source: "SELECT TIMESTAMPTZ '2024-01-02 00:00:00+00' AS event_time, 'Rome, IT' AS city, 12.25::DOUBLE AS temp",
      });
      first = a.blockHash as string;
      second = b.blockHash as string;
    } finally {
      db.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("prints a table and the dataset versions read", async () => {
    const run = await runCli("--workspace", ws, "sql", 'SELECT "offset", city, temp FROM sensor ORDER BY "offset"');
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const table = [
      "offset | city     |  temp",
      "-------+----------+------",
      "     0 | Oslo     |   1.5",
      "     1 | Rome, IT | 12.25",
      "(2 rows)",
    ].join("\n");
    const lines = run.stdout.slice(table.length + 1).split("\n");
    expect(run.stdout.startsWith(`${table}\n`)).toBe(true);
    expect(lines.sort()).toEqual(["", `read empty at ${await headOf("empty")}`, `read sensor at ${second}`]);
  });

  test("--at pins a dataset to an earlier block; --format json, csv, arrow", async () => {
    const json = await runCli(
      "--workspace",
      ws,
      "sql",
      "SELECT count(*) AS n FROM sensor",
      "--at",
      `sensor=${first}`,
      "--format",
      "json",
    );
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body.data).toEqual([{ n: 1 }]);
    expect(body.datasets.find((d: { alias: string }) => d.alias === "sensor").blockHash).toBe(first);
    expect(body.engine.name).toBe("duckdb");
    const floats = await runCli(
      "--workspace",
      ws,
      "sql",
      "SELECT 2.0::DOUBLE AS x, 9007199254740993 AS big",
      "--format",
      "json",
    );
    expect(floats.stdout).toContain('  "data": [\n    {\n      "x": 2.0,\n      "big": 9007199254740993\n    }\n  ],');

    const csv = await runCli(
      "--workspace",
      ws,
      "sql",
      "SELECT city, temp FROM sensor ORDER BY city",
      "--format",
      "csv",
    );
    expect(csv.stdout).toBe('city,temp\nOslo,1.5\n"Rome, IT",12.25\n');

    const out = captureOutput();
    const chunks: Uint8Array[] = [];
    out.raw = (data) => {
      chunks.push(typeof data === "string" ? new TextEncoder().encode(data) : data);
    };
    expect(
      await main(["node", "odf", "--workspace", ws, "sql", "SELECT temp FROM sensor", "--format", "arrow"], out),
    ).toBe(0);
    const table = tableFromIPC(Buffer.concat(chunks));
    expect(table.getChild("temp")?.toArray()).toEqual(Float64Array.from([1.5, 12.25]));
  });

  test("bad inputs: one line on stderr and exit 1", async () => {
    const cases: [string[], string][] = [
      [["DROP VIEW sensor"], "odf: Forbidden query: only a SELECT statement is allowed, got DROP\n"],
      [["SELECT random()"], "odf: Forbidden query: function random() is volatile\n"],
      [["SELECT * FROM nope"], "odf: Invalid query: unknown table nope (visible datasets: empty, sensor)\n"],
      [["SELECT 1", "--at", "sensor"], 'odf: --at "sensor": expected alias=blockHash\n'],
      [["SELECT 1", "--at", `nope=${first}`], "odf: --at nope: no dataset with that alias in the workspace\n"],
      [["SELECT 1", "--format", "xml"], 'odf: --format must be one of table, json, csv, arrow (got "xml")\n'],
      [
        ["SELECT * FROM sensor", "--at", "sensor=f1620zz"],
        'odf: Malformed block hash "f1620zz": expected f1620 followed by 64 hex digits\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      expect(await runCli("--workspace", ws, "sql", ...args)).toEqual({ code: 1, stdout: "", stderr });
    }
  });

  async function headOf(alias: string): Promise<string | undefined> {
    const workspace = await openWorkspace(ws, { fsync: false });
    return (await workspace.open(alias)).chain.head();
  }
});
