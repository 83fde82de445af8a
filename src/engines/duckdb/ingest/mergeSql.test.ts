import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MergeStrategy } from "../../../odf/metadata/types";
import { type DuckDb, openDuckDb } from "../openDuckDb";
import { checkMergeColumns, checkOpColumn, findDuplicateKey } from "./mergeChecks";
import { OP_TEXT_COLUMN } from "./mergeInput";
import { mergeSql } from "./mergeSql";
import { previousRecordsSql } from "./previousRecordsSql";

let db: DuckDb;
let dir: string;
const columns = [
  { name: "id", type: "BIGINT" },
  { name: "name", type: "VARCHAR" },
];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "merge-"));
  db = await openDuckDb();
  await db.connection.run("SET TimeZone = 'UTC'");
  // Existing records: 1 a, 2 b, 3 c, then 3 retracted: state is {1: a, 2: b}.
  await db.connection.run(
    `COPY (SELECT * FROM (VALUES (0, 0, TIMESTAMPTZ '2020-01-01 00:00:00Z', 1, 'a'), (1, 0, TIMESTAMPTZ '2020-01-01 00:00:00Z', 2, 'b'), (2, 0, TIMESTAMPTZ '2020-01-01 00:00:00Z', 3, 'c'), (3, 1, TIMESTAMPTZ '2020-01-01 00:00:00Z', 3, 'c')) t("offset", op, event_time, id, name)) TO '${dir}/s1.parquet' (FORMAT parquet)`,
  );
});
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function merge(strategy: MergeStrategy, rows: string, withOp = false): Promise<unknown[][]> {
  const cols = withOp ? "op, event_time, id, name" : "event_time, id, name";
  await db.connection.run(`CREATE OR REPLACE TEMP TABLE n AS SELECT * FROM (VALUES ${rows}) t(${cols})`);
  await db.connection.run(
    `CREATE OR REPLACE TEMP TABLE n2 AS SELECT ${withOp ? "op::INTEGER AS op, " : ""}event_time::TIMESTAMPTZ AS event_time, id::BIGINT AS id, name::VARCHAR AS name FROM n`,
  );
  checkMergeColumns(strategy, columns, withOp);
  const previous = await previousRecordsSql(db.connection, [`${dir}/s1.parquet`], columns);
  const sql = mergeSql(strategy, { table: "n2", columns, hasOp: withOp, previous });
  const reader = await db.connection.runAndReadAll(`SELECT op, strftime(event_time, '%d'), id, name FROM (${sql})`);
  return reader.getRows().map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
}

const T2 = "'2020-01-02T00:00:00Z'";

