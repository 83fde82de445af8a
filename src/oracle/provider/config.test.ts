import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadProviderConfig, parseProviderConfig } from "./config";
import { ProviderConfigError, ProviderKeyError } from "./errors";
import { loadSigner } from "./signer";

const dir = mkdtempSync(path.join(tmpdir(), "odf-provider-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  rpcUrl: "http://127.0.0.1:8545",
  chainId: 31337,
  oracleAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  workspace: "ws",
};
// Hardhat's account #1 (a well-known test key).
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

describe("provider config", () => {
  test("parseProviderConfig: applies defaults, resolves paths against the config's directory", () => {
    const config = parseProviderConfig(base, { baseDir: "/srv/odf" });
    expect(config).toMatchObject({
      rpcUrls: ["http://127.0.0.1:8545"],
      confirmations: 0,
      rescanBlocks: 32,
      workspace: "/srv/odf/ws",
      unknownDatasetGraceSeconds: null,
      key: { env: "ODF_PROVIDER_PRIVATE_KEY" },
      limits: { maxRows: 1000, maxResultBytes: 65536 },
      signedResults: true,
    });
  });

  test("parseProviderConfig: environment variables override the file", () => {
    const config = parseProviderConfig(base, {
      env: {
        ODF_PROVIDER_RPC_URL: "http://a:1, http://b:2",
        ODF_PROVIDER_CONFIRMATIONS: "3",
        ODF_PROVIDER_HTTP_PORT: "9000",
        ODF_PROVIDER_KEY_FILE: "/keys/p.key",
      },
    });
    expect(config.rpcUrls).toEqual(["http://a:1", "http://b:2"]);
    expect(config.confirmations).toBe(3);
    expect(config.http.port).toBe(9000);
    expect(config.key).toEqual({ file: "/keys/p.key" });
  });

  test("parseProviderConfig: errors name the key and the bad value", () => {
    expect(() => parseProviderConfig({ ...base, confirmations: -1 })).toThrowError(ProviderConfigError);
    expect(() => parseProviderConfig({ ...base, confirmations: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[ProviderConfigError: Invalid provider config: confirmations: Too small: expected number to be >=0 (got -1)]`,
    );
    expect(() => parseProviderConfig({ ...base, oracleAddres: "0x" })).toThrowError(/Unrecognized key.*oracleAddres/);
    expect(() => parseProviderConfig(base, { env: { ODF_PROVIDER_CHAIN_ID: "mainnet" } })).toThrowError(
      'ODF_PROVIDER_CHAIN_ID="mainnet" is not a number',
    );
  });

  test("loadProviderConfig: reads YAML", () => {
    const file = path.join(dir, "provider.yaml");
    writeFileSync(file, `rpcUrls: [http://x:1]\nchainId: 5\noracleAddress: "${base.oracleAddress}"\nworkspace: w\n`);
    expect(loadProviderConfig(file, {})).toMatchObject({ chainId: 5, workspace: path.join(dir, "w") });
  });

  test("loadSigner: from the environment, or a key file that must be 0600", () => {
    expect(loadSigner({ env: "K" }, { K: KEY }).address).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(() => loadSigner({ env: "K" }, {})).toThrowError(ProviderKeyError);
    const open = path.join(dir, "open.key");
    writeFileSync(open, KEY, { mode: 0o644 });
    expect(() => loadSigner({ file: open })).toThrowError(/mode 644; it must be 0600/);
    const closed = path.join(dir, "closed.key");
    writeFileSync(closed, `${KEY}\n`, { mode: 0o600 });
    expect(loadSigner({ file: closed }).address).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(() => loadSigner({ env: "K" }, { K: "0x1234" })).toThrowError(/expected 32 bytes of hex/);
  });
});
