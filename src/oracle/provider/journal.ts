import { mkdirSync } from "node:fs";
import path from "node:path";
import type { DuckDBValue } from "@duckdb/node-api";
import type { Address, Hex } from "viem";
import { type DuckDb, openDuckDb } from "../../engines/duckdb/openDuckDb";
import { ChainResetError, JournalError } from "./errors";

/**
 * Life of a request in the journal:
 * - `pending`: seen on chain, not answered yet (executed and submitted by the provider)
 * - `waiting`: names a dataset this node does not hold; left to other providers (or answered with an
 *   error once the grace period passes)
 * - `sending`: the answer transaction is signed and journaled (intent recorded before sending)
 * - `answered`: our `ProvideResult` is on chain; `answered_elsewhere`: another provider's is
 * - `dropped`: the `SendRequest` log was removed by a reorg
 * - `failed`: the answer could not be submitted for good (reason recorded)
 */
export type RequestStatus =
  | "pending"
  | "waiting"
  | "sending"
  | "answered"
  | "answered_elsewhere"
  | "dropped"
  | "failed";

/** A request as the journal holds it. */
export type RequestRecord = {
  requestId: bigint;
  consumer: Address;
  /** The request bytes of the `SendRequest` log. */
  request: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  status: RequestStatus;
  /** Why it failed, was answered with an error, or is waiting. */
  reason: string | null;
  /** Unix ms when the provider first saw the log. */
  seenAt: number;
  /** Unix ms when the answer was seen on chain. */
  answeredAt: number | null;
  /** Block of the `ProvideResult` log. */
  answerBlock: bigint | null;
  /** Who answered (from the `ProvideResult` log). */
  answeredBy: Address | null;
  /** Our response bytes. */
  response: Hex | null;
  /** Whether our response is an error response. */
  requestError: boolean | null;
  /** The signed `/query` response (JSON text) our answer commits to. */
  commitment: string | null;
  /** Nonce of our answer transaction. */
  nonce: number | null;
};

/** The fields of a `SendRequest` log a record starts from. */
export type SeenRequest = Pick<
  RequestRecord,
  "requestId" | "consumer" | "request" | "blockNumber" | "blockHash" | "txHash" | "logIndex"
>;

/** The record of a request just seen on chain: pending, nothing answered or sent yet. */
export function newRequestRecord(log: SeenRequest, seenAt: number): RequestRecord {
  return {
    ...log,
    status: "pending",
    reason: null,
    seenAt,
    answeredAt: null,
    answerBlock: null,
    answeredBy: null,
    response: null,
    requestError: null,
    commitment: null,
    nonce: null,
  };
}

/** One transaction of the provider's nonce sequence (answers, or a cancel filling a nonce). */
export type TxRecord = {
  nonce: number;
  /** The requests answered (several for a `provideSignedResults` batch); empty for a cancel (a self-transfer filling the nonce). */
  requestIds: bigint[];
  to: Address;
  data: Hex;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** The latest signed version of the transaction. */
  raw: Hex;
  hash: Hex;
  /** Every hash sent for this nonce (replacements), comma-separated in the table. */
  hashes: Hex[];
  /** `signed` (journaled, maybe not broadcast), `sent`, `mined`. */
  status: "signed" | "sent" | "mined";
  /** Unix ms of the last broadcast (0: never). */
  sentAt: number;
};

/** What the journal keeps of one answer when its transaction is signed. */
export type AnswerIntent = {
  requestId: bigint;
  response: Hex;
  requestError: boolean;
  reason: string | null;
  commitment: string | null;
};

