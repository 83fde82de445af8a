import { type DuckDBType, version as duckDbVersion, StatementType } from "@duckdb/node-api";
import {
  DuplicateAliasError,
  EngineClosedError,
  EngineError,
  ForbiddenQueryError,
  InvalidQueryError,
  QueryLimitError,
} from "../errors";
import type {
  DatasetResolver,
  QueryEngine,
  QueryLimits,
  QueryParameters,
  QueryResult,
  ResolvedDatasetRef,
  ResultValue,
} from "../types";
import { convertValue, describeColumn } from "./convertValue";
import { mapDuckDbError } from "./mapDuckDbError";
import { openDuckDb } from "./openDuckDb";
import { openSession, type Session, type SessionDataset } from "./openSession";
import { type CheckSqlReturnType, checkSql } from "./sandbox/checkSql";
import { loadFunctionPolicy } from "./sandbox/functionPolicy";
import { valueBytes } from "./valueBytes";

/** Limits used when neither the engine nor the query sets them. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxRows: 100_000,
  maxResultBytes: 64 * 1024 * 1024,
  timeoutMs: 30_000,
  memoryLimit: "1GB",
};

/** Dependencies of `createDuckDbEngine`. */
export type CreateDuckDbEngineParameters = {
  /** Finds datasets and their pinned data files. */
  resolver: DatasetResolver;
  /** Engine-wide defaults; a query may override each one. */
  limits?: Partial<QueryLimits>;
  /**
   * How many sandboxed databases (one per distinct set of pinned datasets and aliases) stay open
   * for reuse. Opening one costs ~15 ms; data files are immutable, so reuse is safe. Default 8.
   */
  maxSessions?: number;
};

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

/**
 * Creates the DuckDB query engine. Each query:
 * 1. is checked by DuckDB's parser (one SELECT, no refused function or table function, only
 *    the named aliases as tables) on a database that holds nothing and may touch no file;
 * 2. has its datasets resolved to pinned block hashes and data files;
 * 3. runs in a sandboxed database exposing exactly those datasets as views under their aliases
 *    (1 thread: identical rows, row order and float bits on every run; external access limited to
 *    the pinned files; configuration locked), within its row, byte, memory and time limits.
 * The output order is DuckDB's (we never reorder); without ORDER BY it is still stable run to run
 * because a single thread scans the files in order.
 */
