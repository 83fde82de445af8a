import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Abi, Hex } from "viem";
import { ArtifactNotFoundError } from "./errors";

/** ABI and creation bytecode of a compiled contract. */
export type ContractArtifact = { contractName: string; sourceName: string; abi: Abi; bytecode: Hex };

const cache = new Map<string, ContractArtifact>();

/** The project root: the nearest ancestor holding `hardhat.config.ts`. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "hardhat.config.ts"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new ArtifactNotFoundError("cannot find the project root (hardhat.config.ts)");
    dir = parent;
  }
  return dir;
}

function find(dir: string, file: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const hit = find(full, file);
      if (hit) return hit;
    } else if (entry.name === file) return full;
  }
  return undefined;
}

/**
 * Reads a compiled contract (`OdfOracle`, `SensorConsumer`, ...) from Hardhat's `artifacts/`.
 * @param name The contract name.
 * @param options.artifactsDir Defaults to `<project root>/artifacts`.
 * @throws ArtifactNotFoundError when the contracts were not compiled (`npx hardhat compile`).
 */
export function loadArtifact(name: string, options: { artifactsDir?: string } = {}): ContractArtifact {
  const dir = options.artifactsDir ?? path.join(projectRoot(), "artifacts");
  const key = `${dir}:${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = find(path.join(dir, "contracts"), `${name}.json`);
  if (!file) {
    throw new ArtifactNotFoundError(`no compiled artifact for contract ${name}`, {
      hints: ["run `npx hardhat compile` first"],
    });
  }
  const json = JSON.parse(readFileSync(file, "utf8")) as ContractArtifact;
  const artifact = {
    contractName: json.contractName,
    sourceName: json.sourceName,
    abi: json.abi,
    bytecode: json.bytecode,
  };
  cache.set(key, artifact);
  return artifact;
}
