import { statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../../../test/harness/cli";
import { openDuckDb } from "../../engines/duckdb/openDuckDb";
import { appendData } from "../../odf/workspace/appendData";
import { initWorkspace } from "../../odf/workspace/workspace";
import { computeCommitment } from "../../query/commitment";
import type { JsonValue } from "../../query/jsonValue";
import { parseJson } from "../../query/parseJson";
import { signCommitment } from "../../query/proof";
import { stringifyJson } from "../../query/stringifyJson";
import { type StartNodeReturnType, startNode } from "../../server/startNode";

let dir: string;
let wsDir: string;
let node: StartNodeReturnType;
let responseText: string;

const run = (...argv: string[]) => runCli("--workspace", wsDir, ...argv);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "odf-proof-cli-"));
  wsDir = path.join(dir, ".odf");
  const ws = await initWorkspace(wsDir, { fsync: false });
  const dataset = await ws.create({ alias: "temps", kind: "Root" });
  const db = await openDuckDb();
  await appendData(dataset, {
    connection: db.connection,
    source:
      "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i::BIGINT) AS event_time, 'st' || i AS station, (i / 3)::DOUBLE AS value FROM range(4) t(i)",
    orderBy: "event_time",
  });
  db.close();
  node = await startNode({ workspace: ws, port: 0 });
  const res = await fetch(`${node.url}/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "SELECT station, value FROM temps ORDER BY station", include: ["Proof"] }),
  });
  responseText = await res.text();
});
afterAll(async () => {
  await node?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("odf serve (startNode), verify-proof, replay", () => {
  test("startNode: creates the node key in the workspace with mode 0600 and signs with it", async () => {
    expect(node.keyCreated).toBe(true);
    expect(statSync(path.join(wsDir, "node-key.json")).mode & 0o777).toBe(0o600);
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parseJson(responseText)).toMatchObject({ proof: { verificationMethod: node.nodeKey.did } });
  });

  test("odf verify-proof: OK for the saved response, the failure kind for a tampered one", async () => {
    const good = path.join(dir, "good.json");
    await writeFile(good, responseText);
    const ok = await run("verify-proof", good);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`OK: commitment signed by ${node.nodeKey.did}`);

    const bad = path.join(dir, "bad.json");
    await writeFile(bad, responseText.replace('"limit":100', '"limit":101'));
    const failed = await run("verify-proof", bad);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^odf: InvalidRequest::InputHash: /);
    const missing = await run("verify-proof", path.join(dir, "nope.json"));
    expect(missing.stderr).toBe(`odf: Cannot read ${path.join(dir, "nope.json")}: no such file\n`);
  });

  test("odf replay: MATCH for the saved response, the first differing row for a signed lie", async () => {
    const good = path.join(dir, "good.json");
    await writeFile(good, responseText);
    const match = await run("replay", good);
    expect(match.code).toBe(0);
    expect(match.stdout).toMatch(/^MATCH f1620[0-9a-f]{64}\n$/);

    const body = parseJson(responseText) as Record<string, JsonValue>;
    const output = body.output as { data: Record<string, JsonValue>[] };
    const data = output.data.map((row, i) => (i === 2 ? { ...row, value: 7 } : row));
    const lie = { ...body, output: { ...(body.output as object), data } } as Record<string, JsonValue>;
    const commitment = computeCommitment({ input: lie.input!, output: lie.output!, subQueries: lie.subQueries! });
    lie.commitment = commitment;
    lie.proof = signCommitment(commitment, node.nodeKey);
    const liar = path.join(dir, "lie.json");
    await writeFile(liar, stringifyJson(lie));
    const mismatch = await run("replay", liar);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain("first differing row: 2\n");
    expect(mismatch.stdout).toContain('  recorded: {"station":"st2","value":7}\n');
    expect(mismatch.stdout).toContain('  replayed: {"station":"st2","value":0.6666666666666666}\n');
    expect(mismatch.stderr).toBe("odf: replay differs from the recorded output at row 2\n");
  });

  test("odf replay: exits 2 (CANNOT-REPLAY) for a block not in the workspace, 3 when the check cannot run", async () => {
    const body = parseJson(responseText) as { input: { datasets: { blockHash: string }[] } };
    const real = body.input.datasets[0]!.blockHash;
    const elsewhere = path.join(dir, "elsewhere.json");
    // A block hash the local copy does not have (the answer was made from another version).
    await writeFile(elsewhere, responseText.replaceAll(real, `f1620${"ab".repeat(32)}`));
    const missing = await run("replay", elsewhere);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toMatch(/^odf: CANNOT-REPLAY .*f1620(ab){32}/);

    const unreadable = await run("replay", path.join(dir, "nope.json"));
    expect([unreadable.code, unreadable.stderr]).toEqual([
      3,
      `odf: Cannot read ${path.join(dir, "nope.json")}: no such file\n`,
    ]);
    const notJson = path.join(dir, "not.json");
    await writeFile(notJson, "{");
    expect((await run("replay", notJson)).code).toBe(3);
  });
});
