import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { runCli } from "../harness/cli";

const root = path.resolve(__dirname, "../..");
let dir: string;
let ws: string;

const manifest = (name: string, read: string) => `kind: DatasetSnapshot
version: 1
content:
  name: ${name}
  kind: Root
  metadata:
    - kind: AddPushSource
      sourceName: default
      read: ${read}
      merge: { kind: Append }
`;

const odf = (...args: string[]) => runCli("--workspace", ws, ...args);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-tail-"));
  ws = path.join(dir, ".odf");
  expect((await odf("init")).code).toBe(0);
  await fs.writeFile(path.join(dir, "nested.yaml"), manifest("nested", "{ kind: Parquet }"));
  await fs.writeFile(path.join(dir, "big.yaml"), manifest("big", "{ kind: Csv, header: true }"));
  expect((await odf("add", path.join(dir, "nested.yaml"), path.join(dir, "big.yaml"))).code).toBe(0);
  const db = await openDuckDb();
  try {
    await db.connection.run(
      `COPY (SELECT * FROM (VALUES
        (1, {'a': 1, 'b': [1, 2]}, [1.5::DOUBLE, 'nan'::DOUBLE], 'nan'::DOUBLE, 'null'),
        (2, NULL, [], 'inf'::DOUBLE, NULL),
        (3, {'a': 3, 'b': []}, NULL, '-inf'::DOUBLE, ''),
        (12345678901234567, NULL, NULL, 0.5, 'x')
      ) t(id, s, l, f, txt)) TO '${path.join(dir, "nested.parquet")}' (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
  expect((await odf("ingest", "nested", path.join(dir, "nested.parquet"))).code).toBe(0);
  const lines = Array.from({ length: 5000 }, (_, i) => `2020-01-01T00:00:00Z,${i},name-${i}`);
  await fs.writeFile(path.join(dir, "big.csv"), `event_time,id,name\n${lines.join("\n")}\n`);
  expect((await odf("ingest", "big", path.join(dir, "big.csv"))).code).toBe(0);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("odf tail", () => {
  test("-n 0 prints only the header (json: []); a negative -n is refused", async () => {
    const table = await odf("tail", "nested", "-n", "0");
    expect(table).toEqual({
      code: 0,
      stdout:
        "offset  op  system_time  event_time  id  s  l  f  txt\n------  --  -----------  ----------  --  -  -  -  ---\n",
      stderr: "",
    });
    expect(await odf("tail", "nested", "-n", "0", "--format", "json")).toEqual({ code: 0, stdout: "[]\n", stderr: "" });
    expect(await odf("tail", "nested", "-n", "-1")).toEqual({
      code: 1,
      stdout: "",
      stderr: "odf: -n must be a non-negative integer, got -1\n",
    });
  });

  test("--format json: nested values as objects and arrays, NaN and infinities as strings", async () => {
    const out = await odf("tail", "nested", "--format", "json");
    expect(out.code).toBe(0);
    const records = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(records.map(({ id, s, l, f, txt }) => ({ id, s, l, f, txt }))).toEqual([
      { id: 1, s: { a: 1, b: [1, 2] }, l: [1.5, "NaN"], f: "NaN", txt: "null" },
      { id: 2, s: null, l: [], f: "Infinity", txt: null },
      { id: 3, s: { a: 3, b: [] }, l: null, f: "-Infinity", txt: "" },
      { id: "12345678901234567", s: null, l: null, f: 0.5, txt: "x" },
    ]);
  });

  test("the table shows a null as NULL, apart from the string null; nested values as JSON", async () => {
    const out = await odf("tail", "nested");
    const cells = out.stdout
      .trimEnd()
      .split("\n")
      .slice(2)
      .map((line) => line.split(/ {2,}/).slice(4));
    expect(cells).toEqual([
      ["1", '{"a":1,"b":[1,2]}', '[1.5,"NaN"]', "NaN", "null"],
      ["2", "NULL", "[]", "Infinity", "NULL"],
      ["3", '{"a":3,"b":[]}', "NULL", "-Infinity"],
      ["12345678901234567", "NULL", "NULL", "0.5", "x"],
    ]);
  });

  test("a closed pipe (odf tail | head -1) ends quietly with exit 0, no EPIPE trace", () => {
    // Runs the built CLI (`npm run build`) in a real pipeline: 5000 rows overflow the pipe buffer.
    const r = spawnSync(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" bin/odf --workspace "${ws}" tail big -n 5000 | head -1`],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stdout).toBe("offset  op  system_time               event_time                id    name\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
