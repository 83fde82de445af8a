import { type DuckDBConnection, StatementType } from "@duckdb/node-api";
import { ForbiddenQueryError, InvalidQueryError } from "../../errors";
import { firstLine } from "../mapDuckDbError";
import { quoteLiteral } from "../openSession";
import type { FunctionPolicy } from "./functionPolicy";
import { inspectSelect } from "./inspectSelect";

/** Result of `checkSql`. */
export type CheckSqlReturnType = {
  /** Tables the query reads (lowercase, without its CTEs). */
  readonly tables: readonly string[];
};

/** Names a refused statement: DuckDB's statement type when it can bind it, else its first keyword. */
async function statementName(connection: DuckDBConnection, sql: string): Promise<string> {
  try {
    const prepared = await connection.prepare(sql);
    try {
      const type = prepared.statementType;
      if (type !== StatementType.SELECT) return String(StatementType[type] ?? type);
    } finally {
      prepared.destroySync();
    }
  } catch {
    // Binding failed (e.g. INSERT into a table that does not exist here): fall back to the keyword.
  }
  const keyword = sql
    .replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*/, "")
    .split(/[^A-Za-z_]/, 1)[0]
    ?.toUpperCase();
  return keyword || "UNKNOWN";
}

/** Number of statements in `sql` by DuckDB's statement extraction; a parse error is an invalid query. */
async function countStatements(connection: DuckDBConnection, sql: string): Promise<number> {
  try {
    return (await connection.extractStatements(sql)).count;
  } catch (error) {
    throw new InvalidQueryError(firstLine(error), { cause: error });
  }
}

/**
 * Checks that `sql` is exactly one SELECT the sandbox allows, using DuckDB's own parser: statement
 * extraction (`extractStatements`) for the count, `json_serialize_sql` for the parse tree (it only
 * serializes plain SELECTs, so DDL, DML, PRAGMA, ATTACH, COPY, INSTALL, LOAD, SET, CALL, EXPORT and
 * EXPLAIN are refused), then `inspectSelect` over the tree. Runs on a connection that has no data and
 * no file access; nothing is executed.
 */
export async function checkSql(
  connection: DuckDBConnection,
  sql: string,
  policy: FunctionPolicy,
): Promise<CheckSqlReturnType> {
  // A string literal (quotes doubled) is inert text to DuckDB: nothing in it is executed.
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)})`);
  const json = reader.getRows()[0]?.[0];
  const parsed = JSON.parse(typeof json === "string" ? json : "{}") as {
    error?: boolean;
    error_type?: string;
    error_message?: string;
    statements?: unknown[];
  };
  // Plain SELECTs serialize; anything else (and the statement count) is told by statement extraction.
  const count = parsed.error ? await countStatements(connection, sql) : (parsed.statements?.length ?? 0);
  if (count === 0) throw new InvalidQueryError("the query is empty");
  if (count > 1) {
    throw new ForbiddenQueryError(`exactly one statement is allowed, got ${count}`, { statement: "MULTIPLE" });
  }
  if (parsed.error) {
    // The text parsed (statement extraction above succeeded), but json_serialize_sql serializes
    // SELECTs only: anything else it refuses is another kind of statement, named from its
    // prepared statement type. A parser error here would be DuckDB's two parsers disagreeing.
    if (parsed.error_type === "parser") {
      throw new InvalidQueryError(firstLine(parsed.error_message ?? "the query does not parse"));
    }
    const name = await statementName(connection, sql);
    throw new ForbiddenQueryError(`only a SELECT statement is allowed, got ${name}`, { statement: name });
  }
  return inspectSelect(parsed.statements, policy);
}
