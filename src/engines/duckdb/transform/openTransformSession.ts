import type { DuckDBConnection } from "@duckdb/node-api";
import type { DataSchema } from "../../../odf/metadata/types";
import { duckDbTypeOf } from "../../../odf/schema/duckDbTypes";
import { EngineError } from "../../errors";
import { firstLine } from "../mapDuckDbError";
import { type DuckDb, openDuckDb } from "../openDuckDb";
import { quoteIdentifier, quoteLiteral } from "../openSession";
import { checkSql } from "../sandbox/checkSql";
import { type FunctionPolicy, loadFunctionPolicy } from "../sandbox/functionPolicy";
import { findNonIncremental } from "./findNonIncremental";

/** One input of a transform as the session exposes it: a view named `alias` over a range of records. */
export type TransformSessionInput = {
  alias: string;
  /** Parquet slices holding the records of the range (only those; older slices are never opened). */
  files: readonly string[];
  /** Exclusive lower bound of the offsets to expose (`prevOffset`), undefined for the first record. */
  afterOffset?: number | undefined;
  /** Inclusive upper bound (`newOffset`); undefined exposes no records (an empty view). */
  upToOffset?: number | undefined;
  /** The input's schema (system columns included), for its column list and for empty views. */
  schema: DataSchema;
};

/** The verdict of `compile`: a query to feed `writeDataSlice`, or why the SQL cannot be used. */
export type CompiledTransform =
  | {
      ok: true;
      /** SELECT producing `op`, `event_time` and the data columns (the input's `offset`/`system_time` dropped). */
      source: string;
      columns: readonly { name: string; type: string }[];
    }
  | { ok: false; kind: "invalid" | "nonIncremental"; message: string };

/** A sandboxed DuckDB database holding one view per transform input, able to write slices to `outputDir`. */
export type TransformSession = {
  readonly connection: DuckDBConnection;
  /**
   * Checks the SQL (sandbox rules, incremental shape, binding, output columns) without running it.
   * With `bind: false` only the parse-level checks run (for inputs that have no schema yet).
   */
  compile(query: string, options?: { bind?: boolean }): Promise<CompiledTransform>;
  close(): void;
};

export type OpenTransformSessionParameters = {
  inputs: readonly TransformSessionInput[];
  /** The only directory the session may write to (where data slices are written). */
  outputDir: string;
  /** Further input aliases the SQL may name that have no view (inputs without a schema yet). */
  unboundAliases?: readonly string[] | undefined;
  memoryLimit?: string | undefined;
};

async function fileColumns(connection: DuckDBConnection, files: readonly string[]): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `DESCRIBE SELECT * FROM read_parquet([${files.map(quoteLiteral).join(", ")}], union_by_name = true)`,
  );
  return new Set(reader.getRowObjectsJS().map((r) => String(r.column_name)));
}

async function viewSql(connection: DuckDBConnection, input: TransformSessionInput): Promise<string> {
  const name = quoteIdentifier(input.alias);
  const fields = input.schema.fields;
  if (input.upToOffset === undefined || input.files.length === 0) {
    const columns = fields.map((f) => `CAST(NULL AS ${duckDbTypeOf(f.type)}) AS ${quoteIdentifier(f.name)}`);
    return `CREATE VIEW ${name} AS SELECT ${columns.join(", ")} WHERE false`;
  }
  const present = await fileColumns(connection, input.files);
  const columns = fields.map((f) =>
    present.has(f.name)
      ? quoteIdentifier(f.name)
      : `CAST(NULL AS ${duckDbTypeOf(f.type)}) AS ${quoteIdentifier(f.name)}`,
  );
  const lower = input.afterOffset === undefined ? "" : `"offset" > ${input.afterOffset} AND `;
  const files = input.files.map(quoteLiteral).join(", ");
  return (
    `CREATE VIEW ${name} AS SELECT ${columns.join(", ")} ` +
    `FROM read_parquet([${files}], union_by_name = true) WHERE ${lower}"offset" <= ${input.upToOffset}`
  );
}

type FunctionCatalog = { policy: FunctionPolicy; aggregates: ReadonlySet<string> };
let catalog: Promise<FunctionCatalog> | undefined;

/**
 * The sandbox's function policy and the aggregate function names, read from the engine's catalog
 * once per process (every fresh database of one DuckDB build has the same built-in catalog).
 */
function functionCatalog(connection: DuckDBConnection): Promise<FunctionCatalog> {
  if (!catalog) {
    catalog = (async () => {
      const policy = await loadFunctionPolicy(connection);
      const rows = (
        await connection.runAndReadAll(
          "SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'aggregate'",
        )
      ).getRows();
      return { policy, aggregates: new Set(rows.map((r) => String(r[0]))) };
    })();
    catalog.catch(() => {
      catalog = undefined;
    });
  }
  return catalog;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const TIME = /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|DATE)$/;

