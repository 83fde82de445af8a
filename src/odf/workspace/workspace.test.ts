import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DatasetNotFoundError } from "../../engines/errors";
import { BlockHashMismatchError, HeadNotFoundError } from "../chain/readErrors";
import { parseDatasetId } from "../identity";
import { DatasetExistsError, InvalidAliasError, NotAWorkspaceError } from "./errors";
import { initWorkspace, openWorkspace } from "./workspace";

describe("workspace", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-ws-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("creates datasets with a key (0600) and a Seed, addressable by alias and id", async () => {
    const ws = await initWorkspace(path.join(dir, ".odf"), { fsync: false });
    const ds = await ws.create({ alias: "weather", kind: "Root" });
    expect(ds.id).toMatch(/^did:odf:fed01[0-9a-f]{64}$/);
    const keyFile = path.join(ws.dir, ".keys", `${ds.id.slice(8)}.key`);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = JSON.parse(await readFile(keyFile, "utf8")) as { ed25519SecretKeyHex: string };
    expect(key.ed25519SecretKeyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(parseDatasetId(ds.id).didOdf).toBe(ds.id);

    const blocks = [];
    for await (const b of ds.chain.iterate()) blocks.push(b);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.block.event).toEqual({ kind: "Seed", datasetId: ds.id, datasetKind: "Root" });
    expect(blocks[0]?.block.sequenceNumber).toBe(0);

    expect((await ws.open(ds.id)).alias).toBe("weather");
    expect((await ws.list()).map((d) => d.alias)).toEqual(["weather"]);
    await expect(ws.create({ alias: "weather", kind: "Root" })).rejects.toBeInstanceOf(DatasetExistsError);
    await expect(ws.create({ alias: "../evil", kind: "Root" })).rejects.toBeInstanceOf(InvalidAliasError);
    await expect(ws.open("nope")).rejects.toBeInstanceOf(DatasetNotFoundError);
    await expect(openWorkspace(dir)).rejects.toBeInstanceOf(NotAWorkspaceError);
  });

  test("a directory a killed create left (no info.json, no head) does not block the alias; a dataset does", async () => {
    const ws = await initWorkspace(path.join(dir, ".odf"), { fsync: false });
    await mkdir(path.join(ws.dir, "weather", "blocks"), { recursive: true });
    const ds = await ws.create({ alias: "weather", kind: "Root" });
    expect((await ws.open("weather")).id).toBe(ds.id);
    // A directory with a head but no info.json is not ours to remove.
    await mkdir(path.join(ws.dir, "other", "refs"), { recursive: true });
    await writeFile(path.join(ws.dir, "other", "refs", "head"), "f1620");
    await expect(ws.create({ alias: "other", kind: "Root" })).rejects.toBeInstanceOf(DatasetExistsError);
    expect(await readFile(path.join(ws.dir, "other", "refs", "head"), "utf8")).toBe("f1620");
  });

  test("append validates rules and moves the head; the chain reopens from disk", async () => {
    const ws = await initWorkspace(dir, { fsync: false });
    const ds = await ws.create({ alias: "a", kind: "Root" });
    const { hash } = await ds.chain.append({ kind: "SetInfo", description: "hello" });
    expect(await ds.chain.head()).toBe(hash);
    await expect(ds.chain.append({ kind: "Seed", datasetId: ds.id, datasetKind: "Root" })).rejects.toThrow(
      /Seed is allowed only/,
    );
    expect(await ds.chain.head()).toBe(hash);
    const reopened = await (await openWorkspace(dir)).open("a");
    const state = await reopened.chain.state();
    expect(state.sequenceNumber).toBe(1);
    expect(state.head).toBe(hash);
  });

  test("appendMany moves the head once: all blocks or none", async () => {
    const ws = await initWorkspace(dir, { fsync: false });
    const ds = await ws.create({ alias: "many", kind: "Root" });
    const head = await ds.chain.head();
    await expect(
      ds.chain.appendMany([
        { kind: "SetInfo", description: "ok" },
        { kind: "Seed", datasetId: ds.id, datasetKind: "Root" },
      ]),
    ).rejects.toThrow(/Seed is allowed only/);
    expect(await ds.chain.head()).toBe(head);
    const { hashes, state } = await ds.chain.appendMany([
      { kind: "SetInfo", description: "a" },
      { kind: "SetLicense", shortName: "CC0", name: "CC0 1.0", websiteUrl: "https://creativecommons.org" },
    ]);
    expect(hashes).toHaveLength(2);
    expect(await ds.chain.head()).toBe(hashes[1]);
    expect(state.sequenceNumber).toBe(2);
    expect((await ds.chain.getBlock(hashes[1] as string)).block.prevBlockHash).toBe(hashes[0]);
  });

  test("a block whose bytes do not match its name, and a head at a missing block, are detected", async () => {
    const ws = await initWorkspace(dir, { fsync: false });
    const ds = await ws.create({ alias: "a", kind: "Root" });
    const { hash } = await ds.chain.append({ kind: "SetInfo", description: "hello" });
    const file = ds.store.objectPath("blocks", hash);
    const bytes = await readFile(file);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 1;
    await writeFile(file, bytes);
    await expect(ds.chain.getBlock(hash)).rejects.toBeInstanceOf(BlockHashMismatchError);
    await writeFile(path.join(ds.dir, "refs", "head"), `f1620${"00".repeat(32)}`);
    const fresh = await (await openWorkspace(dir)).open("a");
    await expect(fresh.chain.state()).rejects.toBeInstanceOf(HeadNotFoundError);
  });
});
