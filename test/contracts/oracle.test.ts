import {
  type Address,
  encodeErrorResult,
  encodeFunctionData,
  type Hex,
  hashTypedData,
  keccak256,
  parseEventLogs,
  type TransactionReceipt,
  toFunctionSelector,
} from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { encodeRequest } from "../../src/oracle/codec/encodeRequest";
import { type EncodableValue, encodeResponse } from "../../src/oracle/codec/encodeResponse";
import { deployOracle, type OracleConfig } from "../../src/oracle/contracts/deployOracle";
import { fulfilmentGasLimit } from "../../src/oracle/contracts/fulfilmentGasLimit";
import { resultTypedData, signResult } from "../../src/oracle/contracts/signResult";
import { expectRevert, startChain, type TestChain, toHex, type Wallet } from "./fixture";

const DID = "did:odf:fed014895afeb476d5d94c1af0668f30ab661c8561760bba6744e43225ba52e099595" as const;
const HASH = `f1620${"ab".repeat(32)}`;
const REQUEST = toHex(encodeRequest({ datasets: [{ alias: "t", id: DID }], sql: "select value from t" }));
const FEE = 1000n;
const BOND = 5000n;
const SLASH = 7000n;
const MIN_STAKE = 10_000n;
const STAKE = 20_000n;
const CONFIG: OracleConfig = {
  disabled: false,
  disputeWindow: 300,
  minStake: MIN_STAKE,
  slashAmount: SLASH,
  requestFee: FEE,
  disputeBond: BOND,
  requestTimeout: 600,
  maxCallbackGasLimit: 500_000,
};
const Status = { None: 0, Pending: 1, Fulfilled: 2, Disputed: 3, Final: 4, Overturned: 5, Cancelled: 6 } as const;
const Mode = { Store: 0, Revert: 1, BurnGas: 2, HugeRevert: 3, Reenter: 4 } as const;

const ok = (rows: EncodableValue[][]) =>
  toHex(encodeResponse({ ok: true, rows, state: [{ datasetId: DID, blockHash: HASH }] }));
const ANSWER = ok([[21.5, 1n]]);
const ERROR_ANSWER = toHex(encodeResponse({ ok: false, errorMessage: "Invalid SQL" }));

let c: TestChain;
let owner: Wallet;
let provider: Wallet;
let arbiter: Wallet;
let relayer: Wallet;
let stranger: Wallet;
let oracle: Address;
let consumer: Address;
let snapshot: Hex;

function events(receipt: TransactionReceipt, eventName: string) {
  return parseEventLogs({ abi: c.abi, logs: receipt.logs, eventName }) as unknown as {
    args: Record<string, unknown>;
  }[];
}

async function sendRequest(gasLimit = 200_000): Promise<bigint> {
  const receipt = await c.send(relayer, consumer, "request", [REQUEST, gasLimit], { value: FEE });
  return (events(receipt, "SendRequest")[0]?.args.requestId as bigint) ?? 0n;
}

async function signAnswer(
  signer: Wallet,
  requestId: bigint,
  response: Hex,
  domain: { chainId?: number; verifyingContract?: Address } = {},
) {
  return signResult(signer, {
    oracle: domain.verifyingContract ?? oracle,
    chainId: domain.chainId ?? 31337,
    requestId,
    request: REQUEST,
    response,
  });
}

beforeAll(async () => {
  c = await startChain();
  [owner, provider, arbiter, relayer, stranger] = c.wallets as [Wallet, Wallet, Wallet, Wallet, Wallet];
  const deployed = await deployOracle(owner, c.publicClient, { arbiter: arbiter.account.address, config: CONFIG });
  oracle = deployed.address;
  await c.send(owner, oracle, "addProvider", [provider.account.address]);
  await c.send(provider, oracle, "depositStake", [], { value: STAKE });
  consumer = await c.deploy(owner, "TestConsumer", [oracle]);
});
afterAll(async () => {
  await c?.node.stop();
});
beforeEach(async () => {
  snapshot = await c.testClient.snapshot();
});
afterEach(async () => {
  await c.testClient.revert({ id: snapshot });
});

