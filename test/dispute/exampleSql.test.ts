import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLE_SQL } from "../../scripts/deploy";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { createTestWorkspace, requestBytes } from "../oracle/providerFixture";
import { answerFromWorkspace } from "./fixture";

/** The SQL strings of the README's Solidity examples (`.sql("...")`, Solidity escapes undone). */
function readmeSoliditySql(): string[] {
  const readme = readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  return [...readme.matchAll(/\.sql\("((?:[^"\\]|\\.)*)"\)/g)].map((m) => (m[1] as string).replace(/\\(.)/g, "$1"));
}

// Every example a newcomer copies must be answered with rows, not `Invalid query` (e.g. an
// unquoted `offset`, a reserved word in DuckDB).
describe("example SQL of the deploy script and the README", () => {
  const workspaces: Awaited<ReturnType<typeof createTestWorkspace>>[] = [];
  beforeAll(async () => {
    for (const alias of ["sensor", "rainfall", "temp"]) workspaces.push(await createTestWorkspace(alias));
  });
  afterAll(() => {
    for (const ws of workspaces) ws.close();
  });

  async function answer(alias: string, sql: string) {
    const ws = workspaces.find((w) => w.alias === alias);
    if (!ws) throw new Error(`no test dataset ${alias}`);
    return decodeResponse(await answerFromWorkspace(ws.workspaceDir, requestBytes(ws.datasetId, alias, sql)));
  }

  test("deploy: the SensorConsumer and ParametricInsurance SQL is answered with one row", async () => {
    expect(await answer("sensor", EXAMPLE_SQL.sensor)).toMatchObject({ ok: true, rows: [[6]] });
    expect(await answer("rainfall", EXAMPLE_SQL.rainfall)).toMatchObject({ ok: true, rows: [[true]] });
  });

  test("README: the Thermometer's SQL is answered with the latest reading", async () => {
    const sqls = readmeSoliditySql();
    expect(sqls).toHaveLength(1);
    for (const sql of sqls) expect(await answer("temp", sql)).toMatchObject({ ok: true, rows: [[6]] });
  });
});
