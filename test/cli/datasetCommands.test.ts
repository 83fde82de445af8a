import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { blockHash, encodeMetadataBlock } from "../../src/odf/metadata/blockCodec";
import type { MetadataBlock } from "../../src/odf/metadata/types";
import { appendData } from "../../src/odf/workspace/appendData";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { startNode } from "../../src/server/startNode";
import { runCli } from "../harness/cli";

describe("odf init / dataset new / list / log / verify", () => {
  let dir: string;
  let ws: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "odf-cli-"));
    ws = path.join(dir, ".odf");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("init, dataset new, list, log", async () => {
    expect(await runCli("--workspace", ws, "init")).toMatchObject({
      code: 0,
      stdout: `Initialized workspace in ${ws}\n`,
    });
    const created = await runCli("--workspace", ws, "dataset", "new", "sensor");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created root dataset sensor \(did:odf:fed01[0-9a-f]{64}\)\n$/);
    expect((await runCli("--workspace", ws, "dataset", "new", "daily", "--kind", "derivative")).code).toBe(0);
    const list = await runCli("--workspace", ws, "list", "--format", "json");
    expect(
      JSON.parse(list.stdout).map((d: { alias: string; kind: string; blocks: number }) => [d.alias, d.kind, d.blocks]),
    ).toEqual([
      ["daily", "Derivative", 1],
      ["sensor", "Root", 1],
    ]);
    const log = await runCli("--workspace", ws, "log", "sensor", "--limit", "1");
    expect(log.code).toBe(0);
    expect(log.stdout).toContain("kind: MetadataBlock");
    expect(log.stdout).toContain("kind: Seed");
    expect(log.stdout).toContain("datasetKind: Root");
    expect((await runCli("--workspace", ws, "verify", "sensor")).stdout).toBe(
      "sensor: OK (1 blocks, 0 data files verified)\n",
    );
  });

  test("unknown dataset, bad alias, missing workspace: one clear line and exit 1", async () => {
    expect(await runCli("--workspace", ws, "log", "nope")).toEqual({
      code: 1,
      stdout: "",
      stderr: "odf: Dataset not found: nope\n",
    });
    const bad = await runCli("--workspace", ws, "dataset", "new", "../x");
    expect(bad).toMatchObject({
      code: 1,
      stderr:
        'odf: Invalid dataset alias "../x"\n' +
        "hint: Aliases start with a letter or digit and contain only letters, digits, '.', '_' and '-'.\n",
    });
    const none = await runCli("--workspace", path.join(dir, "missing"), "list");
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^odf: .*is not an ODF workspace\nhint: Run `odf init` to create one.\n$/);
  });

  test("pull <url> [alias] copies a dataset served over HTTP, verifying it, then reports up to date", async () => {
    const node = await startNode({ workspace: await openWorkspace(ws, { fsync: false }), port: 0, host: "127.0.0.1" });
    try {
      const copyWs = path.join(dir, "copy");
      await runCli("--workspace", copyWs, "init");
      const url = `${node.url}/datasets/sensor`;
      const first = await runCli("--workspace", copyWs, "pull", url, "sensor-copy");
      expect(first.stderr).toBe("");
      expect(first.stdout).toMatch(/^sensor-copy: 1 blocks, 0 files \(head f1620[0-9a-f]{64}\)\n$/);
      expect((await runCli("--workspace", copyWs, "pull", url, "sensor-copy")).stdout).toBe(
        "sensor-copy: up to date\n",
      );
      expect((await runCli("--workspace", copyWs, "verify", "sensor-copy")).code).toBe(0);
      const misuse = await runCli("--workspace", copyWs, "pull", "sensor-copy", "other");
      expect(misuse).toMatchObject({
        code: 1,
        stderr: "odf: The [alias] argument applies to a remote URL, not to sensor-copy\n",
      });
    } finally {
      await node.close();
    }
  });

  describe("verify reports each corruption with block and file, exit 1", () => {
    let dataFile: string;
    let head: string;
    beforeAll(async () => {
      const workspace = await openWorkspace(ws, { fsync: false });
      const ds = await workspace.create({ alias: "corrupt", kind: "Root" });
      const db = await openDuckDb();
      try {
        const r = await appendData(ds, {
          connection: db.connection,
          source: "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_time, 42 AS v",
        });
        dataFile = ds.store.objectPath("data", r.slice?.physicalHash as string);
        head = r.blockHash as string;
      } finally {
        db.close();
      }
    });
    const verify = () => runCli("--workspace", ws, "verify", "corrupt");

    test("a data file with one byte changed", async () => {
      const original = await readFile(dataFile);
      const changed = Buffer.from(original);
      changed[50] = (changed[50] ?? 0) ^ 0x20;
      await writeFile(dataFile, changed);
      const r = await verify();
      await writeFile(dataFile, original);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^corrupt: block 2 \(data\/f1620[0-9a-f]{64}\): physical hash is f1620[0-9a-f]{64}, the block records f1620/m,
      );
      expect((await verify()).code).toBe(0);
    });

    test("a data file missing", async () => {
      const original = await readFile(dataFile);
      await rm(dataFile);
      const r = await verify();
      await writeFile(dataFile, original);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^corrupt: block 2 \(data\/f1620[0-9a-f]{64}\): file is missing$/m);
    });

    test("a block file whose bytes do not match its name", async () => {
      const workspace = await openWorkspace(ws, { fsync: false });
      const file = (await workspace.open("corrupt")).store.objectPath("blocks", head);
      const original = await readFile(file);
      const changed = Buffer.from(original);
      changed[changed.length - 4] = (changed[changed.length - 4] ?? 0) ^ 1;
      await writeFile(file, changed);
      const r = await verify();
      await writeFile(file, original);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`(refs/head -> blocks/${head}): Block ${head}`);
      expect(r.stderr).toContain("is corrupted: its bytes hash to f1620");
    });

    test("a head pointing at a missing block", async () => {
      const refFile = path.join(ws, "corrupt", "refs", "head");
      await writeFile(refFile, `f1620${"0".repeat(64)}`);
      const r = await verify();
      await writeFile(refFile, head);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Missing block f16200{64}/);
    });

    test("a sequence gap and a wrong prevBlockHash", async () => {
      const workspace = await openWorkspace(ws, { fsync: false });
      const ds = await workspace.open("corrupt");
      const { block } = await ds.chain.getBlock(head);
      const refFile = path.join(ws, "corrupt", "refs", "head");
      for (const [patch, message] of [
        [{ sequenceNumber: block.sequenceNumber + 2, prevBlockHash: head }, "sequence number 4 does not follow 2"],
        [
          { sequenceNumber: block.sequenceNumber + 1, prevBlockHash: block.prevBlockHash },
          "sequence number 3 does not follow 1",
        ],
      ] as const) {
        const bad: MetadataBlock = {
          systemTime: block.systemTime,
          sequenceNumber: patch.sequenceNumber,
          event: { kind: "SetInfo", description: "x" },
          ...(patch.prevBlockHash ? { prevBlockHash: patch.prevBlockHash } : {}),
        };
        const bytes = encodeMetadataBlock(bad);
        const hash = blockHash(bytes);
        await writeFile(ds.store.objectPath("blocks", hash), bytes);
        await writeFile(refFile, hash);
        const r = await verify();
        await writeFile(refFile, head);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`(blocks/${hash}): ${message}`);
      }
    });
  });
});