describe("requests", () => {
  test("sendRequest: sequential ids from 1, v1 event, fee escrowed", async () => {
    const before = await c.balance(oracle);
    const receipt = await c.send(relayer, consumer, "request", [REQUEST, 200_000], { value: FEE });
    expect(events(receipt, "SendRequest")[0]?.args).toEqual({
      requestId: 1n,
      consumerAddr: consumer,
      request: REQUEST,
    });
    expect(await sendRequest()).toBe(2n);
    expect(await c.balance(oracle)).toBe(before + 2n * FEE);
    expect(await c.read(oracle, "lastRequestId")).toBe(2n);
    expect(await c.read(oracle, "requestStatus", [1n])).toBe(Status.Pending);
    const req = await c.read<{ consumer: Address; fee: bigint; commitment: Hex; callbackGasLimit: number }>(
      oracle,
      "getRequest",
      [1n],
    );
    expect(req).toMatchObject({ consumer, fee: FEE, commitment: keccak256(REQUEST), callbackGasLimit: 200_000 });
  });

  test("sendRequest: exact fee, bounded callback gas, disabled switch", async () => {
    await expectRevert(
      c.send(relayer, consumer, "request", [REQUEST, 1], { value: FEE - 1n }),
      "OdfOracleIncorrectFee",
      [FEE, FEE - 1n],
    );
    await expectRevert(
      c.send(relayer, consumer, "request", [REQUEST, 500_001], { value: FEE }),
      "OdfOracleCallbackGasLimitTooHigh",
      [500_001n, 500_000n],
    );
    await c.send(owner, oracle, "setDisabled", [true]);
    await expectRevert(c.send(relayer, consumer, "request", [REQUEST, 1], { value: FEE }), "ContractDisabled");
  });

  test("requestStatus: unknown ids revert RequestNotFound", async () => {
    await expectRevert(c.read(oracle, "requestStatus", [9n]), "RequestNotFound", [9n]);
  });
});

