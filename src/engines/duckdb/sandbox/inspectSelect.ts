import { ForbiddenQueryError, InvalidQueryError } from "../../errors";
import type { FunctionPolicy } from "./functionPolicy";

/** What a parsed SELECT reads. */
export type SelectInspection = {
  /** Tables named in FROM clauses that are not CTEs of the query (lowercase, unqualified). */
  readonly tables: readonly string[];
};

type Node = { readonly [key: string]: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * Walks the parse tree of one SELECT (DuckDB's `json_serialize_sql` form) and refuses what would make
 * it irreproducible or let it reach outside its datasets: refused functions (by name, also inside
 * lambdas, subqueries and window clauses), table functions outside the allow-list, bare clock
 * keywords, SAMPLE clauses, SHOW/DESCRIBE/SUMMARIZE, and qualified (catalog/schema) table names.
 * Returns the table names the query reads so the caller can check them against the aliases.
 */
export function inspectSelect(tree: unknown, policy: FunctionPolicy): SelectInspection {
  const tables = new Set<string>();
  const ctes = new Set<string>();

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    const type = text(value.type);

    if (typeof value.function_name === "string") {
      const name = value.function_name.toLowerCase();
      const reason = policy.forbidden.get(name);
      if (reason !== undefined) {
        throw new ForbiddenQueryError(`function ${name}() ${reason}`, { functionName: name });
      }
    }
    if (type === "TABLE_FUNCTION" && isNode(value.function)) {
      const name = text(value.function.function_name).toLowerCase();
      if (!policy.allowedTableFunctions.has(name)) {
        throw new ForbiddenQueryError(`table function ${name}() is not allowed`, { functionName: name });
      }
    }
    if (value.class === "COLUMN_REF" && Array.isArray(value.column_names) && value.column_names.length === 1) {
      const name = text(value.column_names[0]).toLowerCase();
      if (policy.forbiddenKeywords.has(name)) {
        throw new ForbiddenQueryError(`${name} depends on the clock or the session`, { functionName: name });
      }
    }
    if (value.class === "PARAMETER") {
      throw new InvalidQueryError(
        `query parameters ($${text(value.identifier)}) are not supported: write the values inline`,
      );
    }
    if (value.sample !== null && value.sample !== undefined) {
      throw new ForbiddenQueryError("SAMPLE clauses are not reproducible", { statement: "SAMPLE" });
    }
    if (type === "SHOW_REF") {
      throw new ForbiddenQueryError("SHOW, DESCRIBE and SUMMARIZE are not allowed", { statement: "SHOW" });
    }
    if (type === "BASE_TABLE") {
      const name = text(value.table_name);
      if (text(value.schema_name) !== "" || text(value.catalog_name) !== "") {
        const qualified = [value.catalog_name, value.schema_name, name].filter((p) => text(p) !== "").join(".");
        throw new InvalidQueryError(`unknown table ${qualified}: only the query's dataset aliases are visible`);
      }
      if (value.at_clause !== null && value.at_clause !== undefined) {
        throw new ForbiddenQueryError("AT (time travel) clauses are not allowed; pin datasets by block hash", {
          statement: "AT",
        });
      }
      tables.add(name.toLowerCase());
    }
    if (isNode(value.cte_map) && Array.isArray(value.cte_map.map)) {
      for (const entry of value.cte_map.map) {
        if (isNode(entry)) ctes.add(text(entry.key).toLowerCase());
      }
    }
    for (const key of Object.keys(value)) visit(value[key]);
  };

  visit(tree);
  return { tables: [...tables].filter((t) => !ctes.has(t)).sort() };
}
