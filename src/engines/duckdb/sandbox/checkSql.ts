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
  let count: number;
  try {
    count = (await connection.extractStatements(sql)).count;
  } catch (error) {
    throw new InvalidQueryError(firstLine(error), { cause: error });
  }
  if (count === 0) throw new InvalidQueryError("the query is empty");
  if (count > 1) {
    throw new ForbiddenQueryError(`exactly one statement is allowed, got ${count}`, { statement: "MULTIPLE" });
  }
  // A string literal (quotes doubled) is inert text to DuckDB: nothing in it is executed.
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)})`);
  const json = reader.getRows()[0]?.[0];
  const parsed = JSON.parse(typeof json === "string" ? json : "{}") as {
    error?: boolean;
    error_type?: string;
    error_message?: string;
    statements?: unknown[];
  };
  if (parsed.error) {
    if (parsed.error_type === "not implemented") {
      const name = await statementName(connection, sql);
      throw new ForbiddenQueryError(`only a SELECT statement is allowed, got ${name}`, { statement: name });
    }
    throw new InvalidQueryError(firstLine(parsed.error_message ?? "the query does not parse"));
  }
  return inspectSelect(parsed.statements, policy);
}
