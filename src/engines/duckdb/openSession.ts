import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { EmptyDatasetError } from "../errors";
import type { ResolvedDataset } from "../types";
import { openDuckDb } from "./openDuckDb";

/** One dataset as a session exposes it: a view named `alias` over its pinned data files. */
export type SessionDataset = {
  alias: string;
  id: string;
  dataFiles: readonly string[];
  schema?: ResolvedDataset["schema"];
};

/** A sandboxed database holding exactly the views of one set of pinned datasets. */
export type Session = {
  readonly connection: DuckDBConnection;
  /** Runs `task` when every earlier task of this session is done (one query at a time). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Closes the database once its running task (if any) is done. */
  close(): Promise<void>;
};

/** Quotes an SQL identifier (`"a""b"`). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal (`'it''s'`). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function viewSql(dataset: SessionDataset): string {
  const name = quoteIdentifier(dataset.alias);
  if (dataset.dataFiles.length > 0) {
    const files = dataset.dataFiles.map((f) => quoteLiteral(path.resolve(f))).join(", ");
    return `CREATE VIEW ${name} AS SELECT * FROM read_parquet([${files}])`;
  }
  if (dataset.schema === undefined || dataset.schema.length === 0) {
    throw new EmptyDatasetError({ datasetId: dataset.id });
  }
  const columns = dataset.schema.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdentifier(c.name)}`).join(", ");
  return `CREATE VIEW ${name} AS SELECT ${columns} LIMIT 0`;
}

/**
 * Opens a fresh in-memory database (1 thread, so results and float aggregates are identical on
 * every run), creates one view per dataset, then closes the door: external access off except for
 * exactly the pinned data files (`allowed_paths`), no extension auto-loading or auto-installing,
 * no spilling to a temp directory, and the configuration locked so a query cannot undo any of it.
 */
export async function openSession(params: {
  datasets: readonly SessionDataset[];
  memoryLimit: string;
}): Promise<Session> {
  const db = await openDuckDb({
    threads: 1,
    memoryLimit: params.memoryLimit,
    config: {
      autoload_known_extensions: "false",
      autoinstall_known_extensions: "false",
      temp_directory: "",
      preserve_insertion_order: "true",
    },
  });
  try {
    const files = params.datasets.flatMap((d) => d.dataFiles.map((f) => path.resolve(f)));
    for (const dataset of params.datasets) await db.connection.run(viewSql(dataset));
    // Data files are immutable (named by their hash): keep their Parquet footers parsed between queries.
    if (files.length > 0) await db.connection.run("SET parquet_metadata_cache = true");
    await db.connection.run(`SET allowed_paths = [${files.map(quoteLiteral).join(", ")}]`);
    await db.connection.run("SET allowed_directories = []");
    await db.connection.run("SET enable_external_access = false");
    await db.connection.run("SET lock_configuration = true");
  } catch (error) {
    db.close();
    throw error;
  }
  let tail: Promise<unknown> = Promise.resolve();
  return {
    connection: db.connection,
    exclusive<T>(task: () => Promise<T>): Promise<T> {
      const run = tail.then(task, task);
      tail = run.catch(() => undefined);
      return run;
    },
    async close() {
      // Let every task queued so far (also those queued while waiting) finish first.
      let seen: Promise<unknown>;
      do {
        seen = tail;
        await seen;
      } while (seen !== tail);
      db.close();
    },
  };
}
