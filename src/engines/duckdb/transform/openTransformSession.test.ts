import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DataSchema } from "../../../odf/metadata/types";
import { type DuckDb, openDuckDb } from "../openDuckDb";
import { openTransformSession } from "./openTransformSession";

const SCHEMA: DataSchema = {
  fields: [
    { name: "offset", type: { kind: "Int64" } },
    { name: "op", type: { kind: "Int32" } },
    { name: "system_time", type: { kind: "Timestamp", unit: "Millisecond", timezone: "UTC" } },
    { name: "event_time", type: { kind: "Timestamp", unit: "Millisecond", timezone: "UTC" } },
    { name: "v", type: { kind: "Int64" } },
    { name: "extra", type: { kind: "String" } },
  ],
};

describe("openTransformSession", () => {
  let dir: string;
  let db: DuckDb;
  const files: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-transform-session-"));
    db = await openDuckDb({ threads: 1 });
    // Three slices: offsets 0..2, 3..5, 6..8; only the last has the (later added) column `extra`.
    for (let i = 0; i < 3; i++) {
      const file = path.join(dir, `slice${i}.parquet`);
      const extra = i === 2 ? ", 'x' || o AS extra" : "";
      await db.connection.run(
        `COPY (SELECT o AS "offset", 0 AS op, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS system_time,
           TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(o) AS event_time, o * 10 AS v${extra}
         FROM range(${i * 3}, ${i * 3 + 3}) t(o)) TO '${file}' (FORMAT PARQUET)`,
      );
      files.push(file);
    }
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a view exposes exactly (afterOffset, upToOffset] of the given slices; missing columns read as NULL", async () => {
    const session = await openTransformSession({
      inputs: [{ alias: "t", files: files.slice(1), afterOffset: 4, upToOffset: 7, schema: SCHEMA }],
      outputDir: path.join(dir, "out"),
    });
    try {
      const compiled = await session.compile("SELECT * FROM t");
      expect(compiled.ok).toBe(true);
      if (!compiled.ok) return;
      expect(compiled.columns.map((c) => c.name)).toEqual(["op", "event_time", "v", "extra"]);
      const rows = (await session.connection.runAndReadAll(`SELECT v, extra FROM (${compiled.source})`)).getRowsJS();
      expect(rows).toEqual([
        [50n, null],
        [60n, "x6"],
        [70n, "x7"],
      ]);
      // The session may read only the slices it was given (and write only to its output directory).
      await expect(session.connection.run(`SELECT * FROM read_parquet('${files[0]}')`)).rejects.toThrow(
        /Permission Error/,
      );
    } finally {
      session.close();
    }
  });

  test("an input without a range is an empty view with the schema's columns", async () => {
    const session = await openTransformSession({
      inputs: [{ alias: "t", files: [], schema: SCHEMA }],
      outputDir: dir,
    });
    try {
      const compiled = await session.compile("SELECT op, event_time, v + 1 AS w FROM t WHERE v > 3");
      expect(compiled).toMatchObject({ ok: true, columns: [{ name: "op" }, { name: "event_time" }, { name: "w" }] });
      if (!compiled.ok) return;
      expect((await session.connection.runAndReadAll(compiled.source)).getRowsJS()).toEqual([]);
      expect(await session.compile("SELECT op, event_time, sum(v) OVER () FROM t")).toEqual({
        ok: false,
        kind: "nonIncremental",
        message: "window function sum()",
      });
      expect(
        await session.compile("WITH a AS (SELECT * FROM t) SELECT * FROM a UNION ALL SELECT * FROM t"),
      ).toMatchObject({
        ok: true,
      });
    } finally {
      session.close();
    }
  });
});
