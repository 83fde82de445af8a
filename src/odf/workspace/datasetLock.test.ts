import { spawn, spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { lockDataset, withDatasetLock } from "./datasetLock";
import { DatasetLockedError } from "./errors";

let dir: string;
let dataset: { alias: string; dir: string };
const lockFile = () => path.join(dir, ".lock");

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-lock-"));
  dataset = { alias: "sensors", dir };
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Start time field of /proc/<pid>/stat, as the lock records it. */
async function started(pid: number): Promise<string> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] as string;
}

async function writeLock(owner: object) {
  await fs.writeFile(lockFile(), JSON.stringify(owner));
}

describe("lockDataset", () => {
  test("holds a .lock file naming this process until released", async () => {
    const lock = await lockDataset(dataset, "ingest");
    const owner = JSON.parse(await fs.readFile(lockFile(), "utf8"));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), operation: "ingest" });
    expect(owner.started).toBe(await started(process.pid));
    await lock.release();
    await lock.release(); // idempotent
    await expect(fs.stat(lockFile())).rejects.toMatchObject({ code: "ENOENT" });
  });

  test("refuses a second writer of this process", async () => {
    const lock = await lockDataset(dataset, "ingest");
    await expect(lockDataset(dataset, "transform run")).rejects.toBeInstanceOf(DatasetLockedError);
    await lock.release();
    await (await lockDataset(dataset, "transform run")).release();
  });

  test("refuses while a live process of this host holds it, naming it", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      const pid = child.pid as number;
      await writeLock({ pid, host: hostname(), operation: "ingest", since: "2026-01-02T03:04:05Z" });
      // The child's start time may not be readable yet on a loaded machine: without it, the pid decides.
      const error = await lockDataset(dataset, "pull").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetLockedError);
      expect((error as DatasetLockedError).retryable).toBe(true);
      expect((error as Error).message).toBe(
        `Dataset sensors is being written by pid ${pid} on ${hostname()} (ingest, since 2026-01-02T03:04:05Z); nothing was changed`,
      );
      expect(JSON.parse(await fs.readFile(lockFile(), "utf8")).pid).toBe(pid);
    } finally {
      child.kill();
    }
  });

  test("takes over the lock of a process that no longer exists", async () => {
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    await writeLock({ pid: Number(gone.stdout), host: hostname(), operation: "ingest", since: "" });
    const lock = await lockDataset(dataset, "pull");
    expect(JSON.parse(await fs.readFile(lockFile(), "utf8"))).toMatchObject({ pid: process.pid, operation: "pull" });
    await lock.release();
  });

  test("takes over the lock of a killed process not reaped yet (a zombie)", async () => {
    // `sleep 0` exits at once, and its parent (exec'd into `sleep 5`) never reaps it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout?.once("data", (d) => resolve(String(d)))),
      );
      for (let i = 0; i < 100 && !(await fs.readFile(`/proc/${pid}/stat`, "utf8")).includes(") Z "); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await fs.readFile(`/proc/${pid}/stat`, "utf8")).toContain(") Z ");
      await writeLock({ pid, host: hostname(), operation: "ingest", since: "" });
      await (await lockDataset(dataset, "pull")).release();
    } finally {
      parent.kill();
    }
  });

  test("takes over a lock whose pid now belongs to another process (start time differs)", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      const pid = child.pid as number;
      await writeLock({ pid, host: hostname(), operation: "ingest", since: "", started: "1" });
      await (await lockDataset(dataset, "pull")).release();
    } finally {
      child.kill();
    }
  });

  test("takes over a lock left with this process's pid by an earlier run (pid reused, as in containers)", async () => {
    await writeLock({ pid: process.pid, host: hostname(), operation: "ingest", since: "" });
    await (await lockDataset(dataset, "pull")).release();
  });

  test("respects a lock of another host and an unreadable lock", async () => {
    await writeLock({ pid: 1, host: "elsewhere", operation: "ingest", since: "" });
    await expect(lockDataset(dataset, "pull")).rejects.toThrow(
      "Dataset sensors is being written by pid 1 on elsewhere (ingest); nothing was changed",
    );
    await fs.writeFile(lockFile(), "");
    await expect(lockDataset(dataset, "pull")).rejects.toThrow(
      "Dataset sensors is being written by another process; nothing was changed",
    );
  });
});

describe("withDatasetLock", () => {
  test("releases the lock when the operation throws", async () => {
    await expect(
      withDatasetLock(dataset, "ingest", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(fs.stat(lockFile())).rejects.toMatchObject({ code: "ENOENT" });
    expect(await withDatasetLock(dataset, "ingest", async () => 7)).toBe(7);
  });
});