/**
 * Opens the database a transform runs in: one thread (the output order, and so the offsets, is the
 * input order on every run), a view per input exposing only the records of its offset range and
 * reading only the given slices, then the sandbox door closed as for queries: no file access but
 * those slices and the output directory, no extensions, configuration locked. The SQL is checked
 * by the query sandbox (`checkSql`: one SELECT, no volatile or file-reading functions) before it
 * can run, so a transform is as reproducible as a query.
 */
export async function openTransformSession(params: OpenTransformSessionParameters): Promise<TransformSession> {
  const db: DuckDb = await openDuckDb({
    threads: 1,
    memoryLimit: params.memoryLimit ?? "2GB",
    config: {
      autoload_known_extensions: "false",
      autoinstall_known_extensions: "false",
      temp_directory: "",
      preserve_insertion_order: "true",
    },
  });
  let policy: FunctionPolicy;
  let aggregates: ReadonlySet<string>;
  try {
    const connection = db.connection;
    ({ policy, aggregates } = await functionCatalog(connection));
    for (const input of params.inputs) await connection.run(await viewSql(connection, input));
    const files = params.inputs.flatMap((i) => i.files);
    const dir = params.outputDir.endsWith("/") ? params.outputDir : `${params.outputDir}/`;
    await connection.run(`SET allowed_paths = [${files.map(quoteLiteral).join(", ")}]`);
    await connection.run(`SET allowed_directories = [${quoteLiteral(dir)}]`);
    await connection.run("SET enable_external_access = false");
    await connection.run("SET lock_configuration = true");
  } catch (error) {
    db.close();
    if (error instanceof EngineError) throw error;
    throw new EngineError(`Cannot open the transform's inputs: ${firstLine(error)}`, { cause: error });
  }
  const aliases = new Set(
    [...params.inputs.map((i) => i.alias), ...(params.unboundAliases ?? [])].map((a) => a.toLowerCase()),
  );

  const compile = async (query: string, options: { bind?: boolean } = {}): Promise<CompiledTransform> => {
    const connection = db.connection;
    let tables: readonly string[];
    try {
      tables = (await checkSql(connection, query, policy)).tables;
    } catch (error) {
      return { ok: false, kind: "invalid", message: (error as Error).message.replace(/^Invalid query: /, "") };
    }
    const unknown = tables.filter((t) => !aliases.has(t));
    if (unknown.length > 0) {
      const visible = params.inputs.map((i) => i.alias).join(", ") || "none";
      return { ok: false, kind: "invalid", message: `unknown table ${unknown.join(", ")} (inputs: ${visible})` };
    }
    const json = (
      await connection.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(query)})`)
    ).getRows()[0]?.[0];
    const tree = JSON.parse(typeof json === "string" ? json : "{}") as { statements?: unknown };
    const refused = findNonIncremental(tree.statements, aggregates);
    if (refused !== undefined) return { ok: false, kind: "nonIncremental", message: refused };
    if (options.bind === false) return { ok: true, source: query, columns: [] };
    let columns: { name: string; type: string }[];
    try {
      const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM (${query}) AS q`);
      columns = described.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    } catch (error) {
      return { ok: false, kind: "invalid", message: firstLine(error) };
    }
    const find = (name: string) => columns.find((c) => c.name.toLowerCase() === name);
    const op = find("op");
    const eventTime = find("event_time");
    if (!op) {
      return {
        ok: false,
        kind: "invalid",
        message: "the output has no op column; select the input's op so retractions and corrections propagate",
      };
    }
    if (!INTEGER.test(op.type)) {
      return { ok: false, kind: "invalid", message: `the output's op column must be an integer, got ${op.type}` };
    }
    if (!eventTime) {
      return {
        ok: false,
        kind: "invalid",
        message: "the output has no event_time column; select the input's event_time (or compute one)",
      };
    }
    if (!TIME.test(eventTime.type)) {
      return {
        ok: false,
        kind: "invalid",
        message: `the output's event_time must be a timestamp, got ${eventTime.type}`,
      };
    }
    const dropped = ["offset", "system_time"].map(find).filter((c) => c !== undefined);
    const source =
      dropped.length === 0
        ? `SELECT * FROM (${query}) AS q`
        : `SELECT * EXCLUDE (${dropped.map((c) => quoteIdentifier(c.name)).join(", ")}) FROM (${query}) AS q`;
    return { ok: true, source, columns: columns.filter((c) => !dropped.includes(c)) };
  };

  return { connection: db.connection, compile, close: () => db.close() };
}
