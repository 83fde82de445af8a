import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ObjectNotFoundError, StoreError } from "./errors";
import { createLocalDatasetStore } from "./localDatasetStore";

const HASH = `f1620${"ab".repeat(32)}`;

describe("local dataset store", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-store-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("lays out refs, blocks, data and checkpoints and swaps the head atomically", async () => {
    const store = await createLocalDatasetStore(dir);
    expect((await readdir(dir)).sort()).toEqual(["blocks", "checkpoints", "data", "refs"]);
    expect(await store.readRef("head")).toBeUndefined();
    await store.writeObject("blocks", HASH, new Uint8Array([1, 2, 3]));
    await store.writeRef("head", HASH);
    expect(await readFile(path.join(dir, "refs", "head"), "utf8")).toBe(HASH);
    expect(await store.readRef("head")).toBe(HASH);
    expect(await store.readObject("blocks", HASH)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.statObject("blocks", HASH)).toBe(3);
    // No temp files left behind.
    expect(await readdir(path.join(dir, "refs"))).toEqual(["head"]);
    expect(await store.listObjects("blocks")).toEqual([HASH]);
  });

  test("missing objects and hostile names are clear errors", async () => {
    const store = await createLocalDatasetStore(dir, { fsync: false });
    await expect(store.readObject("data", HASH)).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.statObject("data", HASH)).toBeUndefined();
    await expect(store.readObject("blocks", "../../etc/passwd")).rejects.toBeInstanceOf(StoreError);
    await expect(store.writeRef("../head", HASH)).rejects.toBeInstanceOf(StoreError);
  });

  test("moveObjectFrom renames a file into the store", async () => {
    const store = await createLocalDatasetStore(dir);
    const tmp = path.join(dir, "tmp.parquet");
    await import("node:fs/promises").then((fs) => fs.writeFile(tmp, "xyz"));
    await store.moveObjectFrom("data", HASH, tmp);
    expect((await stat(store.objectPath("data", HASH))).size).toBe(3);
    await expect(stat(tmp)).rejects.toThrow();
  });
});