describe("provideResult", () => {
  test("provideResult: calls back, records the commitment and provider, credits the fee, emits the v1 event", async () => {
    const id = await sendRequest();
    const receipt = await c.send(provider, oracle, "provideResult", [id, ANSWER]);
    expect(events(receipt, "ProvideResult")[0]?.args).toEqual({
      requestId: id,
      consumerAddr: consumer,
      providerAddr: provider.account.address,
      response: ANSWER,
      requestError: false,
      consumerError: false,
      consumerErrorData: "0x",
    });
    expect(await c.read(consumer, "lastRequestId")).toBe(id);
    expect(await c.read(consumer, "lastRecordCount")).toBe(1n);
    expect(await c.read(consumer, "lastResponseHash")).toBe(keccak256(ANSWER));
    const req = await c.read<{ provider: Address; commitment: Hex }>(oracle, "getRequest", [id]);
    expect(req.provider).toBe(provider.account.address);
    expect(req.commitment).toBe(keccak256(ANSWER));
    expect(await c.read(oracle, "withdrawableOf", [provider.account.address])).toBe(FEE);
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Fulfilled);
  });

  test("provideResult: first answer wins; a second one reverts RequestNotFound", async () => {
    const id = await sendRequest();
    await c.send(provider, oracle, "provideResult", [id, ANSWER]);
    await expectRevert(c.send(provider, oracle, "provideResult", [id, ANSWER]), "RequestNotFound", [id]);
    await expectRevert(c.send(provider, oracle, "provideResult", [99n, ANSWER]), "RequestNotFound", [99n]);
  });

  test("provideResult: error responses are reported as requestError", async () => {
    const id = await sendRequest();
    const receipt = await c.send(provider, oracle, "provideResult", [id, ERROR_ANSWER]);
    expect(events(receipt, "ProvideResult")[0]?.args.requestError).toBe(true);
  });

  test("provideResult: rejects strangers, unstaked providers, malformed and late answers", async () => {
    const id = await sendRequest();
    await expectRevert(c.send(stranger, oracle, "provideResult", [id, ANSWER]), "UnauthorizedProvider", [
      stranger.account.address,
    ]);
    await c.send(owner, oracle, "addProvider", [stranger.account.address]);
    expect(await c.read(oracle, "canProvideResults", [stranger.account.address])).toBe(false);
    await expectRevert(c.send(stranger, oracle, "provideResult", [id, ANSWER]), "UnauthorizedProvider");
    await expectRevert(c.send(provider, oracle, "provideResult", [id, "0x8301f5"]), "OdfOracleMalformedResponse", [id]);
    await c.send(owner, oracle, "setDisabled", [true]);
    await expectRevert(c.send(provider, oracle, "provideResult", [id, ANSWER]), "ContractDisabled");
    await c.send(owner, oracle, "setDisabled", [false]);
    await c.advance(601);
    await expectRevert(c.send(provider, oracle, "provideResult", [id, ANSWER]), "OdfOracleRequestExpired");
  });

  test("provideResult: a reverting consumer never reverts the fulfilment", async () => {
    await c.send(owner, consumer, "setMode", [Mode.Revert, "0x"]);
    const id = await sendRequest();
    const receipt = await c.send(provider, oracle, "provideResult", [id, ANSWER], { gas: 1_000_000n });
    const args = events(receipt, "ProvideResult")[0]?.args;
    expect(args?.consumerError).toBe(true);
    expect(args?.consumerErrorData).toBe(
      encodeErrorResult({ abi: c.abi, errorName: "TestConsumerRevert", args: [id] }),
    );
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Fulfilled);
  });

  test("provideResult: a consumer burning all its gas gets exactly its limit and the fulfilment completes", async () => {
    await c.send(owner, consumer, "setMode", [Mode.BurnGas, "0x"]);
    const id = await sendRequest(300_000);
    const gas = fulfilmentGasLimit({ callbackGasLimit: 300_000, responseLength: (ANSWER.length - 2) / 2 });
    const receipt = await c.send(provider, oracle, "provideResult", [id, ANSWER], { gas });
    expect(events(receipt, "ProvideResult")[0]?.args.consumerError).toBe(true);
    // the callback consumed its whole limit, not the transaction's gas
    expect(receipt.gasUsed).toBeGreaterThan(300_000n);
    expect(receipt.gasUsed).toBeLessThan(400_000n);
  });

  test("provideResult: too little transaction gas for the callback limit reverts up front", async () => {
    const id = await sendRequest(300_000);
    const simulate = (gas: bigint) =>
      c.publicClient.simulateContract({
        address: oracle,
        abi: c.abi,
        functionName: "provideResult",
        args: [id, ANSWER],
        account: provider.account,
        gas,
      });
    await expectRevert(simulate(250_000n), "OdfOracleInsufficientGas");
    await simulate(fulfilmentGasLimit({ callbackGasLimit: 300_000, responseLength: (ANSWER.length - 2) / 2 }));
  });

  test("provideResult: huge revert data is truncated to 256 bytes", async () => {
    await c.send(owner, consumer, "setMode", [Mode.HugeRevert, "0x"]);
    const id = await sendRequest(400_000);
    const receipt = await c.send(provider, oracle, "provideResult", [id, ANSWER], { gas: 1_000_000n });
    const args = events(receipt, "ProvideResult")[0]?.args;
    expect(args?.consumerError).toBe(true);
    expect((String(args?.consumerErrorData ?? "0x").length - 2) / 2).toBe(256);
    expect(receipt.gasUsed).toBeLessThan(300_000n);
  });

  test("provideResult: a consumer re-entering the oracle cannot answer twice", async () => {
    const id = await sendRequest();
    const reenter = encodeFunctionData({ abi: c.abi, functionName: "provideResult", args: [id, ANSWER] });
    await c.send(owner, consumer, "setMode", [Mode.Reenter, reenter]);
    await c.send(owner, oracle, "addProvider", [consumer]);
    const receipt = await c.send(provider, oracle, "provideResult", [id, ANSWER], { gas: 1_000_000n });
    const args = events(receipt, "ProvideResult");
    expect(args).toHaveLength(1);
    expect(args[0]?.args.consumerError).toBe(true);
    expect(args[0]?.args.consumerErrorData).toBe(toFunctionSelector("ReentrancyGuardReentrantCall()"));
    expect(await c.read(oracle, "withdrawableOf", [provider.account.address])).toBe(FEE);
  });
});

