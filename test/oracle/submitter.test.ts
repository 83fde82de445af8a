import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { type Address, bytesToHex, formatGwei, type Hex, parseAbi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { encodeResponse } from "../../src/oracle/codec/encodeResponse";
import type { DatasetId } from "../../src/oracle/codec/types";
import { createJournal, type Journal, type TxRecord } from "../../src/oracle/provider/journal";
import { createLocalSigner } from "../../src/oracle/provider/signer";
import { createSubmitter, type Submitter } from "../../src/oracle/provider/submitter";
import { startChain, type TestChain } from "../contracts/fixture";
import { answerLogs, deployOracleFixture, hardhatKey, requestBytes, sendRequests, waitFor } from "./providerFixture";

// The nonce manager against a real hardhat node with automine off, so transactions wait in the
// mempool: batching, taking a reorged request out of a batch, stuck-fee replacement up to the cap,
// and a batch answer skipped on chain because another provider answered first.

const DATASET = "did:odf:fed014895afeb476d5d94c1af0668f30ab661c8561760bba6744e43225ba52e099595" as DatasetId;
const REQUEST = requestBytes(DATASET, "t", "SELECT 1 AS x");
const ANSWER = bytesToHex(
  encodeResponse({ ok: true, rows: [[1n]], state: [{ datasetId: DATASET, blockHash: `f1620${"ab".repeat(32)}` }] }),
);
const oracleAbi = parseAbi(["function provideResult(uint64 requestId, bytes result)"]);

/** Submits the same answer to each request, all at once (so they can share a batch). */
const submitTogether = (submitter: Submitter, ids: readonly bigint[]) =>
  Promise.all(
    ids.map((requestId) =>
      submitter.submit({
        requestId,
        request: REQUEST,
        response: ANSWER,
        requestError: false,
        reason: null,
        commitment: null,
      }),
    ),
  );

let c: TestChain;
let dir: string;
let journal: Journal;

beforeAll(async () => {
  c = await startChain();
  dir = mkdtempSync(path.join(tmpdir(), "odf-submitter-"));
  journal = await createJournal({ path: path.join(dir, "journal.duckdb") });
});
afterAll(async () => {
  await journal?.close();
  await c?.node.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("submitter: a burst goes out as one batch; a reorged request leaves it; a stuck batch is re-priced up to the cap; an answer taken first is skipped", async () => {
  const key = hardhatKey(1);
  const ours = privateKeyToAccount(key).address;
  const rival = c.wallets[5]!;
  const { oracle, consumer } = await deployOracleFixture(c, [ours, rival.account.address]);
  const ids = await sendRequests(c, consumer, [REQUEST, REQUEST, REQUEST, REQUEST, REQUEST]);
  const [first, dropped, third, fourth, alsoDropped] = ids as [bigint, bigint, bigint, bigint, bigint];

  await c.testClient.setAutomine(false);
  const latest = await c.publicClient.getBlock({ blockTag: "latest" });
  const initialFee = (latest.baseFeePerGas ?? 0n) * 2n + 1_000_000_000n;
  const cap = (initialFee * 14n) / 10n;
  const mined: { tx: TxRecord; success: boolean; skipped: readonly bigint[] }[] = [];
  const lines: { msg: string; why?: string; requestIds?: string[] }[] = [];
  const submitter = createSubmitter({
    client: c.publicClient,
    signer: createLocalSigner(key),
    journal,
    logger: pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    config: {
      chainId: 31337,
      oracleAddress: oracle as Address,
      signedResults: true,
      maxInFlight: 8,
      stuckAfterMs: 300,
      feeBumpPercent: 20,
      maxFeePerGasGwei: Number(formatGwei(cap)),
    },
    events: { onMined: (tx, success, skipped) => mined.push({ tx, success, skipped }) },
  });
  await submitter.init();

  // Five answers submitted together: one transaction, one nonce.
  const outcomes = await submitTogether(submitter, ids);
  expect(outcomes.map((o) => o.kind)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
  expect(new Set(outcomes.map((o) => (o.kind === "sent" ? o.hash : "")))).toHaveLength(1);
  const [batch] = await journal.listOpenTxs();
  expect(batch?.requestIds).toEqual(ids);
  expect(batch?.maxFeePerGas).toBe(initialFee);
  await waitFor(() =>
    c.publicClient.getTransaction({ hash: batch?.hash as Hex }).then(
      () => true,
      () => false,
    ),
  );

  // A reorg dropped two of its requests (handled concurrently): the batch is re-signed once without
  // both (same nonce, +20% fee), not twice from the same old version.
  await Promise.all([submitter.cancel(dropped, "dropped"), submitter.cancel(alsoDropped, "dropped")]);
  const [without] = await journal.listOpenTxs();
  expect(without?.nonce).toBe(batch?.nonce);
  expect(without?.requestIds).toEqual([first, third, fourth]);
  expect(without?.hashes).toHaveLength(2);
  expect(without?.maxFeePerGas).toBe((initialFee * 120n) / 100n);
  const drops = lines.filter((l) => l.msg === "replacing transaction" && l.why === "drop reorged request");
  expect(drops.map((l) => l.requestIds)).toEqual([[first, third, fourth].map(String)]);

  // Not mined for longer than stuckAfterMs: re-priced, never above the cap (1.2 × 1.2 = 1.44 > 1.4).
  await new Promise((r) => setTimeout(r, 350));
  await submitter.tick();
  const [stuck] = await journal.listOpenTxs();
  expect(stuck?.hashes).toHaveLength(3);
  expect(stuck?.maxFeePerGas).toBe(cap);
  expect(stuck?.requestIds).toEqual([first, third, fourth]);

  // Another provider answers `fourth` with a higher tip: it goes first in the block, ours skips it.
  await rival.writeContract({
    address: oracle as Address,
    abi: oracleAbi,
    functionName: "provideResult",
    args: [fourth, ANSWER],
    gas: 1_000_000n,
    maxFeePerGas: cap * 2n,
    maxPriorityFeePerGas: cap * 2n,
    chain: rival.chain,
    account: rival.account,
  });
  await c.testClient.mine({ blocks: 1 });
  await submitter.tick();
  expect(mined).toHaveLength(1);
  expect(mined[0]).toMatchObject({ success: true, skipped: [fourth] });
  expect(mined[0]?.tx.hash).toBe(stuck?.hash);
  expect(submitter.inFlight()).toBe(0);
  const answers = await answerLogs(c, oracle as Address);
  expect(answers.map((a) => [a.requestId, a.provider])).toEqual([
    [fourth, rival.account.address],
    [first, ours],
    [third, ours],
  ]);
  await c.testClient.setAutomine(true);
});

test("submitter: an answer the batch simulation would skip goes alone (and is found answered); the rest stay one batch", async () => {
  const key = hardhatKey(2);
  const ours = privateKeyToAccount(key).address;
  const rival = c.wallets[5]!;
  const { oracle, consumer } = await deployOracleFixture(c, [ours, rival.account.address]);
  const [a, taken, b] = (await sendRequests(c, consumer, [REQUEST, REQUEST, REQUEST])) as [bigint, bigint, bigint];
  const hash = await rival.writeContract({
    address: oracle as Address,
    abi: oracleAbi,
    functionName: "provideResult",
    args: [taken, ANSWER],
    gas: 1_000_000n,
    chain: rival.chain,
    account: rival.account,
  });
  await c.publicClient.waitForTransactionReceipt({ hash });
  const batchJournal = await createJournal({ path: path.join(dir, "journal-skip.duckdb") });
  try {
    const submitter = createSubmitter({
      client: c.publicClient,
      signer: createLocalSigner(key),
      journal: batchJournal,
      logger: pino({ level: "silent" }),
      config: {
        chainId: 31337,
        oracleAddress: oracle as Address,
        signedResults: true,
        maxInFlight: 8,
        stuckAfterMs: 30_000,
        feeBumpPercent: 20,
        maxFeePerGasGwei: 500,
      },
    });
    await submitter.init();
    const outcomes = await submitTogether(submitter, [a, taken, b]);
    expect(outcomes.map((o) => o.kind)).toEqual(["sent", "not_pending", "sent"]);
    expect(outcomes[0]).toEqual(outcomes[2]);
    await waitFor(async () => {
      await submitter.tick();
      return submitter.inFlight() === 0;
    });
    const answers = await answerLogs(c, oracle as Address);
    expect(answers.map((x) => [x.requestId, x.provider])).toEqual([
      [taken, rival.account.address],
      [a, ours],
      [b, ours],
    ]);
    expect(new Set(answers.slice(1).map((x) => x.transactionHash))).toHaveLength(1);
  } finally {
    await batchJournal.close();
  }
});
