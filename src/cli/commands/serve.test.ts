import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { captureOutput, runCli } from "../../../test/harness/cli";
import { initWorkspace } from "../../odf/workspace/workspace";
import { main } from "../main";

let dir: string;
let wsDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "odf-serve-cli-"));
  wsDir = path.join(dir, ".odf");
  await initWorkspace(wsDir, { fsync: false });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("odf serve", () => {
  test("listens on a free port, answers /query with floats kept as floats, stops on SIGTERM", async () => {
    const out = captureOutput();
    const exit = main(["node", "odf", "--workspace", wsDir, "serve", "--port", "0", "--log-level", "silent"], out);
    let url: string | undefined;
    for (let i = 0; i < 200 && url === undefined; i++) {
      url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stdout)?.[1];
      if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(url).toBeDefined();
    expect(out.stdout).toMatch(/^created node key did:key:z\S+ in .*node-key\.json\n/);
    const res = await fetch(`${url}/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "SELECT 2.0::DOUBLE AS x, 3 AS n" }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"output":{"data":[{"x":2.0,"n":3}],"dataFormat":"JsonAoS"}');
    process.emit("SIGTERM");
    expect(await exit).toBe(0);
    expect(out.stdout.endsWith("odf serve: stopped\n")).toBe(true);
    await expect(fetch(`${url}/query`)).rejects.toThrow();
  });

  test("a bad --port is refused before anything starts", async () => {
    const run = await runCli("--workspace", wsDir, "serve", "--port", "70000");
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(""); // commander reports the option on process.stderr
  });
});
