import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import { type DeployContractReturnType, deployContract } from "./deployContract";

/** Oracle parameters (the Solidity `IOdfOracle.Config`); amounts in wei, durations in seconds. */
export type OracleConfig = {
  disabled: boolean;
  disputeWindow: number;
  minStake: bigint;
  slashAmount: bigint;
  requestFee: bigint;
  disputeBond: bigint;
  requestTimeout: number;
  maxCallbackGasLimit: number;
};

/** Defaults: no fee or stake (a local chain), 1 hour answer deadline and dispute window. */
export const defaultOracleConfig: OracleConfig = {
  disabled: false,
  disputeWindow: 3600,
  minStake: 0n,
  slashAmount: 0n,
  requestFee: 0n,
  disputeBond: 0n,
  requestTimeout: 3600,
  maxCallbackGasLimit: 2_000_000,
};

/** Parameters of `deployOracle`. */
export type DeployOracleParameters = {
  /** Owner (defaults to the deploying account). */
  owner?: Address;
  /** Dispute arbiter (defaults to the owner). */
  arbiter?: Address;
  /** Overrides of `defaultOracleConfig`. */
  config?: Partial<OracleConfig>;
};

/** Deploys `OdfOracle` and waits for it. */
export async function deployOracle(
  walletClient: WalletClient<Transport, Chain | undefined, Account>,
  publicClient: PublicClient,
  params: DeployOracleParameters = {},
): Promise<DeployContractReturnType & { config: OracleConfig }> {
  const owner = params.owner ?? walletClient.account.address;
  const config = { ...defaultOracleConfig, ...params.config };
  const deployed = await deployContract(walletClient, publicClient, {
    name: "OdfOracle",
    args: [owner, params.arbiter ?? owner, config],
  });
  return { ...deployed, config };
}