describe("mergeSql", () => {
  test("Append keeps every record as +A in arrival order", async () => {
    expect(await merge({ kind: "Append" }, `(${T2}, 9, 'z'), (${T2}, 1, 'a')`)).toEqual([
      [0, "02", 9, "z"],
      [0, "02", 1, "a"],
    ]);
  });

  test("Ledger adds only keys never seen (also retracted ones count as seen)", async () => {
    expect(
      await merge(
        { kind: "Ledger", primaryKey: ["id"] },
        `(${T2}, 1, 'a'), (${T2}, 4, 'd'), (${T2}, 3, 'c2'), (${T2}, 4, 'd2')`,
      ),
    ).toEqual([[0, "02", 4, "d"]]);
  });

  test("Snapshot: +A for new keys, -C/+C for changes, -R for removed keys", async () => {
    expect(
      await merge({ kind: "Snapshot", primaryKey: ["id"] }, `(${T2}, 4, 'd'), (${T2}, 2, 'B'), (${T2}, 3, 'c')`),
    ).toEqual([
      [0, "02", 4, "d"],
      [2, "01", 2, "b"],
      [3, "02", 2, "B"],
      [0, "02", 3, "c"],
      [1, "01", 1, "a"],
    ]);
  });

  test("Snapshot with compareColumns ignores other columns", async () => {
    expect(
      await merge({ kind: "Snapshot", primaryKey: ["id"], compareColumns: ["id"] }, `(${T2}, 1, 'x'), (${T2}, 2, 'y')`),
    ).toEqual([]);
  });

  test("Snapshot: duplicate keys in the input are refused", async () => {
    await db.connection.run(
      `CREATE OR REPLACE TEMP TABLE d AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (1, 'c')) t(id, name)`,
    );
    await expect(findDuplicateKey(db.connection, "d", ["id"])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[MergeError: Duplicate primary key (id=1) in the snapshot input: it occurs 2 times]`,
    );
  });

  test("UpsertStream: applies upserts and deletes in order against the current state", async () => {
    const rows = [
      `(0, ${T2}, 1, 'a')`, // unchanged: nothing
      `(0, ${T2}, 2, 'b2')`, // change: -C b, +C b2
      `(1, ${T2}, 2, NULL)`, // delete: -R b2
      `(0, ${T2}, 5, 'e')`, // new: +A
      `(3, ${T2}, 5, 'e2')`, // change of an in-batch key: -C e, +C e2
      `(1, ${T2}, 7, NULL)`, // delete of an absent key: nothing
      `(0, ${T2}, 3, 'c')`, // 3 was retracted before: +A
    ].join(", ");
    expect(await merge({ kind: "UpsertStream", primaryKey: ["id"] }, rows, true)).toEqual([
      [2, "01", 2, "b"],
      [3, "02", 2, "b2"],
      [1, "02", 2, "b2"],
      [0, "02", 5, "e"],
      [2, "02", 5, "e"],
      [3, "02", 5, "e2"],
      [0, "02", 3, "c"],
    ]);
  });

  test("ChangelogStream passes records through and refuses bad ops", async () => {
    expect(
      await merge({ kind: "ChangelogStream", primaryKey: ["id"] }, `(1, ${T2}, 1, 'a'), (0, ${T2}, 8, 'h')`, true),
    ).toEqual([
      [1, "02", 1, "a"],
      [0, "02", 8, "h"],
    ]);
    await db.connection.run(
      `CREATE OR REPLACE TEMP TABLE bad AS SELECT * FROM (VALUES (0, '+A'), (7, '7')) t(op, ${OP_TEXT_COLUMN})`,
    );
    await expect(checkOpColumn(db.connection, "bad", "ChangelogStream")).rejects.toThrowErrorMatchingInlineSnapshot(
      `[MergeError: Record 2: op 7 is not allowed in ChangelogStream input (allowed: +A, -R, -C, +C)]`,
    );
    await db.connection.run(
      `CREATE OR REPLACE TEMP TABLE bad AS SELECT * FROM (VALUES (0, '0'), (NULL, NULL)) t(op, ${OP_TEXT_COLUMN})`,
    );
    await expect(checkOpColumn(db.connection, "bad", "ChangelogStream")).rejects.toThrowErrorMatchingInlineSnapshot(
      `[MergeError: Record 2: op is missing in ChangelogStream input (allowed: +A, -R, -C, +C)]`,
    );
  });

  test("checkOpColumn: UpsertStream takes no op as an upsert but refuses a value that is not an op", async () => {
    await db.connection.run(
      `CREATE OR REPLACE TEMP TABLE up AS SELECT * FROM (VALUES (NULL, NULL), (1, '-R'), (NULL, 'delete')) t(op, ${OP_TEXT_COLUMN})`,
    );
    await expect(checkOpColumn(db.connection, "up", "UpsertStream")).rejects.toThrowErrorMatchingInlineSnapshot(
      `[MergeError: Record 3: op "delete" is not allowed in UpsertStream input (allowed: +A, -R, +C)]`,
    );
    await db.connection.run(
      `CREATE OR REPLACE TEMP TABLE up AS SELECT * FROM (VALUES (NULL, NULL), (2, '-C')) t(op, ${OP_TEXT_COLUMN})`,
    );
    await expect(checkOpColumn(db.connection, "up", "UpsertStream")).rejects.toThrowErrorMatchingInlineSnapshot(
      `[MergeError: Record 2: op "-C" is not allowed in UpsertStream input (allowed: +A, -R, +C)]`,
    );
    await db.connection.run(
      `CREATE OR REPLACE TEMP TABLE up AS SELECT * FROM (VALUES (NULL, NULL), (3, '+C'), (0, '0')) t(op, ${OP_TEXT_COLUMN})`,
    );
    await checkOpColumn(db.connection, "up", "UpsertStream");
  });

  test("checkMergeColumns names a missing key column", () => {
    expect(() =>
      checkMergeColumns({ kind: "Snapshot", primaryKey: ["nope"] }, columns, false),
    ).toThrowErrorMatchingInlineSnapshot(`[MergeError: Primary key column nope is not in the input]`);
  });
});
