import { readFileSync, statSync } from "node:fs";
import type { Hex, LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DisputeKeyError } from "./errors";

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;

export type LoadAccountParameters = {
  /** A key file (hex, mode 0600 or 0400); takes precedence over the environment. */
  keyFile?: string | undefined;
  /** Environment variable holding the key (e.g. `ODF_DISPUTER_KEY`). */
  envName: string;
  env?: Record<string, string | undefined>;
};

/**
 * Loads a secp256k1 account for disputing or arbitrating: from a key file that group and others
 * cannot read, or from an environment variable. The key is never printed.
 * @throws DisputeKeyError when no key is given, the file is too open, or the key is malformed.
 */
export function loadAccount(params: LoadAccountParameters): LocalAccount {
  let text: string;
  let from: string;
  if (params.keyFile !== undefined) {
    let mode: number;
    try {
      mode = statSync(params.keyFile).mode & 0o777;
      text = readFileSync(params.keyFile, "utf8").trim();
    } catch (error) {
      throw new DisputeKeyError(`cannot read key file ${params.keyFile}`, { cause: error });
    }
    if ((mode & 0o077) !== 0) {
      throw new DisputeKeyError(`key file ${params.keyFile} has mode ${mode.toString(8)}; it must be 0600`, {
        hints: [`chmod 600 ${params.keyFile}`],
      });
    }
    from = `key file ${params.keyFile}`;
  } else {
    const value = (params.env ?? process.env)[params.envName];
    if (value === undefined || value === "") {
      throw new DisputeKeyError(`no key: set ${params.envName} or pass --key-file`, {
        hints: [`export ${params.envName}=0x<64 hex digits>`],
      });
    }
    text = value.trim();
    from = `environment variable ${params.envName}`;
  }
  if (!KEY_RE.test(text)) throw new DisputeKeyError(`${from} does not hold 32 bytes of hex`);
  return privateKeyToAccount((text.startsWith("0x") ? text : `0x${text}`) as Hex);
}
