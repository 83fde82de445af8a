import type { DuckDBConnection } from "@duckdb/node-api";

/** Which functions a query may call. Names are lowercase. */
export type FunctionPolicy = {
  /** Refused scalar/aggregate/macro names, with the reason given in the error. */
  readonly forbidden: ReadonlyMap<string, string>;
  /** Table functions a query may use in FROM (everything else is refused). */
  readonly allowedTableFunctions: ReadonlySet<string>;
  /** Bare SQL keywords that DuckDB binds to volatile functions when no column has that name. */
  readonly forbiddenKeywords: ReadonlySet<string>;
};

/** Table functions that only compute from their arguments. */
const ALLOWED_TABLE_FUNCTIONS = [
  "range",
  "generate_series",
  "unnest",
  "repeat",
  "repeat_row",
  "json_each",
  "json_tree",
];

/**
 * Functions DuckDB marks as consistent but whose value depends on the machine, the session or a
 * random sample, so a replay elsewhere could differ.
 */
const ENVIRONMENT_FUNCTIONS: Record<string, string> = {
  current_setting: "reads a setting of the session",
  getenv: "reads the environment",
  getvariable: "reads a session variable",
  version: "depends on the engine build",
  current_user: "depends on the session",
  user: "depends on the session",
  session_user: "depends on the session",
  current_role: "depends on the session",
  current_catalog: "depends on the session",
  current_database: "depends on the session",
  current_schema: "depends on the session",
  current_schemas: "depends on the session",
  current_query: "depends on the session",
  pg_postmaster_start_time: "depends on the clock",
  pg_conf_load_time: "depends on the clock",
  inet_client_addr: "depends on the session",
  inet_client_port: "depends on the session",
  inet_server_addr: "depends on the session",
  inet_server_port: "depends on the session",
  reservoir_quantile: "samples at random",
  pg_sleep: "sleeps",
  sleep_ms: "sleeps",
};

/**
 * Clock keywords the parser leaves as column references and the binder turns into the current time
 * when no column has that name. A column with such a name must be qualified (`t.current_date`).
 * (The session keywords `user`, `current_role`, ... bind to constants here and stay allowed.)
 */
const FORBIDDEN_KEYWORDS = ["current_timestamp", "current_date", "current_time", "localtime", "localtimestamp"];

/**
 * Builds the function policy from the engine's own catalog (`duckdb_functions()`): every scalar
 * function DuckDB does not mark `CONSISTENT` (random, uuid, now, nextval, ...), every macro that
 * calls one of them or reads the environment, every pragma function, plus `ENVIRONMENT_FUNCTIONS`.
 * Deriving the list from the catalog keeps it complete when the engine version changes.
 */
export async function loadFunctionPolicy(connection: DuckDBConnection): Promise<FunctionPolicy> {
  const forbidden = new Map<string, string>(Object.entries(ENVIRONMENT_FUNCTIONS));
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT lower(function_name), function_type, coalesce(stability, ''), coalesce(macro_definition, '')
     FROM duckdb_functions() ORDER BY 1`,
  );
  const rows = reader.getRows() as [string, string, string, string][];
  for (const [name, kind, stability] of rows) {
    if (kind === "scalar" && stability !== "CONSISTENT") {
      forbidden.set(name, stability === "VOLATILE" ? "is volatile" : "is not deterministic across queries");
    }
    if (kind === "pragma") forbidden.set(name, "is a pragma");
  }
  // Macros expand to other functions: refuse those whose body calls a refused function.
  const refused = [...forbidden.keys()].filter((n) => /^[a-z_][a-z0-9_]*$/.test(n));
  const callsRefused = new RegExp(`\\b(${refused.join("|")})\\s*\\(`, "i");
  for (const [name, kind, , body] of rows) {
    if ((kind === "macro" || kind === "table_macro") && !forbidden.has(name) && callsRefused.test(body)) {
      forbidden.set(name, "calls a volatile function");
    }
  }
  return {
    forbidden,
    allowedTableFunctions: new Set(ALLOWED_TABLE_FUNCTIONS),
    forbiddenKeywords: new Set(FORBIDDEN_KEYWORDS),
  };
}
