import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { NodeKeyError } from "../query/errors";
import { loadOrCreateNodeKey } from "./nodeKeyFile";

const dir = mkdtempSync(path.join(tmpdir(), "odf-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadOrCreateNodeKey", () => {
  test("loadOrCreateNodeKey: creates a 0600 key once, then loads the same key", async () => {
    const file = path.join(dir, "ws", "node-key.json");
    const first = await loadOrCreateNodeKey(file);
    expect(first.created).toBe(true);
    expect(first.key.did).toMatch(/^did:key:z6Mk/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateNodeKey(file);
    expect(second).toMatchObject({ created: false, key: { did: first.key.did } });
  });

  test("loadOrCreateNodeKey: refuses a key file others can read, or a malformed one", async () => {
    const file = path.join(dir, "open.json");
    await loadOrCreateNodeKey(file);
    chmodSync(file, 0o644);
    await expect(loadOrCreateNodeKey(file)).rejects.toThrow(NodeKeyError);
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{}", { mode: 0o600 });
    await expect(loadOrCreateNodeKey(bad)).rejects.toThrow(/not a node key file/);
  });
});
