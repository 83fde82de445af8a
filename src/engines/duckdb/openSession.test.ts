import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeParquet } from "../../../test/fixtures/writeParquet";
import { openSession, type Session } from "./openSession";

// The second line of defence: even SQL that got past the parser check cannot reach outside.
describe("openSession", () => {
  let dir: string;
  let other: string;
  let session: Session;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "odf-session-"));
    const file = path.join(dir, "a.parquet");
    other = path.join(dir, "other.parquet");
    await writeParquet(file, "SELECT range AS x FROM range(3)");
    await writeParquet(other, "SELECT 42 AS secret");
    session = await openSession({
      datasets: [{ alias: "a", id: "did:odf:x", dataFiles: [file] }],
      memoryLimit: "64MB",
    });
  });
  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("reads its views, and nothing else on disk", async () => {
    expect((await session.connection.runAndReadAll("SELECT sum(x) FROM a")).getRows()).toEqual([[3n]]);
    await expect(session.connection.run(`SELECT * FROM read_parquet('${other}')`)).rejects.toThrow(/Permission Error/);
    await expect(session.connection.run("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/Permission Error/);
    await expect(session.connection.run(`COPY (SELECT 1) TO '${path.join(dir, "out.csv")}'`)).rejects.toThrow(
      /Permission Error/,
    );
  });

  test("its configuration is locked and runs on one thread", async () => {
    await expect(session.connection.run("SET enable_external_access = true")).rejects.toThrow(/locked/);
    await expect(session.connection.run("SET threads = 4")).rejects.toThrow(/locked/);
    const settings = await session.connection.runAndReadAll(
      "SELECT current_setting('threads'), current_setting('autoload_known_extensions'), current_setting('lock_configuration')",
    );
    expect(settings.getRows()).toEqual([[1n, false, true]]);
  });
});