describe("provideSignedResult", () => {
  test("provideSignedResult: anyone relays a provider-signed answer; the signer is the provider", async () => {
    const id = await sendRequest();
    const signature = await signAnswer(provider, id, ANSWER);
    const digest = hashTypedData(
      resultTypedData({ oracle, chainId: 31337, requestId: id, request: REQUEST, response: ANSWER }),
    );
    expect(await c.read(oracle, "resultDigest", [id, keccak256(REQUEST), keccak256(ANSWER)])).toBe(digest);
    await expectRevert(
      c.send(relayer, oracle, "provideSignedResult", [id, ANSWER, "0x1234"]),
      "ECDSAInvalidSignatureLength",
      [2n],
    );
    const receipt = await c.send(relayer, oracle, "provideSignedResult", [id, ANSWER, signature]);
    expect(events(receipt, "ProvideResult")[0]?.args.providerAddr).toBe(provider.account.address);
    expect(await c.read(oracle, "withdrawableOf", [provider.account.address])).toBe(FEE);
    await expectRevert(c.send(relayer, oracle, "provideSignedResult", [id, ANSWER, signature]), "RequestNotFound", [
      id,
    ]);
  });

  test("provideSignedResult: no replay across chain id, contract, request or response; no unauthorized signers", async () => {
    const id = await sendRequest();
    const other = await sendRequest();
    const otherOracle = (await deployOracle(owner, c.publicClient, { config: CONFIG })).address;
    const cases: Hex[] = [
      await signAnswer(provider, id, ANSWER, { chainId: 1 }),
      await signAnswer(provider, id, ANSWER, { verifyingContract: otherOracle }),
      await signAnswer(provider, other, ANSWER),
      await signAnswer(provider, id, ERROR_ANSWER),
      await signAnswer(stranger, id, ANSWER),
    ];
    for (const signature of cases) {
      await expectRevert(
        c.send(relayer, oracle, "provideSignedResult", [id, ANSWER, signature]),
        "UnauthorizedProvider",
      );
    }
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Pending);
  });
});

