import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SliceReadError } from "./errors";
import { physicalHash } from "./physicalHash";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "odf-physical-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("physicalHash", () => {
  test("physicalHash: multihash 16 20 || SHA3-256 of the file bytes", async () => {
    const path = join(dir, "abc");
    await writeFile(path, "abc");
    expect(await physicalHash(path)).toBe("f16203a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  });
  test("physicalHash: streams files larger than one read", async () => {
    const data = new Uint8Array((1 << 20) + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const path = join(dir, "big");
    await writeFile(path, data);
    expect(await physicalHash(path)).toBe(`f1620${bytesToHex(sha3_256(data))}`);
  });
  test("physicalHash: large files are hashed on a worker thread with the same result", async () => {
    const data = Buffer.alloc((8 << 20) + 5, "odf-slice");
    const path = join(dir, "large");
    await writeFile(path, data);
    const expected = createHash("sha3-256").update(data).digest("hex");
    expect(await physicalHash(path)).toBe(`f1620${expected}`);
  });
  test("physicalHash: a missing file is a SliceReadError", async () => {
    const path = join(dir, "missing");
    await expect(physicalHash(path)).rejects.toBeInstanceOf(SliceReadError);
    await expect(physicalHash(path)).rejects.toThrow(`Cannot read data slice ${path}: no such file`);
  });
});
