import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openReplayer, type Replayer } from "../../src/dispute/openReplayer";
import { createWatchtower } from "../../src/dispute/watchtower";
import { ROOT } from "../harness/buildCli";
import { runCli } from "../harness/cli";
import { getFreePort } from "../harness/hardhatNode";
import { createTestWorkspace } from "../oracle/providerFixture";

const ORACLE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

// An RPC endpoint nobody listens on: every call is refused.
describe("dispute commands while the RPC endpoint is down", () => {
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let rpc: string;
  let replayer: Replayer;
  beforeAll(async () => {
    ws = await createTestWorkspace();
    rpc = `http://127.0.0.1:${await getFreePort()}`;
    replayer = await openReplayer(ws.workspaceDir);
  });
  afterAll(async () => {
    await replayer?.close();
    ws?.close();
  });

  const cli = (...args: string[]) =>
    runCli("-w", ws.workspaceDir, "dispute", ...args, "--oracle", ORACLE, "--rpc", rpc);
  const refused = () => `odf: RPC request to ${rpc}/ failed: connect ECONNREFUSED ${rpc.slice("http://".length)}\n`;

  test("dispute check, watch --once: one line naming the URL and the cause, exit 3", async () => {
    const checked = await cli("check", "1");
    expect(checked.stderr).toBe(refused());
    expect(checked.code).toBe(3);
    const watched = await cli("watch", "--once", "--no-dispute");
    expect(watched.stderr).toBe(refused());
    expect(watched.code).toBe(3);
    const usage = await runCli("-w", ws.workspaceDir, "dispute", "check", "1");
    expect(usage.code).toBe(3); // a usage error, not 1 (MISMATCH)
  });

  test("odf (built, npm run build): the same line, though the CLI loads a second copy of viem", () => {
    const args = ["-w", ws.workspaceDir, "dispute", "check", "1", "--oracle", ORACLE, "--rpc", rpc];
    const res = spawnSync(process.execPath, [path.join(ROOT, "bin", "odf"), ...args], { encoding: "utf8" });
    expect(res.stderr).toBe(refused());
    expect(res.status).toBe(3);
  });

  test("dispute watch: warns on stderr when a poll fails, once per 30 s however often it polls", async () => {
    const others = process.listeners("SIGINT").length;
    const running = cli("watch", "--no-dispute", "--poll-interval", "20");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.listeners("SIGINT")).toHaveLength(others + 1);
    process.emit("SIGINT");
    const res = await running;
    expect(res.code).toBe(0);
    const failed = refused().slice("odf: ".length, -1);
    expect(res.stderr).toBe(
      [
        `odf dispute watch: checking answers of ${ORACLE}`,
        `odf dispute watch: poll failed (error: ${failed}, failures: 1)`,
        "odf dispute watch: stopped",
        "",
      ].join("\n"),
    );
  });

  test("watchtower: the cursor gauge starts at the saved cursor, before any poll", async () => {
    const cursorFile = path.join(mkdtempSync(path.join(tmpdir(), "odf-tower-")), "cursor.json");
    writeFileSync(cursorFile, `${JSON.stringify({ oracle: ORACLE, block: "294" })}\n`);
    const tower = createWatchtower({
      client: createPublicClient({ transport: http(rpc, { retryCount: 0 }) }),
      oracle: ORACLE,
      replay: replayer,
      cursorFile,
    });
    expect(await tower.metrics.registry.metrics()).toContain("odf_watchtower_cursor_block 294");
    await expect(tower.poll()).rejects.toThrowError(refused().slice("odf: ".length, -1));
  });
});
