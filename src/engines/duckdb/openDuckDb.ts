import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** Options for an embedded DuckDB database. */
export type OpenDuckDbParameters = {
  /** Database file; `:memory:` (default) for a throw-away in-memory database. */
  path?: string | undefined;
  /** Worker threads (default 2: the machines we target have 2 cores). */
  threads?: number | undefined;
  /** Memory limit, in DuckDB's syntax (e.g. `1GB`). */
  memoryLimit?: string | undefined;
  /** Further DuckDB configuration options (string values, DuckDB's names). */
  config?: Record<string, string> | undefined;
};

/** An open embedded DuckDB database with one connection. */
export type DuckDb = {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  /** Closes the connection and the instance (idempotent). */
  close(): void;
};

/**
 * Opens an embedded DuckDB database and one connection. Extensions are never auto-installed
 * from the network (our machines have none); callers add sandbox settings through `config`.
 */
export async function openDuckDb(params: OpenDuckDbParameters = {}): Promise<DuckDb> {
  const config: Record<string, string> = {
    threads: String(params.threads ?? 2),
    autoinstall_known_extensions: "false",
    ...(params.memoryLimit ? { memory_limit: params.memoryLimit } : {}),
    ...params.config,
  };
  const instance = await DuckDBInstance.create(params.path ?? ":memory:", config);
  const connection = await instance.connect();
  let closed = false;
  return {
    instance,
    connection,
    close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