describe("provideSignedResults (batches)", () => {
  const batch = (items: [bigint, Hex, Hex][]) =>
    items.map(([requestId, response, signature]) => ({ requestId, response, signature }));

  test("provideSignedResults: one transaction answers several requests, each for its signer; answered and expired ones are skipped", async () => {
    await c.send(owner, oracle, "addProvider", [stranger.account.address]);
    await c.send(stranger, oracle, "depositStake", [], { value: STAKE });
    const expiring = await sendRequest();
    await c.advance(500);
    const [a, b, d] = [await sendRequest(), await sendRequest(), await sendRequest()];
    await c.advance(200); // `expiring` is now past its 600 s deadline; the others are not
    await c.send(provider, oracle, "provideResult", [b, ANSWER]);
    const items = batch([
      [a, ANSWER, await signAnswer(provider, a, ANSWER)],
      [b, ANSWER, await signAnswer(provider, b, ANSWER)],
      [d, ERROR_ANSWER, await signAnswer(stranger, d, ERROR_ANSWER)],
      [expiring, ANSWER, await signAnswer(provider, expiring, ANSWER)],
    ]);
    const simulated = await c.publicClient.simulateContract({
      address: oracle,
      abi: c.abi,
      functionName: "provideSignedResults",
      args: [items],
      account: relayer.account,
    });
    expect(simulated.result).toEqual([true, false, true, false]);
    const receipt = await c.send(relayer, oracle, "provideSignedResults", [items]);
    const answered = events(receipt, "ProvideResult").map((e) => [e.args.requestId, e.args.providerAddr]);
    expect(answered).toEqual([
      [a, provider.account.address],
      [d, stranger.account.address],
    ]);
    expect(events(receipt, "ResultSkipped").map((e) => e.args)).toEqual([
      { requestId: b, expired: false },
      { requestId: expiring, expired: true },
    ]);
    expect(await c.read(oracle, "requestStatus", [a])).toBe(Status.Fulfilled);
    expect(await c.read(oracle, "requestStatus", [d])).toBe(Status.Fulfilled);
    expect(await c.read(oracle, "requestStatus", [expiring])).toBe(Status.Pending);
    expect(await c.read(oracle, "withdrawableOf", [provider.account.address])).toBe(2n * FEE);
    expect(await c.read(oracle, "withdrawableOf", [stranger.account.address])).toBe(FEE);
    expect(await c.read(consumer, "lastRequestId")).toBe(d);
  });

  test("provideSignedResults: an unauthorized signer, a malformed response or too little gas reverts the whole batch", async () => {
    const [x, y] = [await sendRequest(), await sendRequest()];
    const good = [x, ANSWER, await signAnswer(provider, x, ANSWER)] as [bigint, Hex, Hex];
    await expectRevert(
      c.send(relayer, oracle, "provideSignedResults", [
        batch([good, [y, ANSWER, await signAnswer(stranger, y, ANSWER)]]),
      ]),
      "UnauthorizedProvider",
      [stranger.account.address],
    );
    await expectRevert(
      c.send(relayer, oracle, "provideSignedResults", [
        batch([good, [y, "0x1234", await signAnswer(provider, y, "0x1234")]]),
      ]),
      "OdfOracleMalformedResponse",
      [y],
    );
    const both = batch([good, [y, ANSWER, await signAnswer(provider, y, ANSWER)]]);
    const one = fulfilmentGasLimit({ callbackGasLimit: 200_000, responseLength: (ANSWER.length - 2) / 2 });
    await expectRevert(
      c.publicClient.simulateContract({
        address: oracle,
        abi: c.abi,
        functionName: "provideSignedResults",
        args: [both],
        account: relayer.account,
        gas: one,
      }),
      "OdfOracleInsufficientGas",
    );
    expect(await c.read(oracle, "requestStatus", [x])).toBe(Status.Pending);
    expect(await c.read(oracle, "requestStatus", [y])).toBe(Status.Pending);
    const receipt = await c.send(relayer, oracle, "provideSignedResults", [both], { gas: 2n * one });
    expect(events(receipt, "ProvideResult").map((e) => e.args.requestId)).toEqual([x, y]);
  });

  test("getRequests: the stored requests in order, zero for unknown ids", async () => {
    const [x, y] = [await sendRequest(150_000), await sendRequest(250_000)];
    const got = await c.read<{ consumer: Address; callbackGasLimit: number; state: number }[]>(oracle, "getRequests", [
      [y, 999n, x],
    ]);
    expect(got.map((r) => [r.consumer, r.callbackGasLimit, r.state])).toEqual([
      [consumer, 250_000, Status.Pending],
      ["0x0000000000000000000000000000000000000000", 0, Status.None],
      [consumer, 150_000, Status.Pending],
    ]);
  });
});

