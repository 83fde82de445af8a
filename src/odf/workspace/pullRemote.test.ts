import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDb } from "../../engines/duckdb/openDuckDb";
import { appendData } from "./appendData";
import { PullError, pullRemote } from "./pullRemote";
import { initWorkspace, type Workspace } from "./workspace";

/** Serves a directory read-only over HTTP, like a static ODF Simple Transfer Protocol host. */
function serveDir(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    try {
      const s = await stat(file);
      res.writeHead(200, { "content-length": s.size });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe("pullRemote over HTTP", () => {
  let dir: string;
  let origin: Workspace;
  let http: { url: string; server: Server };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-pull-"));
    origin = await initWorkspace(path.join(dir, "origin"), { fsync: false });
    const ds = await origin.create({ alias: "weather", kind: "Root" });
    await ds.chain.append({ kind: "SetInfo", description: "first" });
    http = await serveDir(origin.dir);
  });
  afterAll(async () => {
    http.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("copies a dataset, verifying block hashes, then fast-forwards", async () => {
    const local = await initWorkspace(path.join(dir, "local1"), { fsync: false });
    const first = await pullRemote(local, { url: `${http.url}/weather/` });
    expect(first).toMatchObject({ alias: "weather", newBlocks: 2, upToDate: false });
    const copy = await local.open("weather");
    expect(await copy.chain.head()).toBe(await (await origin.open("weather")).chain.head());
    expect((await copy.chain.state()).datasetId).toBe((await origin.open("weather")).id);

    await (await origin.open("weather")).chain.append({ kind: "SetInfo", description: "second" });
    const second = await pullRemote(local, { url: `${http.url}/weather`, alias: "weather" });
    expect(second.newBlocks).toBe(1);
    expect((await pullRemote(local, { url: `${http.url}/weather` })).upToDate).toBe(true);
  });

  test("refuses a remote block whose bytes do not match its name, leaving nothing behind", async () => {
    const ds = await origin.open("weather");
    const head = (await ds.chain.head()) as string;
    const file = ds.store.objectPath("blocks", head);
    const original = await readFile(file);
    const tampered = Buffer.from(original);
    tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 0xff;
    await writeFile(file, tampered);
    try {
      const local = await initWorkspace(path.join(dir, "local2"), { fsync: false });
      await expect(pullRemote(local, { url: `${http.url}/weather` })).rejects.toBeInstanceOf(PullError);
      expect(await local.has("weather")).toBe(false);
    } finally {
      await writeFile(file, original);
    }
  });

  test("a dataset already held under another alias is refused, naming that alias; another id names both", async () => {
    const local = await initWorkspace(path.join(dir, "local4"), { fsync: false });
    await pullRemote(local, { url: `${http.url}/weather` });
    const id = (await local.open("weather")).id;
    const twice = await pullRemote(local, { url: `${http.url}/weather`, alias: "copy" }).catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(PullError);
    expect((twice as PullError).message).toBe(
      `${http.url}/weather is dataset ${id}, which the workspace already holds as weather`,
    );
    expect(await local.has("copy")).toBe(false);
    const other = await origin.create({ alias: "other", kind: "Root" });
    await expect(pullRemote(local, { url: `${http.url}/other`, alias: "weather" })).rejects.toThrow(
      `Local weather is dataset ${id}, the remote is ${other.id}`,
    );
  });

  test("a first pull that fails on a corrupted data file leaves no dataset behind", async () => {
    const ds = await origin.create({ alias: "withdata", kind: "Root" });
    const db = await openDuckDb();
    try {
      await appendData(ds, {
        connection: db.connection,
        source: "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_time, 1 AS v",
      });
    } finally {
      db.close();
    }
    const [data] = (await ds.chain.state()).slices;
    const file = ds.store.objectPath("data", data?.slice.physicalHash as string);
    const original = await readFile(file);
    const tampered = Buffer.from(original);
    tampered[100] = (tampered[100] ?? 0) ^ 0xff;
    await writeFile(file, tampered);
    try {
      const local = await initWorkspace(path.join(dir, "local5"), { fsync: false });
      await expect(pullRemote(local, { url: `${http.url}/withdata` })).rejects.toThrow(/hashes to f1620/);
      expect(await local.has("withdata")).toBe(false);
      expect(await readdir(local.dir)).not.toContain("withdata");
    } finally {
      await writeFile(file, original);
    }
  });

  test("a URL that is not a dataset is a clear error", async () => {
    const local = await initWorkspace(path.join(dir, "local3"), { fsync: false });
    await expect(pullRemote(local, { url: `${http.url}/nothing` })).rejects.toThrow(/has no refs\/head/);
  });
});
