import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DuckDb } from "../../src/engines/duckdb/openDuckDb";
import { writeDataSlice } from "../../src/odf/data/writeDataSlice";
import { odfSchemaOfDuckDb } from "../../src/odf/schema/duckDbTypes";
import type { Dataset, Workspace } from "../../src/odf/workspace/workspace";
import { initWorkspace } from "../../src/odf/workspace/workspace";
import { runningEngineVersion } from "../../src/transform/engine";
import {
  DependencyCycleError,
  EngineVersionMismatchError,
  InputReplacedError,
  InputRewrittenError,
  NonIncrementalQueryError,
  TransformInputNotFoundError,
  TransformQueryError,
} from "../../src/transform/errors";
import { executeTransform } from "../../src/transform/executeTransform";
import { replayTransforms } from "../../src/transform/replayTransforms";
import { setTransform } from "../../src/transform/setTransform";
import { runCli } from "../harness/cli";
import { appendReadings, openTestDb } from "./helpers";

const PASS = "SELECT op, event_time, station, temp FROM r";

describe("derivative datasets: bad input", () => {
  let dir: string;
  let ws: Workspace;
  let db: DuckDb;
  let r: Dataset;
  const odf = (...args: string[]) => runCli("--workspace", dir, ...args);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-transform-bad-"));
    ws = await initWorkspace(dir, { fsync: false });
    db = await openTestDb();
    r = await ws.create({ alias: "r", kind: "Root" });
    await appendReadings(db, r, [
      [0, "2024-01-01 00:00", "a", 1],
      [0, "2024-01-01 01:00", "b", 2],
    ]);
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A derivative dataset whose SetTransform is appended as given (bypassing the checks). */
  const rawDerivative = async (alias: string, query: string, inputs = [{ datasetRef: "r" }], version?: string) => {
    const d = await ws.create({ alias, kind: "Derivative" });
    const setBlock = await d.chain.append({
      kind: "SetTransform",
      inputs,
      transform: { kind: "Sql", engine: "duckdb", version: version ?? runningEngineVersion(), query },
    });
    return { d, setBlock: setBlock.hash };
  };

  test("unknown input: refused on creation (nothing created) and on execution, naming dataset and block", async () => {
    const res = await odf("dataset", "new", "d1", "--kind", "derivative", "--input", "nosuch", "--query", PASS);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'odf: Dataset d1: input "nosuch" is not a dataset of the workspace\n' +
        "hint: Add or pull the input dataset first, or fix the transform's datasetRef.\n",
    );
    expect(await ws.has("d1")).toBe(false);

    const { d, setBlock } = await rawDerivative("d2", PASS, [{ datasetRef: "gone" }]);
    const error = await executeTransform(ws, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransformInputNotFoundError);
    expect((error as Error).message).toBe(
      `Dataset d2 (block ${setBlock}): input "gone" is not a dataset of the workspace`,
    );
  });

  test("a derivative dataset without a SetTransform: pull says how to define one", async () => {
    expect((await odf("dataset", "new", "bare", "--kind", "derivative")).code).toBe(0);
    const res = await odf("pull", "bare");
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      "odf: Dataset bare: has no SetTransform\n" +
        "hint: Define it with `odf transform set <alias> --input <ref> --query <sql>`.\n",
    );
    expect((await odf("verify", "r", "--allow-engine-mismatch")).stderr).toContain(
      "--allow-engine-mismatch needs --replay",
    );
  });

  test("cycle between datasets: refused when a migration would close the loop", async () => {
    expect((await odf("dataset", "new", "b", "--kind", "derivative", "--input", "r", "--query", PASS)).code).toBe(0);
    const bq = "SELECT op, event_time, station, temp FROM b";
    expect((await odf("dataset", "new", "c", "--kind", "derivative", "--input", "b", "--query", bq)).code).toBe(0);
    const cq = "SELECT op, event_time, station, temp FROM c";
    const error = await setTransform(ws, await ws.open("b"), { inputs: [{ datasetRef: "c" }], query: cq }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DependencyCycleError);
    expect((error as Error).message).toBe("Dataset b: dependency cycle: b -> c -> b");
    const res = await odf("transform", "set", "b", "--input", "c", "--query", cq);
    expect(res.stderr).toBe("odf: Dataset b: dependency cycle: b -> c -> b\n");

    // A cycle written behind our back (raw blocks) is refused by lineage and by execution.
    const b = await ws.open("b");
    await b.chain.append({
      kind: "SetTransform",
      inputs: [{ datasetRef: "c" }],
      transform: { kind: "Sql", engine: "duckdb", version: runningEngineVersion(), query: cq },
    });
    expect((await odf("lineage", "c")).stderr).toBe("odf: Dataset c: dependency cycle: c -> b -> c\n");
    await expect(executeTransform(ws, b)).rejects.toThrow("Dataset b: dependency cycle: b -> c -> b");
  });

  test("a query that does not compile: unknown column, unknown table, missing op, volatile function", async () => {
    const cases: [string, string][] = [
      ["SELECT op, event_time, nosuch FROM r", 'Referenced column "nosuch" not found'],
      ["SELECT op, event_time FROM other", "unknown table other (inputs: r)"],
      ["SELECT event_time, station FROM r", "the output has no op column"],
      ["SELECT op, event_time, random() AS x FROM r", "function random() is volatile"],
      ["SELEC op FROM r", "syntax error"],
    ];
    let i = 0;
    for (const [query, message] of cases) {
      const d = await ws.create({ alias: `q${i++}`, kind: "Derivative" });
      const error = await setTransform(ws, d, { inputs: [{ datasetRef: "r" }], query }).catch((e: unknown) => e);
      expect(error, query).toBeInstanceOf(TransformQueryError);
      expect((error as Error).message).toContain("the query does not compile");
      expect((error as Error).message).toContain(message);
    }
    // Written behind our back: execution names the SetTransform block.
    const { d, setBlock } = await rawDerivative("q-raw", "SELECT op, event_time, nosuch FROM r");
    await expect(executeTransform(ws, d)).rejects.toThrow(
      new RegExp(`^Dataset q-raw \\(block ${setBlock}\\): the query does not compile: Binder Error`),
    );
  });

  test("a migration whose output changes a column's type: the pull is refused, nothing written", async () => {
    const d = await ws.create({ alias: "typed", kind: "Derivative" });
    await setTransform(ws, d, { inputs: [{ datasetRef: "r" }], query: PASS });
    await executeTransform(ws, d);
    const migration = await setTransform(ws, d, {
      query: "SELECT op, event_time, station, temp::VARCHAR AS temp FROM r",
    });
    await appendReadings(db, r, [[0, "2024-01-01 01:30", "c", 3]]);
    const head = await d.chain.head();
    await expect(executeTransform(ws, d)).rejects.toThrow(
      `Dataset typed (block ${migration.blockHash}): the output does not fit the dataset: Schema change refused: column "temp" changed type from {"kind":"Float64"} to {"kind":"String"}`,
    );
    expect(await d.chain.head()).toBe(head);
  });

  test("a query that cannot run incrementally is refused, naming the construct", async () => {
    const cases: [string, string][] = [
      ["SELECT 0 AS op, max(event_time) AS event_time FROM r", "aggregate function max()"],
      ["SELECT op, event_time, station FROM r GROUP BY ALL", "GROUP BY ALL"],
      ["SELECT op, event_time, count(*) OVER () AS n FROM r", "window function count()"],
      ["SELECT op, event_time FROM r ORDER BY event_time LIMIT 1", "ORDER BY"],
      ["SELECT DISTINCT op, event_time FROM r", "DISTINCT"],
      ["SELECT r.op, r.event_time FROM r JOIN r AS s USING (station)", "a join"],
      ["SELECT op, event_time FROM r WHERE temp > (SELECT avg(temp) FROM r)", "a subquery inside an expression"],
      ["SELECT op, event_time FROM r UNION SELECT op, event_time FROM r", "set operation UNION (without ALL)"],
    ];
    let i = 0;
    for (const [query, construct] of cases) {
      const d = await ws.create({ alias: `n${i++}`, kind: "Derivative" });
      const error = await setTransform(ws, d, { inputs: [{ datasetRef: "r" }], query }).catch((e: unknown) => e);
      expect(error, query).toBeInstanceOf(NonIncrementalQueryError);
      expect((error as Error).message).toMatch(`Dataset ${d.alias}: the query cannot run incrementally: ${construct}`);
      expect((error as NonIncrementalQueryError).construct.startsWith(construct)).toBe(true);
    }
    const { d, setBlock } = await rawDerivative("n-raw", "SELECT 0 AS op, min(event_time) AS event_time FROM r");
    await expect(executeTransform(ws, d)).rejects.toThrow(
      `Dataset n-raw (block ${setBlock}): the query cannot run incrementally: aggregate function min()`,
    );
  });

  test("an input rewritten behind our back: execution and replay name the input and the missing block", async () => {
    const src = await ws.create({ alias: "src", kind: "Root" });
    await appendReadings(db, src, [[0, "2024-01-01 00:00", "a", 1]]);
    const before = (await src.chain.head()) as string;
    await appendReadings(db, src, [[0, "2024-01-01 01:00", "b", 2]]);
    const consumed = (await src.chain.head()) as string;
    const d = await ws.create({ alias: "follower", kind: "Derivative" });
    await setTransform(ws, d, { inputs: [{ datasetRef: "src" }], query: "SELECT * FROM src" });
    expect((await executeTransform(ws, d)).rowCount).toBe(2);
    const lastRun = (await d.chain.head()) as string;

    // Rewrite src: drop its last AddData and append different data instead.
    await src.store.writeRef("head", before);
    await appendReadings(db, src, [[0, "2024-01-01 02:00", "z", 9]]);
    const error = await executeTransform(ws, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputRewrittenError);
    expect((error as Error).message).toBe(
      `Dataset follower (block ${lastRun}): input src no longer contains block ${consumed} that this dataset consumed; its history was rewritten`,
    );
    const replay = await replayTransforms(ws, d);
    expect(replay.ok).toBe(false);
    expect(replay.mismatch?.blockHash).toBe(lastRun);
    expect(replay.mismatch?.message).toContain(`input src no longer contains block ${consumed}`);
  });

  test("an op or event_time the query computes wrongly names the dataset and its SetTransform", async () => {
    const { d, setBlock } = await rawDerivative("badop", "SELECT 7 AS op, event_time, station FROM r");
    const error = await executeTransform(ws, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransformQueryError);
    expect((error as Error).message).toBe(
      `Dataset badop (block ${setBlock}): the query's output is not a valid slice: Column "op" has a value outside 0..3 or NULL`,
    );
    expect((await d.chain.state()).lastOffset).toBeUndefined();
  });

  test("an input alias that now names another dataset is refused, not silently switched", async () => {
    const a = await ws.create({ alias: "feed", kind: "Root" });
    await appendReadings(db, a, [[0, "2024-01-01 00:00", "a", 1]]);
    const d = await ws.create({ alias: "reader", kind: "Derivative" });
    await setTransform(ws, d, { inputs: [{ datasetRef: "feed" }], query: "SELECT * FROM feed" });
    await executeTransform(ws, d);
    const set = (await d.chain.state()).transform;
    await rm(a.dir, { recursive: true, force: true });
    const replacement = await ws.create({ alias: "feed", kind: "Root" });
    await appendReadings(db, replacement, [[0, "2024-01-01 00:00", "z", 9]]);
    const error = await executeTransform(ws, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputReplacedError);
    expect((error as Error).message).toMatch(
      `input feed now resolves to dataset ${replacement.id}, but this transform has been reading ${a.id}`,
    );
    expect(set?.inputs).toEqual([{ datasetRef: "feed" }]);
  });

  test("replay reports the first block that does not reproduce; engine versions are checked", async () => {
    const d = await ws.create({ alias: "forged", kind: "Derivative" });
    await setTransform(ws, d, { inputs: [{ datasetRef: "r" }], query: "SELECT * FROM r WHERE temp > 1" });
    // An ExecuteTransform whose data was not produced by the transform (it keeps every record).
    const input = await r.chain.state();
    const written = await writeDataSlice(db.connection, {
      source: `SELECT op, event_time, station, temp FROM read_parquet('${r.store.objectPath("data", input.slices[0]?.slice.physicalHash as string)}')`,
      startOffset: 0,
      systemTime: "2030-01-01T00:00:00Z",
      outputDir: path.join(d.dir, "data"),
    });
    if (!written) throw new Error("no slice");
    await d.store.moveObjectFrom("data", written.slice.physicalHash, written.path);
    const cols = (
      await db.connection.runAndReadAll(
        `DESCRIBE SELECT * FROM read_parquet('${d.store.objectPath("data", written.slice.physicalHash)}')`,
      )
    )
      .getRowObjectsJS()
      .map((c) => ({ name: String(c.column_name), type: String(c.column_type) }));
    await d.chain.append(
      { kind: "SetDataSchema", schema: odfSchemaOfDuckDb(cols) },
      { systemTime: "2030-01-01T00:00:00Z" },
    );
    const forged = await d.chain.append(
      {
        kind: "ExecuteTransform",
        queryInputs: [{ datasetId: r.id, newBlockHash: input.head as string, newOffset: 1 }],
        newData: written.slice,
        newWatermark: "2024-01-01T01:00:00Z",
      },
      { systemTime: "2030-01-01T00:00:00Z" },
    );
    const res = await odf("verify", "forged", "--replay");
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `forged: block ${forged.block.sequenceNumber} (blocks/${forged.hash}): does not reproduce: replay gives offsets [0, 0], the block records [0, 1]`,
    );

    // A stretch of history recorded with another engine version.
    const old = await rawDerivative("old-engine", "SELECT * FROM r WHERE temp > 100", [{ datasetRef: "r" }], "0.9.2");
    await expect(executeTransform(ws, old.d)).rejects.toThrowError(EngineVersionMismatchError);
    await expect(executeTransform(ws, old.d)).rejects.toThrow(
      `Dataset old-engine (block ${old.setBlock}): the transform pins engine version 0.9.2, but this build runs duckdb ${runningEngineVersion()}`,
    );
    await old.d.chain.append({
      kind: "ExecuteTransform",
      queryInputs: [{ datasetId: r.id, newBlockHash: input.head as string, newOffset: 1 }],
      newWatermark: "2024-01-01T01:00:00Z",
    });
    let out = await odf("verify", "old-engine", "--replay");
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      `odf: Dataset old-engine (block ${old.setBlock}): the transform pins engine version 0.9.2, but this build runs duckdb ${runningEngineVersion()}\n` +
        "hint: Pass --allow-engine-mismatch to replay anyway (a different engine version may compute differently).\n",
    );
    out = await odf("verify", "old-engine", "--replay", "--allow-engine-mismatch");
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("warning: replayed with another engine version than recorded (0.9.2)");
    expect(out.stdout).toContain("replayed 1 ExecuteTransform blocks (2 input records, 0 output records)");
    // Migrate: a new SetTransform pins the running version; history before it keeps 0.9.2.
    expect((await odf("transform", "set", "old-engine")).code).toBe(0);
    await appendReadings(db, r, [[0, "2024-01-01 02:00", "c", 150]]);
    expect((await executeTransform(ws, old.d)).rowCount).toBe(1);
    const stateAfter = await old.d.chain.state();
    expect(stateAfter.transform?.transform.version).toBe(runningEngineVersion());
  });
});