export async function createDuckDbEngine(params: CreateDuckDbEngineParameters): Promise<QueryEngine> {
  const defaults: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...params.limits };
  const maxSessions = Math.max(1, params.maxSessions ?? 8);
  const version = duckDbVersion();

  const parser = await openDuckDb({
    threads: 1,
    memoryLimit: "256MB",
    config: { temp_directory: "", autoload_known_extensions: "false" },
  });
  const policy = await loadFunctionPolicy(parser.connection);
  await parser.connection.run("SET enable_external_access = false");
  await parser.connection.run("SET lock_configuration = true");
  let parserTail: Promise<unknown> = Promise.resolve();
  const withParser = <T>(task: () => Promise<T>): Promise<T> => {
    const run = parserTail.then(task, task);
    parserTail = run.catch(() => undefined);
    return run;
  };

  // Verdicts of the SQL check by query text (the check is pure: same text, same verdict).
  const verdicts = new Map<string, Promise<CheckSqlReturnType>>();
  const checked = (sql: string): Promise<CheckSqlReturnType> => {
    const cached = verdicts.get(sql);
    if (cached) return cached;
    const verdict = withParser(() => checkSql(parser.connection, sql, policy));
    verdicts.set(sql, verdict);
    if (verdicts.size > 512) verdicts.delete(verdicts.keys().next().value as string);
    return verdict;
  };

  const sessions = new Map<string, Promise<Session>>();
  let closed = false;

  async function session(datasets: readonly SessionDataset[], memoryLimit: string): Promise<Session> {
    const key = JSON.stringify([memoryLimit, datasets.map((d) => [d.alias, d.dataFiles, d.schema ?? null])]);
    const cached = sessions.get(key);
    if (cached) {
      sessions.delete(key);
      sessions.set(key, cached);
      return cached;
    }
    const opening = openSession({ datasets, memoryLimit });
    sessions.set(key, opening);
    opening.catch(() => sessions.delete(key));
    while (sessions.size > maxSessions) {
      const oldest = sessions.keys().next().value as string;
      const evicted = sessions.get(oldest);
      sessions.delete(oldest);
      evicted?.then((s) => s.close()).catch(() => undefined);
    }
    try {
      return await opening;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw mapDuckDbError(error, memoryLimit);
    }
  }

  async function execute(
    target: Session,
    sql: string,
    limits: QueryLimits,
    window: QueryParameters["window"],
  ): Promise<Pick<QueryResult, "columns" | "rows">> {
    const connection = target.connection;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, limits.timeoutMs);
    const timeLimit = (cause?: unknown) =>
      new QueryLimitError({
        limit: "time",
        bound: limits.timeoutMs,
        message: `the query ran longer than ${limits.timeoutMs} ms and was interrupted`,
        cause,
      });
    try {
      const prepared = await connection.prepare(sql);
      try {
        if (prepared.statementType !== StatementType.SELECT) {
          const name = String(StatementType[prepared.statementType]);
          throw new ForbiddenQueryError(`only a SELECT statement is allowed, got ${name}`, { statement: name });
        }
        const result = await prepared.stream();
        const names = result.columnNames();
        const types: DuckDBType[] = result.columnTypes();
        const columns = names.map((name, i) => describeColumn(name, types[i] as DuckDBType));
        const rows: ResultValue[][] = [];
        const skip = window?.skip ?? 0;
        const take = window?.limit ?? Number.POSITIVE_INFINITY;
        let seen = 0;
        let bytes = 0;
        for (;;) {
          const chunk = await result.fetchChunk();
          if (timedOut) throw timeLimit();
          if (chunk === null || chunk.rowCount === 0) break;
          for (const raw of chunk.getRows()) {
            seen++;
            if (seen <= skip) continue;
            if (rows.length >= take) break;
            if (rows.length >= limits.maxRows) {
              throw new QueryLimitError({
                limit: "rows",
                bound: limits.maxRows,
                message: `the result has more than ${limits.maxRows} rows`,
              });
            }
            const row = raw.map((value, i) => convertValue(types[i] as DuckDBType, value));
            bytes += valueBytes(row);
            if (bytes > limits.maxResultBytes) {
              throw new QueryLimitError({
                limit: "bytes",
                bound: limits.maxResultBytes,
                message: `the result is larger than ${limits.maxResultBytes} bytes`,
              });
            }
            rows.push(row);
          }
          if (rows.length >= take) break;
        }
        if (timedOut) throw timeLimit();
        return { columns, rows };
      } finally {
        prepared.destroySync();
      }
    } catch (error) {
      if (timedOut && !(error instanceof QueryLimitError)) throw timeLimit(error);
      if (error instanceof EngineError) throw error;
      throw mapDuckDbError(error, limits.memoryLimit);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    name: "duckdb",
    version,

    async query({ sql, datasets, limits: overrides, window }: QueryParameters): Promise<QueryResult> {
      if (closed) throw new EngineClosedError();
      const limits: QueryLimits = { ...defaults, ...overrides };
      positiveInteger(limits.maxRows, "limits.maxRows");
      positiveInteger(limits.maxResultBytes, "limits.maxResultBytes");
      positiveInteger(limits.timeoutMs, "limits.timeoutMs");
      if (window) {
        positiveInteger(window.skip, "window.skip");
        positiveInteger(window.limit, "window.limit");
      }

      const aliases = new Set<string>();
      for (const ref of datasets) {
        const folded = ref.alias.toLowerCase();
        if (aliases.has(folded)) throw new DuplicateAliasError({ alias: ref.alias });
        aliases.add(folded);
      }

      // The SQL check and the dataset resolution are independent: run them together, but report
      // a refused or invalid query before any dataset problem.
      const checking = checked(sql);
      const resolving = Promise.all(
        datasets.map(async (ref) => {
          const found = await params.resolver.resolve({
            id: ref.id,
            alias: ref.alias,
            ...(ref.blockHash === undefined ? {} : { blockHash: ref.blockHash }),
          });
          return { ref, found };
        }),
      );
      resolving.catch(() => undefined);
      const { tables } = await checking;
      const unknown = tables.filter((t) => !aliases.has(t));
      if (unknown.length > 0) {
        const visible = datasets.map((d) => d.alias).join(", ") || "none";
        throw new InvalidQueryError(`unknown table ${unknown.join(", ")} (visible datasets: ${visible})`);
      }
      const resolved = await resolving;
      // Every named dataset is resolved and recorded; the sandbox holds views of those the SQL reads.
      const read = new Set(tables);
      const sessionDatasets: SessionDataset[] = resolved
        .filter(({ ref }) => read.has(ref.alias.toLowerCase()))
        .map(({ ref, found }) => ({
          alias: ref.alias,
          id: found.id,
          dataFiles: found.dataFiles,
          ...(found.schema === undefined ? {} : { schema: found.schema }),
        }))
        .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
      const refs: ResolvedDatasetRef[] = resolved
        .map(({ ref, found }) => ({ id: found.id, alias: ref.alias, blockHash: found.blockHash }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));

      const target = await session(sessionDatasets, limits.memoryLimit);
      const { columns, rows } = await target.exclusive(() => execute(target, sql, limits, window));
      return { columns, rows, datasets: refs, engine: { name: "duckdb", version } };
    },

    async close() {
      if (closed) return;
      closed = true;
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.then((x) => x.close()).catch(() => undefined)));
      await parserTail;
      parser.close();
    },
  };
}
