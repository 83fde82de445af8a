import { type Account, type Address, type Chain, type Hex, keccak256, type Transport, type WalletClient } from "viem";

/** Parameters of `resultTypedData` and `signResult`. */
export type SignResultParameters = {
  /** The oracle contract (EIP-712 verifying contract). */
  oracle: Address;
  /** The chain the oracle lives on. */
  chainId: number;
  requestId: bigint;
  /** The request bytes from `SendRequest`. */
  request: Hex;
  /** The response bytes to submit. */
  response: Hex;
};

/**
 * The EIP-712 typed data a provider signs for `provideSignedResult`: domain `OdfOracle` v1 bound to
 * the chain and contract, message `OdfResult(requestId, keccak256(request), keccak256(response))`.
 */
export function resultTypedData(params: SignResultParameters) {
  return {
    domain: { name: "OdfOracle", version: "1", chainId: params.chainId, verifyingContract: params.oracle },
    types: {
      OdfResult: [
        { name: "requestId", type: "uint64" },
        { name: "requestHash", type: "bytes32" },
        { name: "responseHash", type: "bytes32" },
      ],
    },
    primaryType: "OdfResult",
    message: {
      requestId: params.requestId,
      requestHash: keccak256(params.request),
      responseHash: keccak256(params.response),
    },
  } as const;
}

/** Signs an answer so that anyone can relay it with `provideSignedResult`. */
export async function signResult(
  walletClient: WalletClient<Transport, Chain | undefined, Account>,
  params: SignResultParameters,
): Promise<Hex> {
  return walletClient.signTypedData({ account: walletClient.account, ...resultTypedData(params) });
}
