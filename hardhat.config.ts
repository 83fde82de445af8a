import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import { subtask } from "hardhat/config";
import type { HardhatUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-toolbox-viem";

/** The compiler ships inside the `solc` npm package; it is pinned to this exact version. */
const SOLC_VERSION = "0.8.28";

// No compiler can be downloaded on our machines: point Hardhat at solc-js from node_modules.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const solcPkg = require("solc/package.json") as { version: string };
  if (solcPkg.version !== SOLC_VERSION) {
    throw new Error(`solc npm package is ${solcPkg.version}, expected ${SOLC_VERSION}`);
  }
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 10_000 }, viaIR: false, evmVersion: "cancun" },
  },
  paths: { sources: "./contracts", tests: "./test/contracts", cache: "./cache", artifacts: "./artifacts" },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.ODF_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
  },
};

export default config;
