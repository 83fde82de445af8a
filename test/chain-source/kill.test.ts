import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainSource } from "../../src/chain-source/createChainSource";
import { createLogsDataset } from "../../src/chain-source/createLogsDataset";
import type { Workspace } from "../../src/odf/workspace/workspace";
import { type HardhatNode, startHardhatNode } from "../harness/hardhatNode";
import { type Chain, chainClients, DEPLOYER, deploy, liveLogKeys, queryDataset, send, tempWorkspace } from "./fixtures";

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "odf");
const TRANSFER = "Transfer(address indexed from, address indexed to, uint256 value)";
const BLOCKS = 12;
const PER_BLOCK = 400n;

function odf(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; signal: string | null; out: string }> {
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, out })));
}

describe("chain source: kill -9 mid-pull, then resume (built CLI)", () => {
  let node: HardhatNode;
  let chain: Chain;
  let token: Address;
  let ws: Workspace;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, "dist", "src", "cli", "main.js")))
      throw new Error("build the CLI first: npm run build");
    node = await startHardhatNode();
    chain = chainClients(node.url);
    ({ ws, cleanup } = await tempWorkspace());
    token = await deploy(chain, "ChainSourceToken");
    for (let i = 0; i < BLOCKS; i++)
      await send(chain, token, "ChainSourceToken", "mintMany", [DEPLOYER.address, 1n, PER_BLOCK]);
  });
  afterAll(async () => {
    await cleanup?.();
    await node?.stop();
  });

  test("no missing and no duplicate log after SIGKILL and a second pull", async () => {
    const dataset = await createLogsDataset(ws, {
      alias: "killed",
      nodeUrl: node.url,
      addresses: [token],
      signature: TRANSFER,
    });
    const args = [
      "--workspace",
      ws.dir,
      "pull",
      "killed",
      "--max-range",
      "1",
      "--commit-rows",
      "1",
      "--concurrency",
      "1",
    ];
    // The CLI's scratch directory (staged rows): left behind by the kill, reclaimed by the next pull.
    const scratch = await mkdtemp(path.join(tmpdir(), "odf-kill-scratch-"));
    const child = odf(args, { TMPDIR: scratch });
    let commits = 0;
    const exited = finished(child);
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (c: Buffer) => {
        commits += (c.toString().match(/\[commit\]/g) ?? []).length;
        if (commits >= 3) resolve();
      });
      child.once("exit", () => resolve());
    });
    child.kill("SIGKILL");
    const killed = await exited;
    expect(killed.signal).toBe("SIGKILL");
    const partial = (await liveLogKeys(dataset)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(BLOCKS * Number(PER_BLOCK));

    expect(await readdir(scratch)).toEqual([expect.stringMatching(new RegExp(`^odf-logs-${child.pid}-[0-9a-f]{12}$`))]);

    const resumed = await finished(odf(["--workspace", ws.dir, "pull", "killed"], { TMPDIR: scratch }));
    expect(resumed.code, resumed.out).toBe(0);
    expect(await readdir(scratch)).toEqual([]);
    await rm(scratch, { recursive: true, force: true });
    expect(resumed.out).toMatch(/killed: \d+ logs added/);

    const keys = await liveLogKeys(dataset);
    expect(keys.length).toBe(BLOCKS * Number(PER_BLOCK));
    expect(new Set(keys).size).toBe(keys.length);
    const [dupes] = await queryDataset(
      dataset,
      `SELECT count(*)::INT AS n, count(DISTINCT (block_hash, log_index))::INT AS d FROM t`,
    );
    expect(dupes).toEqual({ n: BLOCKS * Number(PER_BLOCK), d: BLOCKS * Number(PER_BLOCK) });

    const fresh = await createLogsDataset(ws, {
      alias: "fresh",
      nodeUrl: node.url,
      addresses: [token],
      signature: TRANSFER,
    });
    await createChainSource().pull(fresh);
    expect(keys).toEqual(await liveLogKeys(fresh));
    const values = await queryDataset(dataset, `SELECT event.value AS v FROM t ORDER BY "offset"`);
    expect(values.map((r) => Number(r.v))).toEqual(
      Array.from({ length: BLOCKS }, () => Array.from({ length: Number(PER_BLOCK) }, (_, i) => 1 + i)).flat(),
    );
  });
});
