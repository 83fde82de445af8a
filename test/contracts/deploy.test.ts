import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deploy, main } from "../../scripts/deploy";
import { DeployConfigError } from "../../src/oracle/contracts/errors";
import { loadArtifact } from "../../src/oracle/contracts/loadArtifact";
import { type HardhatNode, startHardhatNode } from "../harness/hardhatNode";

let node: HardhatNode;
let outDir: string;

beforeAll(async () => {
  node = await startHardhatNode();
  outDir = mkdtempSync(path.join(tmpdir(), "odf-deploy-"));
});
afterAll(async () => {
  await node?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

describe("deploy script", () => {
  test("deploy: oracle and examples on a hardhat node, addresses in deployments/<chainId>.json", async () => {
    const result = await deploy({ network: "local", rpc: node.url, examples: true, fee: "5", outDir });
    const written = JSON.parse(readFileSync(path.join(outDir, "31337.json"), "utf8"));
    expect(written.chainId).toBe(31337);
    expect(written.oracle.address).toBe(result.oracle.address);
    expect(written.oracle.config.requestFee).toBe("5");
    const client = createPublicClient({ transport: http(node.url) });
    const { abi } = loadArtifact("OdfOracle");
    expect(
      await client.readContract({ address: result.oracle.address as `0x${string}`, abi, functionName: "requestFee" }),
    ).toBe(5n);
    const sensor = written.examples.SensorConsumer.address as `0x${string}`;
    const sensorAbi = loadArtifact("SensorConsumer").abi;
    expect(await client.readContract({ address: sensor, abi: sensorAbi, functionName: "oracle" })).toBe(
      result.oracle.address,
    );
    expect(await client.getCode({ address: written.examples.ParametricInsurance.address })).toMatch(/^0x6080/);
  });

  test("main: parses --network/--rpc/--examples like `npm run deploy`", async () => {
    const dir = path.join(outDir, "cli");
    await main([
      ...["node", "deploy", "--network", "local", "--rpc", node.url, "--out-dir", dir],
      ...["--min-stake", "100", "--slash-amount", "40", "--dispute-bond", "7", "--dispute-window", "60"],
    ]);
    const written = JSON.parse(readFileSync(path.join(dir, "31337.json"), "utf8"));
    expect(written.examples).toBeUndefined();
    expect(written.oracle.config).toMatchObject({
      minStake: "100",
      slashAmount: "40",
      disputeBond: "7",
      disputeWindow: 60,
    });
    expect(written.oracle.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  test("deploy: unknown network and bad options are DeployConfigErrors", async () => {
    await expect(deploy({ network: "mainnet", outDir })).rejects.toThrow(DeployConfigError);
    await expect(deploy({ network: "mainnet", outDir })).rejects.toThrow('unknown network "mainnet"');
    await expect(deploy({ network: "local", rpc: node.url, datasetId: "did:odf:x", outDir })).rejects.toThrow(
      "invalid option datasetId: expected did:odf:fed01<64 hex>",
    );
  });
});
