import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { DisputeKeyError } from "./errors";
import { loadAccount } from "./loadAccount";

// Hardhat's account #0 (a public test key).
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

describe("loadAccount", () => {
  test("loadAccount: reads the key from the environment or a 0600 file", () => {
    expect(loadAccount({ envName: "K", env: { K: KEY } }).address).toBe(ADDRESS);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "odf-key-")), "key");
    writeFileSync(file, `${KEY.slice(2)}\n`);
    chmodSync(file, 0o600);
    expect(loadAccount({ keyFile: file, envName: "K", env: {} }).address).toBe(ADDRESS);
  });

  test("loadAccount: refuses a missing key, a group-readable file and malformed hex", () => {
    expect(() => loadAccount({ envName: "ODF_DISPUTER_KEY", env: {} })).toThrowErrorMatchingInlineSnapshot(
      `[DisputeKeyError: no key: set ODF_DISPUTER_KEY or pass --key-file]`,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), "odf-key-")), "key");
    writeFileSync(file, KEY);
    chmodSync(file, 0o644);
    expect(() => loadAccount({ keyFile: file, envName: "K" })).toThrow(/has mode 644; it must be 0600/);
    expect(() => loadAccount({ envName: "K", env: { K: "0x1234" } })).toThrow(DisputeKeyError);
  });
});
