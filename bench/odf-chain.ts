import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFileHasher } from "../src/odf/verify/fileHasher";
import { verifyDataset } from "../src/odf/verify/verifyDataset";
import { initWorkspace } from "../src/odf/workspace/workspace";
import { type Figure, percentile, report } from "./lib/report";

const ROOT = path.resolve(__dirname, "..", "..");

/** Median whole-process wall time of a CLI command, in milliseconds. */
function timeCli(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [path.join(ROOT, "bin", "odf"), ...args], { stdio: "ignore" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return percentile(times, 50);
}

/**
 * `npm run bench -- odf-chain [blocks]`: appends N small blocks (each one's block file and head ref
 * written and fsynced), then verifies and iterates the chain, and times `odf log --limit 10` and
 * `odf verify` as whole processes.
 */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 10_000);
  const dir = await mkdtemp(path.join(tmpdir(), "odf-bench-chain-"));
  try {
    const figures: Figure[] = [];
    for (const fsync of [true, false]) {
      const ws = await initWorkspace(path.join(dir, fsync ? "durable" : "nosync"), { fsync });
      const ds = await ws.create({ alias: "chain", kind: "Root" });
      const start = performance.now();
      for (let i = 1; i < n; i++) {
        await ds.chain.append({
          kind: "AddData",
          newSourceState: { sourceName: "default", kind: "odf/etag", value: String(i) },
        });
      }
      const seconds = (performance.now() - start) / 1000;
      figures.push({
        name: fsync ? "appendBlocksPerSecFsync" : "appendBlocksPerSecNoFsync",
        value: (n - 1) / seconds,
        unit: "blocks/s",
      });
      if (!fsync) continue;

      const verifyStart = performance.now();
      const hasher = await createFileHasher();
      const fresh = await (await initWorkspace(ws.dir)).open("chain");
      const result = await verifyDataset(fresh.chain, { hasher });
      await hasher.close();
      if (!result.ok || result.blocks !== n)
        throw new Error(`verification failed: ${JSON.stringify(result.problems.slice(0, 3))}`);
      figures.push({
        name: "verifyBlocksPerSec",
        value: n / ((performance.now() - verifyStart) / 1000),
        unit: "blocks/s",
      });

      const iterStart = performance.now();
      let count = 0;
      for await (const _ of fresh.chain.iterate()) count++;
      if (count !== n) throw new Error(`iterated ${count} blocks, expected ${n}`);
      figures.push({
        name: "iterateBlocksPerSec",
        value: n / ((performance.now() - iterStart) / 1000),
        unit: "blocks/s",
      });

      figures.push({
        name: "logLimit10Ms",
        value: timeCli(["--workspace", ws.dir, "log", "chain", "--limit", "10"], 10),
        unit: "ms",
        note: "whole process, median of 10",
      });
      figures.push({
        name: "verifyCliMs",
        value: timeCli(["--workspace", ws.dir, "verify", "chain"], 3),
        unit: "ms",
        note: `whole process, ${n} blocks, median of 3`,
      });
      figures.push({ name: "cliHelpMs", value: timeCli(["--help"], 10), unit: "ms", note: "node start-up + CLI load" });
    }
    report("odf-chain", figures, { blocks: n });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