describe("cancel and refund", () => {
  test("cancelRequest: only after the deadline; the fee goes back to the requester to the wei", async () => {
    const id = await sendRequest();
    await expectRevert(c.send(stranger, oracle, "cancelRequest", [id]), "OdfOracleRequestNotExpired");
    await c.advance(600);
    const receipt = await c.send(stranger, oracle, "cancelRequest", [id]);
    expect(events(receipt, "RequestCancelled")[0]?.args).toEqual({ requestId: id, consumerAddr: consumer, fee: FEE });
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Cancelled);
    expect(await c.read(oracle, "withdrawableOf", [consumer])).toBe(FEE);
    await expectRevert(c.send(stranger, oracle, "cancelRequest", [id]), "RequestNotFound", [id]);
    await expectRevert(c.send(provider, oracle, "provideResult", [id, ANSWER]), "RequestNotFound", [id]);
    const to = stranger.account.address;
    const before = await c.balance(to);
    const w = await c.send(owner, consumer, "withdrawFromOracle", [to]);
    expect(events(w, "Withdrawn")[0]?.args).toEqual({ account: consumer, to, amount: FEE });
    expect(await c.balance(to)).toBe(before + FEE);
    await expectRevert(c.send(owner, consumer, "withdrawFromOracle", [to]), "OdfOracleNothingToWithdraw", [consumer]);
  });

  test("withdraw: fees are paid to the provider to the wei; a refusing recipient reverts", async () => {
    const id = await sendRequest();
    await c.send(provider, oracle, "provideResult", [id, ANSWER]);
    await expectRevert(c.send(provider, oracle, "withdraw", [oracle]), "OdfOracleTransferFailed", [oracle, FEE]);
    const to = stranger.account.address;
    const before = await c.balance(to);
    await c.send(provider, oracle, "withdraw", [to]);
    expect(await c.balance(to)).toBe(before + FEE);
    expect(await c.read(oracle, "withdrawableOf", [provider.account.address])).toBe(0n);
  });
});

describe("disputes", () => {
  async function answered(): Promise<bigint> {
    const id = await sendRequest();
    await c.send(provider, oracle, "provideResult", [id, ANSWER]);
    return id;
  }

  test("dispute upheld: stake slashed, disputer gets bond + slash to the wei, request Overturned", async () => {
    const id = await answered();
    const d = await c.send(relayer, oracle, "dispute", [id], { value: BOND });
    expect(events(d, "DisputeOpened")[0]?.args).toEqual({
      requestId: id,
      disputer: relayer.account.address,
      bond: BOND,
    });
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Disputed);
    await expectRevert(
      c.send(provider, oracle, "withdrawStake", [1n, provider.account.address]),
      "OdfOracleStakeLocked",
    );
    await c.advance(1000);
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Disputed);
    const r = await c.send(arbiter, oracle, "resolveDispute", [id, true]);
    expect(events(r, "DisputeResolved")[0]?.args).toEqual({ requestId: id, upheld: true, slashed: SLASH });
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Overturned);
    expect(await c.read<{ stake: bigint }>(oracle, "getProvider", [provider.account.address])).toMatchObject({
      stake: STAKE - SLASH,
      openDisputes: 0,
    });
    expect(await c.read(oracle, "withdrawableOf", [relayer.account.address])).toBe(BOND + SLASH);
    expect(await c.read(oracle, "getDispute", [id])).toEqual({ disputer: relayer.account.address, bond: BOND });
    // 13,000 left, still above minStake (10,000): a second upheld dispute would take it below
    expect(await c.read(oracle, "canProvideResults", [provider.account.address])).toBe(true);
    const to = stranger.account.address;
    const before = await c.balance(to);
    await c.send(relayer, oracle, "withdraw", [to]);
    expect(await c.balance(to)).toBe(before + BOND + SLASH);
    const oracleBalance = await c.balance(oracle);
    expect(oracleBalance).toBe(STAKE - SLASH + FEE);
  });

  test("dispute rejected: the bond goes to the provider, request Final", async () => {
    const id = await answered();
    await c.send(relayer, oracle, "dispute", [id], { value: BOND });
    await expectRevert(c.send(stranger, oracle, "resolveDispute", [id, false]), "OdfOracleOnlyArbiter", [
      stranger.account.address,
    ]);
    const r = await c.send(arbiter, oracle, "resolveDispute", [id, false]);
    expect(events(r, "DisputeResolved")[0]?.args).toEqual({ requestId: id, upheld: false, slashed: 0n });
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Final);
    expect(await c.read(oracle, "withdrawableOf", [provider.account.address])).toBe(FEE + BOND);
    expect(await c.read(oracle, "withdrawableOf", [relayer.account.address])).toBe(0n);
    await expectRevert(c.send(arbiter, oracle, "resolveDispute", [id, true]), "OdfOracleNotDisputed", [id]);
  });

  test("dispute: exact bond, only inside the window; Final after it; stake unlocks after it", async () => {
    const pending = await sendRequest();
    await expectRevert(c.send(relayer, oracle, "dispute", [pending], { value: BOND }), "OdfOracleNotDisputable", [
      pending,
      Status.Pending,
    ]);
    const id = await answered();
    await expectRevert(c.send(relayer, oracle, "dispute", [id], { value: BOND - 1n }), "OdfOracleIncorrectBond", [
      BOND,
      BOND - 1n,
    ]);
    await expectRevert(
      c.send(provider, oracle, "withdrawStake", [1n, provider.account.address]),
      "OdfOracleStakeLocked",
    );
    await c.advance(300);
    expect(await c.read(oracle, "requestStatus", [id])).toBe(Status.Final);
    await expectRevert(c.send(relayer, oracle, "dispute", [id], { value: BOND }), "OdfOracleNotDisputable", [
      id,
      Status.Final,
    ]);
    await expectRevert(
      c.send(provider, oracle, "withdrawStake", [STAKE + 1n, provider.account.address]),
      "OdfOracleInsufficientStake",
      [STAKE, STAKE + 1n],
    );
    const to = stranger.account.address;
    const before = await c.balance(to);
    const w = await c.send(provider, oracle, "withdrawStake", [STAKE, to]);
    expect(events(w, "StakeWithdrawn")[0]?.args).toEqual({
      providerAddr: provider.account.address,
      amount: STAKE,
      stake: 0n,
    });
    expect(await c.balance(to)).toBe(before + STAKE);
  });

  test("depositStake: emits the running stake and refuses amounts beyond uint96", async () => {
    const r = await c.send(stranger, oracle, "depositStake", [], { value: 5n });
    expect(events(r, "StakeDeposited")[0]?.args).toEqual({
      providerAddr: stranger.account.address,
      amount: 5n,
      stake: 5n,
    });
    const huge = 2n ** 96n;
    await c.testClient.setBalance({ address: stranger.account.address, value: huge * 2n });
    await expectRevert(c.send(stranger, oracle, "depositStake", [], { value: huge }), "OdfOracleAmountTooLarge", [
      huge + 5n,
    ]);
  });
});

