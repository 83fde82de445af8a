import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { hexToBytes } from "@noble/hashes/utils.js";
import { z } from "zod";
import { NodeKeyError } from "../query/errors";
import { type NodeKey, nodeKeyFromSecret } from "../query/proof";

/** File name of the node key inside a workspace. */
export const NODE_KEY_FILE = "node-key.json";

const keyFileSchema = z.strictObject({
  kind: z.literal("ed25519"),
  secretKeyHex: z.string().regex(/^[0-9a-f]{64}$/),
  did: z.string(),
});

/** Result of `loadOrCreateNodeKey`. */
export type LoadNodeKeyReturnType = { key: NodeKey; created: boolean };

/**
 * Loads the node's signing key from `file`, or creates it (32 random bytes, written once with
 * mode 0600 and `O_EXCL`, so two processes starting together keep one key). The file is JSON:
 * `{kind: "ed25519", secretKeyHex, did}`. Throws `NodeKeyError` for a file that is unreadable,
 * malformed, readable by others, or whose `did` does not match its secret.
 */
export async function loadOrCreateNodeKey(file: string): Promise<LoadNodeKeyReturnType> {
  try {
    return { key: await readKeyFile(file), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = nodeKeyFromSecret(new Uint8Array(randomBytes(32)));
  const text = `${JSON.stringify({ kind: "ed25519", secretKeyHex: Buffer.from(key.secretKey).toString("hex"), did: key.did }, null, 2)}\n`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await fs.writeFile(file, text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { key: await readKeyFile(file), created: false };
    throw new NodeKeyError({ path: file, reason: (error as Error).message, cause: error });
  }
  return { key, created: true };
}

async function readKeyFile(file: string): Promise<NodeKey> {
  const stat = await fs.stat(file);
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    throw new NodeKeyError({
      path: file,
      reason: `mode ${(stat.mode & 0o777).toString(8)} lets others read it`,
      hints: [`chmod 600 ${file}`],
    });
  }
  let parsed: z.infer<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(await fs.readFile(file, "utf8")));
  } catch (cause) {
    throw new NodeKeyError({ path: file, reason: "not a node key file (expected kind, secretKeyHex, did)", cause });
  }
  const key = nodeKeyFromSecret(hexToBytes(parsed.secretKeyHex));
  if (key.did !== parsed.did)
    throw new NodeKeyError({ path: file, reason: `did ${parsed.did} does not match the secret key` });
  return key;
}
