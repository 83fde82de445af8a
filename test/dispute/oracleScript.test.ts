import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deploy } from "../../scripts/deploy";
import { main, readLatest } from "../../scripts/oracle";
import type { ProviderNode } from "../../src/oracle/provider/startProviderNode";
import { type HardhatNode, startHardhatNode } from "../harness/hardhatNode";
import { createTestWorkspace, hardhatKey, startTestProvider, waitFor } from "../oracle/providerFixture";

// The README's path for a newcomer: deploy -> add-provider -> stake -> request -> a provider answers.
describe("scripts/oracle.ts after npm run deploy", () => {
  let node: HardhatNode;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let outDir: string;
  let provider: ProviderNode | undefined;
  beforeAll(async () => {
    [node, ws] = await Promise.all([startHardhatNode(), createTestWorkspace("sensor")]);
    outDir = mkdtempSync(path.join(tmpdir(), "odf-oracle-script-"));
  });
  afterAll(async () => {
    await provider?.stop();
    await node?.stop();
    ws?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  test("oracle: add-provider, stake, request; the provider answers the SensorConsumer", async () => {
    const deployed = await deploy({
      ...{ network: "localhost", rpc: node.url, examples: true, datasetId: ws.datasetId, outDir },
      ...{ fee: "5", minStake: "1000", slashAmount: "500", disputeBond: "10" },
    });
    const key = hardhatKey(1);
    const address = privateKeyToAccount(key).address;
    let printed = "";
    const run = (...args: string[]) =>
      main(["node", "oracle", ...args, "--rpc", node.url, "--deployment", deployed.file], (t) => {
        printed += t;
      });
    const saved = process.env.ODF_PROVIDER_PRIVATE_KEY;
    process.env.ODF_PROVIDER_PRIVATE_KEY = key;
    try {
      await run("add-provider", address);
      await run("stake", "1000");
      await run("request");
    } finally {
      if (saved === undefined) delete process.env.ODF_PROVIDER_PRIVATE_KEY;
      else process.env.ODF_PROVIDER_PRIVATE_KEY = saved;
    }
    expect(printed).toBe(
      `provider ${address} authorized (stake 0 wei)\nstake now 1000 wei (authorized: true)\nrequest 1 sent\n`,
    );
    provider = await startTestProvider({
      rpcUrl: node.url,
      oracle: deployed.oracle.address as `0x${string}`,
      workspaceDir: ws.workspaceDir,
      key,
    });
    const opts = { rpc: node.url, deployment: deployed.file };
    const latest = await waitFor(async () => {
      const r = await readLatest(opts);
      return r.requestId === 1n ? r : undefined;
    });
    expect(latest).toEqual({ value: 6_000_000n, requestId: 1n, status: "Fulfilled" });
  });
});