describe("administration", () => {
  test("owner-only: provider registry, parameters, disable switch, arbiter — each with its event", async () => {
    const who = stranger.account.address;
    for (const [fn, args] of [
      ["addProvider", [who]],
      ["removeProvider", [who]],
      ["setConfig", [CONFIG]],
      ["setDisabled", [true]],
      ["setArbiter", [who]],
    ] as const) {
      await expectRevert(c.send(stranger, oracle, fn, args), "OwnableUnauthorizedAccount", [who]);
    }
    expect(events(await c.send(owner, oracle, "addProvider", [who]), "AddProvider")[0]?.args).toEqual({
      providerAddr: who,
    });
    expect(events(await c.send(owner, oracle, "removeProvider", [who]), "RemoveProvider")[0]?.args).toEqual({
      providerAddr: who,
    });
    const next = { ...CONFIG, requestFee: 7n, disputeWindow: 10 };
    expect(events(await c.send(owner, oracle, "setConfig", [next]), "ConfigUpdated")[0]?.args).toEqual({
      config: next,
    });
    expect(await c.read(oracle, "config")).toEqual(next);
    expect(await c.read(oracle, "requestFee")).toBe(7n);
    const dis = events(await c.send(owner, oracle, "setDisabled", [true]), "ConfigUpdated")[0]?.args;
    expect(dis).toEqual({ config: { ...next, disabled: true } });
    const arb = events(await c.send(owner, oracle, "setArbiter", [who]), "ArbiterUpdated")[0]?.args;
    expect(arb).toEqual({ previousArbiter: arbiter.account.address, newArbiter: who });
    expect(await c.read(oracle, "arbiter")).toBe(who);
  });
});
