type Node = { readonly [key: string]: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

const REFUSED_MODIFIERS: Record<string, string> = {
  DISTINCT_MODIFIER: "DISTINCT (needs every earlier record)",
  ORDER_MODIFIER: "ORDER BY (orders only the new records; the output order is the input order)",
  LIMIT_MODIFIER: "LIMIT/OFFSET (depends on the records seen before)",
  LIMIT_PERCENT_MODIFIER: "LIMIT ... PERCENT (depends on the records seen before)",
};

/**
 * Decides whether a parsed SELECT (DuckDB's `json_serialize_sql` statements) is a stateless
 * per-record transform, which gives the same records whether it runs once over all input records
 * or batch by batch over the new ones. Accepted: projections, expressions, filters, CTEs and
 * subqueries in FROM that are themselves accepted, and `UNION ALL` of accepted queries. Returns a
 * description of the first construct that is not accepted, or `undefined` when all is accepted:
 * aggregate functions (`aggregates`, lowercase names), GROUP BY/HAVING, window functions, QUALIFY,
 * DISTINCT, ORDER BY, LIMIT, joins (also comma joins), subqueries in expressions, set operations
 * other than UNION ALL, recursive CTEs, and FROM clauses that read no input (VALUES, table
 * functions, no FROM).
 */
export function findNonIncremental(tree: unknown, aggregates: ReadonlySet<string>): string | undefined {
  let found: string | undefined;

  const checkQueryNode = (node: Node): string | undefined => {
    const type = text(node.type);
    if (type === "SET_OPERATION_NODE") {
      if (text(node.setop_type) !== "UNION" || node.setop_all !== true) {
        const op = text(node.setop_type) === "UNION" ? "UNION (without ALL)" : text(node.setop_type);
        return `set operation ${op} (only UNION ALL is stateless)`;
      }
    }
    if (type === "RECURSIVE_CTE_NODE") return "recursive CTE";
    if (type === "CTE_NODE") return undefined;
    if (type !== "SELECT_NODE") return undefined;
    for (const modifier of Array.isArray(node.modifiers) ? node.modifiers : []) {
      const reason = isNode(modifier) ? REFUSED_MODIFIERS[text(modifier.type)] : undefined;
      if (reason !== undefined) return reason;
    }
    if (Array.isArray(node.group_expressions) && node.group_expressions.length > 0) return "GROUP BY";
    if (text(node.aggregate_handling) === "FORCE_AGGREGATES") return "GROUP BY ALL";
    if (node.having !== null && node.having !== undefined) return "HAVING";
    if (node.qualify !== null && node.qualify !== undefined) return "QUALIFY (filters on window functions)";
    if (isNode(node.from_table)) {
      const from = text(node.from_table.type);
      if (from === "JOIN") return "a join (records of different batches would never meet)";
      if (from === "EMPTY") return "a SELECT without FROM (reads no input)";
      if (from === "EXPRESSION_LIST") return "VALUES (reads no input)";
      if (from === "TABLE_FUNCTION") return "a table function in FROM (reads no input)";
      if (from !== "BASE_TABLE" && from !== "SUBQUERY") return `FROM ${from.toLowerCase()}`;
    }
    return undefined;
  };

  const visit = (value: unknown): void => {
    if (found !== undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    const cls = text(value.class);
    if (cls === "") {
      const reason = checkQueryNode(value);
      if (reason !== undefined) {
        found = reason;
        return;
      }
    } else if (cls === "WINDOW") {
      found = `window function ${text(value.function_name).toLowerCase()}()`;
      return;
    } else if (cls === "SUBQUERY") {
      found = "a subquery inside an expression (it reads other records)";
      return;
    } else if (cls === "FUNCTION") {
      const name = text(value.function_name).toLowerCase();
      if (aggregates.has(name)) {
        found = `aggregate function ${name === "count_star" ? "count(*)" : `${name}()`}`;
        return;
      }
    }
    for (const key of Object.keys(value)) visit(value[key]);
  };

  visit(tree);
  return found;
}