/** The provider's persistent state: cursor, request journal, transactions (a DuckDB file). */
export type Journal = {
  readonly path: string;
  /**
   * The chain (id and genesis block hash) and oracle the journal belongs to (set on first open; a
   * mismatch is refused: another genesis means the chain was reset, and its nonces and requests are gone).
   */
  bind(params: { chainId: number; oracle: Address; genesisHash: Hex }): Promise<void>;
  getCursor(): Promise<{ blockNumber: bigint; blockHash: Hex } | undefined>;
  setCursor(cursor: { blockNumber: bigint; blockHash: Hex }): Promise<void>;
  /** A request (settled ones are read back from the file). */
  get(requestId: bigint): Promise<RequestRecord | undefined>;
  /** Inserts a request seen on chain, or replaces one whose log changed (reorg). */
  put(record: RequestRecord): Promise<void>;
  update(requestId: bigint, patch: Partial<Omit<RequestRecord, "requestId">>): Promise<void>;
  /** Unsettled requests with one of the statuses, oldest first (pending, waiting and sending are never settled). */
  listByStatus(statuses: readonly RequestStatus[], limit?: number): Promise<RequestRecord[]>;
  /** Requests whose log is at or after a block (for reorg checks). */
  listFromBlock(blockNumber: bigint): Promise<RequestRecord[]>;
  /** Answered requests (ours or another provider's) whose answer is at or after a block (for reorg checks). */
  listAnsweredFrom(blockNumber: bigint): Promise<RequestRecord[]>;
  /**
   * Lets go of finished requests (answered, answered elsewhere, failed, dropped) whose request and
   * answer logs are both before `beforeBlock`, the start of the re-scanned window: they stay in the
   * file (and `get` reads them back) but no longer in memory, so a long-lived node's memory stays
   * bounded by its recent and unfinished work. Returns how many were settled.
   */
  settle(beforeBlock: bigint): number;
  /** The most recent answers. */
  lastAnswers(limit: number): Promise<RequestRecord[]>;
  countByStatus(): Promise<Record<string, number>>;
  putTx(tx: TxRecord): Promise<void>;
  /**
   * Records the intent to answer, atomically: the signed transaction and each answered request's
   * `sending` status with its nonce and response. Written before the transaction is broadcast, so a
   * restart re-sends this exact transaction instead of answering again.
   */
  recordIntent(tx: TxRecord, answers: readonly AnswerIntent[]): Promise<void>;
  /** Transactions not yet known as mined, by nonce. */
  listOpenTxs(): Promise<TxRecord[]>;
  /** Transactions from a nonce on (mined or not), by nonce (reorg checks). */
  listTxsFrom(nonce: number): Promise<TxRecord[]>;
  maxNonce(): Promise<number | undefined>;
  close(): Promise<void>;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY, block_number BIGINT NOT NULL, block_hash VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
  request_id UBIGINT PRIMARY KEY, consumer VARCHAR NOT NULL, request VARCHAR NOT NULL,
  block_number BIGINT NOT NULL, block_hash VARCHAR NOT NULL, tx_hash VARCHAR NOT NULL, log_index INTEGER NOT NULL,
  status VARCHAR NOT NULL, reason VARCHAR, seen_at BIGINT NOT NULL, answered_at BIGINT, answer_block BIGINT,
  answered_by VARCHAR, response VARCHAR, request_error BOOLEAN, commitment VARCHAR, nonce BIGINT
);
CREATE TABLE IF NOT EXISTS txs (
  nonce BIGINT PRIMARY KEY, request_id UBIGINT, to_addr VARCHAR NOT NULL, data VARCHAR NOT NULL, gas VARCHAR NOT NULL,
  max_fee VARCHAR NOT NULL, max_priority_fee VARCHAR NOT NULL, raw VARCHAR NOT NULL, hash VARCHAR NOT NULL,
  hashes VARCHAR NOT NULL, status VARCHAR NOT NULL, sent_at BIGINT NOT NULL
);
ALTER TABLE txs ADD COLUMN IF NOT EXISTS request_ids VARCHAR`;

const REQUEST_COLUMNS: readonly [keyof RequestRecord, string][] = [
  ["requestId", "request_id"],
  ["consumer", "consumer"],
  ["request", "request"],
  ["blockNumber", "block_number"],
  ["blockHash", "block_hash"],
  ["txHash", "tx_hash"],
  ["logIndex", "log_index"],
  ["status", "status"],
  ["reason", "reason"],
  ["seenAt", "seen_at"],
  ["answeredAt", "answered_at"],
  ["answerBlock", "answer_block"],
  ["answeredBy", "answered_by"],
  ["response", "response"],
  ["requestError", "request_error"],
  ["commitment", "commitment"],
  ["nonce", "nonce"],
];
const COLUMN_OF = new Map(REQUEST_COLUMNS);

function toDb(key: keyof RequestRecord, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (key === "seenAt" || key === "answeredAt" || key === "nonce" || key === "logIndex") return BigInt(value as number);
  return value as DuckDBValue;
}

function rowToRequest(row: Record<string, DuckDBValue>): RequestRecord {
  const num = (v: DuckDBValue | undefined) => (v === null || v === undefined ? null : Number(v as bigint));
  return {
    requestId: BigInt(row.request_id as bigint),
    consumer: row.consumer as Address,
    request: row.request as Hex,
    blockNumber: BigInt(row.block_number as bigint),
    blockHash: row.block_hash as Hex,
    txHash: row.tx_hash as Hex,
    logIndex: Number(row.log_index),
    status: row.status as RequestStatus,
    reason: (row.reason as string | null) ?? null,
    seenAt: Number(row.seen_at as bigint),
    answeredAt: num(row.answered_at),
    answerBlock:
      row.answer_block === null || row.answer_block === undefined ? null : BigInt(row.answer_block as bigint),
    answeredBy: (row.answered_by as Address | null) ?? null,
    response: (row.response as Hex | null) ?? null,
    requestError: (row.request_error as boolean | null) ?? null,
    commitment: (row.commitment as string | null) ?? null,
    nonce: num(row.nonce),
  };
}

// `request_id` (the first request) predates batches; `request_ids` lists them all, comma-separated.
const TX_COLUMNS = [
  "nonce",
  "request_id",
  "to_addr",
  "data",
  "gas",
  "max_fee",
  "max_priority_fee",
  "raw",
  "hash",
  "hashes",
  "status",
  "sent_at",
  "request_ids",
];
/** Whole-row upserts (the key first), merged per commit group into multi-row statements. */
type Upsert = { into: string; width: number };
const TX_UPSERT: Upsert = { into: `INSERT OR REPLACE INTO txs (${TX_COLUMNS.join(", ")})`, width: TX_COLUMNS.length };
const REQUEST_UPSERT: Upsert = {
  into: `INSERT OR REPLACE INTO requests (${REQUEST_COLUMNS.map(([, c]) => c).join(", ")})`,
  width: REQUEST_COLUMNS.length,
};
/** Rows per multi-row statement. */
const ROWS_PER_STATEMENT = 256;

function txValues(tx: TxRecord): DuckDBValue[] {
  return [
    BigInt(tx.nonce),
    tx.requestIds[0] ?? null,
    tx.to,
    tx.data,
    tx.gas.toString(),
    tx.maxFeePerGas.toString(),
    tx.maxPriorityFeePerGas.toString(),
    tx.raw,
    tx.hash,
    tx.hashes.join(","),
    tx.status,
    BigInt(tx.sentAt),
    tx.requestIds.join(","),
  ];
}

function rowRequestIds(row: Record<string, DuckDBValue>): bigint[] {
  if (typeof row.request_ids === "string") return row.request_ids.split(",").filter(Boolean).map(BigInt);
  return row.request_id === null || row.request_id === undefined ? [] : [BigInt(row.request_id as bigint)];
}

function rowToTx(row: Record<string, DuckDBValue>): TxRecord {
  return {
    nonce: Number(row.nonce as bigint),
    requestIds: rowRequestIds(row),
    to: row.to_addr as Address,
    data: row.data as Hex,
    gas: BigInt(row.gas as string),
    maxFeePerGas: BigInt(row.max_fee as string),
    maxPriorityFeePerGas: BigInt(row.max_priority_fee as string),
    raw: row.raw as Hex,
    hash: row.hash as Hex,
    hashes: (row.hashes as string).split(",").filter(Boolean) as Hex[],
    status: row.status as TxRecord["status"],
    sentAt: Number(row.sent_at as bigint),
  };
}

/**
 * Opens (or creates) the provider journal, a DuckDB file. Only one process may hold it; a second
 * provider on the same workspace gets a `JournalError`. Requests are kept in memory; writes are
 * group-committed (each resolves once durable).
 */
/** Statuses after which nothing happens to a request unless a reorg reaches back to it. */
const FINISHED: ReadonlySet<RequestStatus> = new Set(["answered", "answered_elsewhere", "failed", "dropped"]);

export async function createJournal(params: {
  path: string;
  readOnly?: boolean;
  /**
   * Finished requests whose logs are this many blocks or more below the cursor are not loaded into
   * memory (the provider passes its re-scan window). Default: 1024.
   */
  recentBlocks?: number;
}): Promise<Journal> {
  const file = path.resolve(params.path);
  mkdirSync(path.dirname(file), { recursive: true });
  let db: DuckDb;
  try {
    db = await openDuckDb({ path: file, threads: 1, config: params.readOnly ? { access_mode: "READ_ONLY" } : {} });
  } catch (error) {
    throw new JournalError(`cannot open ${file} (is another provider running on this workspace?)`, { cause: error });
  }
  const connection = db.connection;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const run = (sql: string, values: DuckDBValue[] = []) => serial(() => connection.run(sql, values));
  const rows = (sql: string, values: DuckDBValue[] = []) =>
    serial(async () => (await connection.runAndReadAll(sql, values)).getRowObjects());

  if (!params.readOnly) {
    for (const statement of SCHEMA.split(";")
      .map((s) => s.trim())
      .filter(Boolean))
      await run(statement);
  }

  // Group commit: writes issued while a commit runs are committed together in the next transaction,
  // so each write is durable when its promise resolves, and a burst costs one fsync per group.
  // Consecutive upserts into one table become one multi-row statement (DuckDB runs a statement in
  // milliseconds but a row in microseconds).
  type Write = {
    sql: string;
    values: DuckDBValue[];
    upsert?: Upsert | undefined;
    resolve: () => void;
    reject: (e: unknown) => void;
  };
  type Statement = [string, DuckDBValue[]] | [string, DuckDBValue[], Upsert];
  let pending: Write[] = [];
  let flushing = false;
  const drainWaiters: (() => void)[] = [];
  /** Resolves once every write issued so far is committed (so a read of the file sees them). */
  const drained = (): Promise<void> =>
    !flushing && pending.length === 0 ? Promise.resolve() : new Promise((resolve) => drainWaiters.push(resolve));
  const statementsOf = (group: readonly Write[]): [string, DuckDBValue[]][] => {
    const out: [string, DuckDBValue[]][] = [];
    for (let i = 0; i < group.length; ) {
      const first = group[i] as Write;
      const upsert = first.upsert;
      if (!upsert) {
        out.push([first.sql, first.values]);
        i += 1;
        continue;
      }
      // The last write of a key wins (a statement may not upsert one key twice).
      const rows = new Map<string, DuckDBValue[]>();
      for (; i < group.length && group[i]?.upsert === upsert; i += 1) {
        const values = (group[i] as Write).values;
        const key = String(values[0]);
        rows.delete(key);
        rows.set(key, values);
      }
      const all = [...rows.values()];
      for (let start = 0; start < all.length; start += ROWS_PER_STATEMENT) {
        const chunk = all.slice(start, start + ROWS_PER_STATEMENT);
        const tuples = chunk.map(
          (_, r) => `(${Array.from({ length: upsert.width }, (_, c) => `$${r * upsert.width + c + 1}`).join(", ")})`,
        );
        out.push([`${upsert.into} VALUES ${tuples.join(", ")}`, chunk.flat()]);
      }
    }
    return out;
  };
  const flush = () => {
    if (flushing || pending.length === 0) return;
    flushing = true;
    const group = pending;
    pending = [];
    void serial(async () => {
      const statements = statementsOf(group);
      if (statements.length === 1) {
        const [sql, values] = statements[0] as [string, DuckDBValue[]];
        await connection.run(sql, values);
        return;
      }
      await connection.run("BEGIN TRANSACTION");
      try {
        for (const [sql, values] of statements) await connection.run(sql, values);
        await connection.run("COMMIT");
      } catch (error) {
        await connection.run("ROLLBACK").catch(() => undefined);
        throw error;
      }
    })
      .then(
        () => {
          for (const w of group) w.resolve();
        },
        (error) => {
          for (const w of group) w.reject(new JournalError("write failed", { cause: error }));
        },
      )
      .finally(() => {
        flushing = false;
        flush();
        if (!flushing) while (drainWaiters.length > 0) drainWaiters.shift()?.();
      });
  };
  const write = (...statements: Statement[]) =>
    Promise.all(
      statements.map(
        ([sql, values, upsert]) =>
          new Promise<void>((resolve, reject) => {
            pending.push({ sql, values, upsert, resolve, reject });
          }),
      ),
    ).then(
      () => undefined,
      (error) => Promise.reject(error),
    ) as Promise<void>;
  const writeNow = (...statements: Statement[]) => {
    const done = write(...statements);
    flush();
    return done;
  };
  const requestRow = (record: RequestRecord): Statement => [
    REQUEST_UPSERT.into,
    REQUEST_COLUMNS.map(([k]) => toDb(k, record[k])),
    REQUEST_UPSERT,
  ];
  const txRow = (tx: TxRecord): Statement => [TX_UPSERT.into, txValues(tx), TX_UPSERT];

  const [cursorRow] = await rows("SELECT block_number, block_hash FROM cursor WHERE id = 1");
  let cursor: { blockNumber: bigint; blockHash: Hex } | undefined = cursorRow
    ? { blockNumber: BigInt(cursorRow.block_number as bigint), blockHash: cursorRow.block_hash as Hex }
    : undefined;

  // Unsettled requests (unfinished, or with a log in the recent blocks a reorg may still reach) are
  // served from memory, loaded once; settled ones stay in the file, counted by status. Every write
  // goes through to the file.
  const live = new Map<bigint, RequestRecord>();
  const settledCounts: Partial<Record<RequestStatus, number>> = {};
  let maxSettledId: bigint | undefined;
  const noteSettled = (status: RequestStatus, requestId: bigint, n = 1) => {
    settledCounts[status] = (settledCounts[status] ?? 0) + n;
    if (maxSettledId === undefined || requestId > maxSettledId) maxSettledId = requestId;
  };
  const horizon = cursor ? cursor.blockNumber - BigInt(params.recentBlocks ?? 1024) : -1n;
  const settledWhere = `status IN (${[...FINISHED].map((x) => `'${x}'`).join(", ")}) AND block_number < $1 AND coalesce(answer_block, -1) < $1`;
  for (const row of await rows(`SELECT * FROM requests WHERE NOT (${settledWhere})`, [horizon])) {
    const rec = rowToRequest(row);
    live.set(rec.requestId, rec);
  }
  for (const row of await rows(
    `SELECT status, count(*) AS n, max(request_id) AS m FROM requests WHERE ${settledWhere} GROUP BY status`,
    [horizon],
  )) {
    noteSettled(row.status as RequestStatus, BigInt(row.m as bigint), Number(row.n as bigint));
  }
  /** Whether a request not in memory may be a settled one (settled ids are all at most this). */
  const maybeSettled = (requestId: bigint) => maxSettledId !== undefined && requestId <= maxSettledId;
  /** Reads a settled request back from the file. */
  const readSettled = async (requestId: bigint): Promise<RequestRecord | undefined> => {
    if (!maybeSettled(requestId)) return undefined;
    await drained();
    const [row] = await rows("SELECT * FROM requests WHERE request_id = $1", [requestId]);
    return row ? rowToRequest(row) : undefined;
  };
  /** Brings a settled request back into memory (a reorg reached it, or it is being re-answered). */
  const revive = async (requestId: bigint): Promise<RequestRecord | undefined> => {
    const settled = await readSettled(requestId);
    const current = live.get(requestId);
    if (current || !settled) return current;
    settledCounts[settled.status] = (settledCounts[settled.status] ?? 1) - 1;
    live.set(requestId, settled);
    return settled;
  };
  const byId = (a: RequestRecord, b: RequestRecord) =>
    a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0;

  return {
    path: file,
    async bind({ chainId, oracle, genesisHash }) {
      const existing = await rows("SELECT key, value FROM meta");
      const meta = new Map(existing.map((r) => [r.key as string, r.value as string]));
      const want = { chainId: String(chainId), oracle: oracle.toLowerCase(), genesis: genesisHash.toLowerCase() };
      for (const [key, value] of Object.entries(want)) {
        const have = meta.get(key);
        if (have === undefined || have === value) continue;
        if (key === "genesis") throw new ChainResetError({ file, chainId, journaled: have, actual: value });
        throw new JournalError(`${file} belongs to ${key} ${have}, not ${value}`, {
          hints: [
            `Use another workspace to serve another chain or oracle, or remove ${file} to start a fresh journal.`,
          ],
        });
      }
      // Journals written before the genesis hash was recorded get it now.
      for (const [key, value] of Object.entries(want)) {
        if (!meta.has(key)) await run("INSERT INTO meta VALUES ($1, $2)", [key, value]);
      }
    },
    async getCursor() {
      return cursor ? { ...cursor } : undefined;
    },
    async setCursor(next) {
      if (cursor && cursor.blockNumber === next.blockNumber && cursor.blockHash === next.blockHash) return;
      cursor = { ...next };
      await writeNow(["INSERT OR REPLACE INTO cursor VALUES (1, $1, $2)", [next.blockNumber, next.blockHash]]);
    },
    async get(requestId) {
      const hit = live.get(requestId);
      return hit ? { ...hit } : readSettled(requestId);
    },
    async put(record) {
      // Synchronous unless the request may be settled, so writes issued together keep their order.
      if (!live.has(record.requestId) && maybeSettled(record.requestId)) await revive(record.requestId);
      live.set(record.requestId, { ...record });
      await writeNow(requestRow(record));
    },
    async update(requestId, patch) {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof RequestRecord, unknown][];
      if (entries.length === 0) return;
      const current = live.get(requestId) ?? (maybeSettled(requestId) ? await revive(requestId) : undefined);
      if (current) {
        // The whole row is known: write it as an upsert (merged with the group's other rows).
        const next = { ...current, ...(Object.fromEntries(entries) as Partial<RequestRecord>) };
        live.set(requestId, next);
        await writeNow(requestRow(next));
        return;
      }
      const sets = entries.map(([k], i) => `${COLUMN_OF.get(k)} = $${i + 2}`).join(", ");
      await writeNow([
        `UPDATE requests SET ${sets} WHERE request_id = $1`,
        [requestId, ...entries.map(([k, v]) => toDb(k, v))],
      ]);
    },
    async listByStatus(statuses, limit = 1_000_000) {
      const wanted = new Set(statuses);
      return [...live.values()]
        .filter((r) => wanted.has(r.status))
        .sort(byId)
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async listFromBlock(blockNumber) {
      return [...live.values()]
        .filter((r) => r.blockNumber >= blockNumber)
        .sort(byId)
        .map((r) => ({ ...r }));
    },
    async listAnsweredFrom(blockNumber) {
      return [...live.values()]
        .filter(
          (r) =>
            (r.status === "answered" || r.status === "answered_elsewhere") &&
            r.answerBlock !== null &&
            r.answerBlock >= blockNumber,
        )
        .sort(byId)
        .map((r) => ({ ...r }));
    },
    settle(beforeBlock) {
      let settled = 0;
      for (const [id, r] of live) {
        if (!FINISHED.has(r.status) || r.blockNumber >= beforeBlock) continue;
        if (r.answerBlock !== null && r.answerBlock >= beforeBlock) continue;
        live.delete(id);
        noteSettled(r.status, id);
        settled += 1;
      }
      return settled;
    },
    async lastAnswers(limit) {
      await drained();
      const found = await rows(
        "SELECT * FROM requests WHERE answered_at IS NOT NULL ORDER BY answered_at DESC, request_id DESC LIMIT $1",
        [BigInt(limit)],
      );
      return found.map(rowToRequest);
    },
    async countByStatus() {
      const counts: Record<string, number> = {};
      for (const [status, n] of Object.entries(settledCounts)) if (n > 0) counts[status] = n;
      for (const r of live.values()) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    },
    async putTx(tx) {
      await writeNow(txRow(tx));
    },
    async recordIntent(tx, answers) {
      const rows: Statement[] = [txRow(tx)];
      for (const answer of answers) {
        const current = live.get(answer.requestId);
        if (!current) continue;
        const next: RequestRecord = {
          ...current,
          status: "sending",
          nonce: tx.nonce,
          response: answer.response,
          requestError: answer.requestError,
          reason: answer.reason,
          commitment: answer.commitment,
        };
        live.set(current.requestId, next);
        rows.push(requestRow(next));
      }
      // All rows land in the same group, hence the same transaction.
      await writeNow(...rows);
    },
    async listOpenTxs() {
      return (await rows("SELECT * FROM txs WHERE status <> 'mined' ORDER BY nonce")).map(rowToTx);
    },
    async listTxsFrom(nonce) {
      return (await rows("SELECT * FROM txs WHERE nonce >= $1 ORDER BY nonce", [BigInt(nonce)])).map(rowToTx);
    },
    async maxNonce() {
      const [row] = await rows("SELECT max(nonce) AS n FROM txs");
      return row?.n === null || row?.n === undefined ? undefined : Number(row.n as bigint);
    },
    async close() {
      while (pending.length > 0 || flushing) {
        flush();
        await new Promise((r) => setTimeout(r, 5));
      }
      await serial(async () => db.close());
    },
  };
}
