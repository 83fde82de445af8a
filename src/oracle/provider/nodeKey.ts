import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hexToBytes } from "viem";
import { type NodeKey, nodeKeyFromSecret } from "../../query/proof";
import { ProviderKeyError } from "./errors";

/**
 * Loads the ed25519 node key that signs `/query` commitments (a file holding the 32-byte seed as
 * hex), creating it with mode 0600 when missing. A file readable by group or others is refused.
 */
export function loadOrCreateNodeKey(file: string): NodeKey {
  let text: string;
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ProviderKeyError(`node key file ${file} has mode ${mode.toString(8)}; it must be 0600`, {
        hints: [`chmod 600 ${file}`],
      });
    }
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    text = `0x${randomBytes(32).toString("hex")}`;
    writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  }
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) throw new ProviderKeyError(`node key file ${file} must hold 64 hex digits`);
  return nodeKeyFromSecret(hexToBytes((text.startsWith("0x") ? text : `0x${text}`) as `0x${string}`));
}
