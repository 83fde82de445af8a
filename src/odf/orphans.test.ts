import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createScratchDir } from "./orphans";

let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), "odf-scratch-test-"));
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

test("createScratchDir: reclaims the directories of processes that are gone, and only those", async () => {
  // A process id that existed and no longer does: a child that has exited.
  const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
  const dead = `odf-logs-${gone}-0123456789ab`;
  await mkdir(path.join(parent, dead));
  await writeFile(path.join(parent, dead, "logs-1.tsv"), "staged rows");
  const mine = `odf-logs-${process.pid}-0123456789ab`; // a live process (this one)
  const parentPid = `odf-logs-${process.ppid}-0123456789ab`; // another live process
  const otherPrefix = `ingest-${gone}-0123456789ab`;
  const otherForm = "odf-logs-keep";
  for (const name of [mine, parentPid, otherPrefix, otherForm]) await mkdir(path.join(parent, name));

  const dir = await createScratchDir(parent, "odf-logs");
  expect(path.dirname(dir)).toBe(parent);
  expect(path.basename(dir)).toMatch(new RegExp(`^odf-logs-${process.pid}-[0-9a-f]{12}$`));
  expect((await readdir(parent)).sort()).toEqual([mine, parentPid, otherPrefix, otherForm, path.basename(dir)].sort());

  // The parent is created when missing.
  const nested = await createScratchDir(path.join(parent, "a", "b"), "ingest");
  expect(await readdir(path.join(parent, "a", "b"))).toEqual([path.basename(nested)]);
});
