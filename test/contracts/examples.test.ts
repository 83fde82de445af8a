import { type Address, type Hex, parseEventLogs } from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { encodeRequest } from "../../src/oracle/codec/encodeRequest";
import { type EncodableValue, encodeResponse } from "../../src/oracle/codec/encodeResponse";
import { deployOracle } from "../../src/oracle/contracts/deployOracle";
import { expectRevert, startChain, type TestChain, toHex, type Wallet } from "./fixture";

const DID = "did:odf:fed014895afeb476d5d94c1af0668f30ab661c8561760bba6744e43225ba52e099595" as const;
const HASH = `f1620${"cd".repeat(32)}`;
const SQL = 'select value from temp order by "offset" desc limit 1';
const FEE = 100n;
const PAYOUT = 10n ** 18n;
const ok = (rows: EncodableValue[][]) =>
  toHex(encodeResponse({ ok: true, rows, state: [{ datasetId: DID, blockHash: HASH }] }));

let c: TestChain;
let owner: Wallet;
let provider: Wallet;
let beneficiary: Wallet;
let oracle: Address;
let sensor: Address;
let insurance: Address;
let snapshot: Hex;

async function lastRequestId(): Promise<bigint> {
  return c.read<bigint>(oracle, "lastRequestId");
}

beforeAll(async () => {
  c = await startChain();
  [owner, provider, beneficiary] = c.wallets as [Wallet, Wallet, Wallet];
  oracle = (
    await deployOracle(owner, c.publicClient, { config: { requestFee: FEE, disputeWindow: 60, disputeBond: 1n } })
  ).address;
  await c.send(owner, oracle, "addProvider", [provider.account.address]);
  sensor = await c.deploy(owner, "SensorConsumer", [oracle, "temp", DID, SQL], 10n * FEE);
  insurance = await c.deploy(
    owner,
    "ParametricInsurance",
    [oracle, beneficiary.account.address, PAYOUT, "rain", DID, "select sum(mm) < 50 from rain"],
    PAYOUT + 10n * FEE,
  );
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

describe("SensorConsumer", () => {
  test("SensorConsumer: sends the byte-exact request and stores the value as fixed point", async () => {
    expect(await c.read(sensor, "request")).toBe(
      toHex(encodeRequest({ datasets: [{ alias: "temp", id: DID }], sql: SQL })),
    );
    const sent = await c.send(owner, sensor, "requestUpdate");
    const req = parseEventLogs({ abi: c.abi, logs: sent.logs, eventName: "SendRequest" })[0] as unknown as {
      args: { request: Hex };
    };
    expect(req.args.request).toBe(await c.read(sensor, "request"));
    const id = await lastRequestId();
    const receipt = await c.send(provider, oracle, "provideResult", [id, ok([[21.5]])]);
    const updated = parseEventLogs({ abi: c.abi, logs: receipt.logs, eventName: "ValueUpdated" })[0] as unknown as {
      args: { value: bigint };
    };
    expect(updated.args.value).toBe(21_500_000n);
    expect(await c.read(sensor, "latestValue")).toBe(21_500_000n);
    expect(await c.read(sensor, "isLatestFinal")).toBe(false);
    await c.advance(60);
    expect(await c.read(sensor, "isLatestFinal")).toBe(true);
  });

  test("SensorConsumer: keeps the old value on an error answer or no rows", async () => {
    await c.send(owner, sensor, "requestUpdate");
    const receipt = await c.send(provider, oracle, "provideResult", [
      await lastRequestId(),
      toHex(encodeResponse({ ok: false, errorMessage: "dataset not found" })),
    ]);
    const failed = parseEventLogs({ abi: c.abi, logs: receipt.logs, eventName: "UpdateFailed" })[0] as unknown as {
      args: { reason: string };
    };
    expect(failed.args.reason).toBe("dataset not found");
    await c.send(owner, sensor, "requestUpdate");
    await c.send(provider, oracle, "provideResult", [await lastRequestId(), ok([])]);
    expect(await c.read(sensor, "latestValue")).toBe(0n);
  });

  test("OdfConsumer: callbacks only from the oracle and only for ids it issued", async () => {
    await expectRevert(c.send(owner, sensor, "onResult", [1n, ok([[1n]])]), "OdfConsumerOnlyOracle", [
      owner.account.address,
    ]);
    // a consumer wired to an EOA "oracle" shows the id check (the real oracle only calls back the sender)
    const fake = await c.deploy(owner, "SensorConsumer", [owner.account.address, "temp", DID, SQL]);
    await expectRevert(c.send(owner, fake, "onResult", [7n, ok([[1n]])]), "OdfConsumerUnknownRequest", [7n]);
  });
});

describe("ParametricInsurance", () => {
  test("ParametricInsurance: pays out to the wei once a true answer is final, and only once", async () => {
    await c.send(owner, insurance, "checkCondition");
    const id = await lastRequestId();
    await c.send(provider, oracle, "provideResult", [id, ok([[true]])]);
    expect(await c.read(insurance, "triggeringRequestId")).toBe(id);
    await expectRevert(c.send(owner, insurance, "claim"), "ParametricInsuranceConditionNotMet", [id]);
    await c.advance(60);
    const before = await c.balance(beneficiary.account.address);
    await c.send(owner, insurance, "claim");
    expect(await c.balance(beneficiary.account.address)).toBe(before + PAYOUT);
    await expectRevert(c.send(owner, insurance, "claim"), "ParametricInsuranceAlreadyPaid");
  });

  test("ParametricInsurance: an overturned answer never pays; a false answer does not trigger", async () => {
    await c.send(owner, insurance, "checkCondition");
    const id = await lastRequestId();
    await c.send(provider, oracle, "provideResult", [id, ok([[1n]])]);
    await c.send(beneficiary, oracle, "dispute", [id], { value: 1n });
    await c.send(owner, oracle, "resolveDispute", [id, true]);
    await c.advance(60);
    await expectRevert(c.send(owner, insurance, "claim"), "ParametricInsuranceConditionNotMet", [id]);
    const fresh = await c.deploy(
      owner,
      "ParametricInsurance",
      [oracle, beneficiary.account.address, 1n, "r", DID, "select false"],
      10n * FEE,
    );
    await c.send(owner, fresh, "checkCondition");
    await c.send(provider, oracle, "provideResult", [await lastRequestId(), ok([[false]])]);
    expect(await c.read(fresh, "triggeringRequestId")).toBe(0n);
  });

  test("ParametricInsurance: a beneficiary refusing ether makes the claim revert", async () => {
    const refusing = await c.deploy(
      owner,
      "ParametricInsurance",
      [oracle, oracle, 1n, "r", DID, "select true"],
      1n + 10n * FEE,
    );
    await c.send(owner, refusing, "checkCondition");
    await c.send(provider, oracle, "provideResult", [await lastRequestId(), ok([[true]])]);
    await c.advance(60);
    await expectRevert(c.send(owner, refusing, "claim"), "ParametricInsurancePayoutFailed");
  });
});
