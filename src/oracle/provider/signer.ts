import { readFileSync, statSync } from "node:fs";
import type { Address, Hex, TransactionSerializable, TypedDataDefinition } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ProviderConfig } from "./config";
import { ProviderKeyError } from "./errors";

/**
 * What the provider signs with: transactions and EIP-712 attestations. A viem local account
 * implements it; a remote signer (KMS, HSM, web3signer) can be plugged in by implementing the same.
 */
export type ProviderSigner = {
  readonly address: Address;
  signTransaction(transaction: TransactionSerializable): Promise<Hex>;
  signTypedData(definition: TypedDataDefinition): Promise<Hex>;
};

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;

/** A signer holding a secp256k1 private key in memory (the key itself is never logged). */
export function createLocalSigner(privateKey: string): ProviderSigner {
  const text = privateKey.trim();
  if (!KEY_RE.test(text)) throw new ProviderKeyError("expected 32 bytes of hex (64 hex digits, optional 0x)");
  const account = privateKeyToAccount((text.startsWith("0x") ? text : `0x${text}`) as Hex);
  return {
    address: account.address,
    signTransaction: (tx) => account.signTransaction(tx),
    signTypedData: (definition) => account.signTypedData(definition as Parameters<typeof account.signTypedData>[0]),
  };
}

/**
 * Loads the signing key named by the config: from the environment variable `key.env`, or from the
 * file `key.file`, which must not be readable or writable by group or others (mode 0600 or 0400).
 */
export function loadSigner(
  key: ProviderConfig["key"],
  env: Record<string, string | undefined> = process.env,
): ProviderSigner {
  if (key.file !== undefined) {
    let mode: number;
    try {
      mode = statSync(key.file).mode & 0o777;
    } catch (error) {
      throw new ProviderKeyError(`cannot read key file ${key.file}`, { cause: error });
    }
    if ((mode & 0o077) !== 0) {
      throw new ProviderKeyError(`key file ${key.file} has mode ${mode.toString(8)}; it must be 0600`, {
        hints: [`chmod 600 ${key.file}`],
      });
    }
    return createLocalSigner(readFileSync(key.file, "utf8"));
  }
  const name = key.env ?? "ODF_PROVIDER_PRIVATE_KEY";
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ProviderKeyError(`environment variable ${name} is not set`, {
      hints: [`export ${name}=0x<64 hex digits>, or set key.file in the config`],
    });
  }
  return createLocalSigner(value);
}
