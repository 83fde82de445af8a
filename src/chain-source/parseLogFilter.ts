import type { Hex } from "viem";
import { FilterPushDownError } from "./errors";

/**
 * An `eth_getLogs` filter compiled from the ODF `filter` SQL WHERE clause. Each set is an OR of
 * exact values (`undefined` = any); block bounds are inclusive.
 */
export type LogFilter = {
  addresses?: Hex[];
  /** `topics[i]` for topic0..topic3, trailing `undefined` entries trimmed when sent. */
  topics: [Hex[]?, Hex[]?, Hex[]?, Hex[]?];
  fromBlock?: number;
  toBlock?: number;
};

type Token =
  | { t: "ident"; v: string; s: number; e: number }
  | { t: "num"; v: string; s: number; e: number }
  | { t: "hex"; v: string; s: number; e: number }
  | { t: "str"; v: string; s: number; e: number }
  | { t: "op"; v: string; s: number; e: number }
  | { t: "end"; v: ""; s: number; e: number };

type Node =
  | { k: "and" | "or"; items: Node[]; s: number; e: number }
  | { k: "not"; item: Node; s: number; e: number }
  | { k: "cmp"; col: string; op: string; value: Token; s: number; e: number }
  | { k: "in"; col: string; values: Token[]; s: number; e: number }
  | { k: "between"; col: string; lo: Token; hi: Token; s: number; e: number }
  | { k: "other"; s: number; e: number };

const KEYWORDS = new Set(["and", "or", "not", "in", "between"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const s = i;
    if ((c === "x" || c === "X") && text[i + 1] === "'") {
      const close = text.indexOf("'", i + 2);
      if (close < 0) throw new FilterPushDownError({ part: text.slice(s), reason: "unterminated X'..' literal" });
      tokens.push({ t: "hex", v: text.slice(i + 2, close), s, e: close + 1 });
      i = close + 1;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new FilterPushDownError({ part: text.slice(s), reason: "unterminated string literal" });
      tokens.push({ t: "str", v: text.slice(i + 1, close), s, e: close + 1 });
      i = close + 1;
    } else if (/[A-Za-z_"]/.test(c)) {
      let v: string;
      if (c === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0) throw new FilterPushDownError({ part: text.slice(s), reason: "unterminated quoted identifier" });
        v = text.slice(i + 1, close);
        i = close + 1;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
        v = m[0];
        i += v.length;
      }
      tokens.push({ t: "ident", v, s, e: i });
    } else if (/[0-9]/.test(c)) {
      const m = /^(0x[0-9a-fA-F]+|[0-9]+)/.exec(text.slice(i)) as RegExpExecArray;
      i += m[0].length;
      tokens.push({ t: "num", v: m[0], s, e: i });
    } else {
      const two = text.slice(i, i + 2);
      const op = ["<=", ">=", "<>", "!="].includes(two) ? two : c;
      if (!["<=", ">=", "<>", "!=", "=", "<", ">", "(", ")", ","].includes(op)) {
        throw new FilterPushDownError({ part: text.slice(s), reason: `unexpected character ${JSON.stringify(c)}` });
      }
      i += op.length;
      tokens.push({ t: "op", v: op, s, e: i });
    }
  }
  tokens.push({ t: "end", v: "", s: text.length, e: text.length });
  return tokens;
}

/** Recursive-descent parser of the WHERE-clause subset; anything else parses as an `other` node. */
function parse(text: string): Node {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p] as Token;
  const isKw = (tok: Token, kw: string) => tok.t === "ident" && tok.v.toLowerCase() === kw;
  const isOp = (tok: Token, op: string) => tok.t === "op" && tok.v === op;
  const fail = (reason: string): never => {
    const tok = peek();
    throw new FilterPushDownError({ part: text.slice(tok.s) || text, reason });
  };

  const parseOr = (): Node => {
    const first = parseAnd();
    const items = [first];
    while (isKw(peek(), "or")) {
      p++;
      items.push(parseAnd());
    }
    return items.length === 1 ? first : { k: "or", items, s: first.s, e: (items[items.length - 1] as Node).e };
  };
  const parseAnd = (): Node => {
    const first = parseUnary();
    const items = [first];
    while (isKw(peek(), "and")) {
      p++;
      items.push(parseUnary());
    }
    return items.length === 1 ? first : { k: "and", items, s: first.s, e: (items[items.length - 1] as Node).e };
  };
  const parseUnary = (): Node => {
    const tok = peek();
    if (isKw(tok, "not")) {
      p++;
      const item = parseUnary();
      return { k: "not", item, s: tok.s, e: item.e };
    }
    if (isOp(tok, "(")) {
      p++;
      const inner = parseOr();
      if (!isOp(peek(), ")")) fail("expected ')'");
      const close = tokens[p++] as Token;
      return { ...inner, s: tok.s, e: close.e };
    }
    return parsePredicate();
  };
  const parseValue = (): Token => {
    const tok = peek();
    if (tok.t === "hex" || tok.t === "num" || tok.t === "str") {
      p++;
      return tok;
    }
    return fail("expected a literal value");
  };
  const parsePredicate = (): Node => {
    const col = peek();
    if (col.t !== "ident" || KEYWORDS.has(col.v.toLowerCase())) return fail("expected a column name");
    p++;
    // A function call or any other expression: consume a balanced group so the error names it.
    if (isOp(peek(), "(")) {
      let depth = 0;
      for (;;) {
        const tok = peek();
        if (tok.t === "end") break;
        if (depth === 0 && (isKw(tok, "and") || isKw(tok, "or") || isOp(tok, ")"))) break;
        if (isOp(tok, "(")) depth++;
        else if (isOp(tok, ")")) depth--;
        p++;
      }
      return { k: "other", s: col.s, e: (tokens[p - 1] as Token).e };
    }
    const name = col.v.toLowerCase();
    const next = peek();
    if (isKw(next, "not")) {
      p++;
      const inner = parsePredicateRest(col, name);
      return { k: "not", item: inner, s: col.s, e: inner.e };
    }
    return parsePredicateRest(col, name);
  };
  const parsePredicateRest = (col: Token, name: string): Node => {
    const next = peek();
    if (isKw(next, "in")) {
      p++;
      if (!isOp(peek(), "(")) fail("expected '(' after IN");
      p++;
      const values = [parseValue()];
      while (isOp(peek(), ",")) {
        p++;
        values.push(parseValue());
      }
      if (!isOp(peek(), ")")) fail("expected ')' closing the IN list");
      const close = tokens[p++] as Token;
      return { k: "in", col: name, values, s: col.s, e: close.e };
    }
    if (isKw(next, "between")) {
      p++;
      const lo = parseValue();
      if (!isKw(peek(), "and")) fail("expected AND in BETWEEN");
      p++;
      const hi = parseValue();
      return { k: "between", col: name, lo, hi, s: col.s, e: hi.e };
    }
    if (next.t === "op" && ["=", "<", "<=", ">", ">=", "<>", "!="].includes(next.v)) {
      p++;
      const value = parseValue();
      return { k: "cmp", col: name, op: next.v, value, s: col.s, e: value.e };
    }
    return fail("expected a comparison");
  };

  const root = parseOr();
  if (peek().t !== "end") fail("unexpected text after the expression");
  return root;
}

const TOPIC_COLUMNS = ["topic0", "topic1", "topic2", "topic3"] as const;

function bytesValue(text: string, node: { s: number; e: number }, tok: Token, col: string): Hex {
  const part = text.slice(node.s, node.e);
  const width = col === "address" ? 20 : 32;
  let hex: string;
  if (tok.t === "hex") hex = tok.v;
  else if (tok.t === "str" && /^0x[0-9a-fA-F]*$/.test(tok.v)) hex = tok.v.slice(2);
  else if (tok.t === "num" && tok.v.startsWith("0x")) hex = tok.v.slice(2);
  else throw new FilterPushDownError({ part, reason: `${col} must be compared with a binary literal X'..'` });
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== width * 2) {
    throw new FilterPushDownError({ part, reason: `${col} values are ${width} bytes (${width * 2} hex digits)` });
  }
  return `0x${hex.toLowerCase()}`;
}

function blockValue(text: string, node: { s: number; e: number }, tok: Token): number {
  const part = text.slice(node.s, node.e);
  if (tok.t !== "num") throw new FilterPushDownError({ part, reason: "block_number must be compared with an integer" });
  const n = Number(tok.v);
  if (!Number.isSafeInteger(n) || n < 0) throw new FilterPushDownError({ part, reason: "block number out of range" });
  return n;
}

/** The column and equality values of one equality predicate, an IN list, or an OR-chain of those. */
function equalitySet(text: string, node: Node): { col: string; values: Hex[] } | undefined {
  if (node.k === "cmp" && node.op === "=" && node.col !== "block_number") {
    if (node.col !== "address" && !(TOPIC_COLUMNS as readonly string[]).includes(node.col)) return undefined;
    return { col: node.col, values: [bytesValue(text, node, node.value, node.col)] };
  }
  if (node.k === "in" && (node.col === "address" || (TOPIC_COLUMNS as readonly string[]).includes(node.col))) {
    return { col: node.col, values: node.values.map((v) => bytesValue(text, node, v, node.col)) };
  }
  if (node.k === "or") {
    const sets = node.items.map((item) => equalitySet(text, item));
    const first = sets[0];
    if (!first || sets.some((s) => s === undefined || s.col !== first.col)) return undefined;
    return { col: first.col, values: [...new Set(sets.flatMap((s) => (s as { values: Hex[] }).values))] };
  }
  return undefined;
}

/**
 * Compiles the ODF `EthereumLogs.filter` (an SQL WHERE clause) into an `eth_getLogs` filter.
 * Supported, combined with AND: `address = X'..'` and `topicN = X'..'` equalities, OR-chains and
 * IN lists of equalities on one of those columns, and `block_number` comparisons
 * (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN`). Anything else throws `FilterPushDownError` naming the part.
 */
export function parseLogFilter(text: string | undefined): LogFilter {
  const filter: LogFilter = { topics: [] };
  if (text === undefined || text.trim() === "") return filter;
  const root = parse(text);
  const conjuncts = root.k === "and" ? flattenAnd(root) : [root];
  for (const node of conjuncts) {
    const part = text.slice(node.s, node.e);
    if (node.k === "cmp" && node.col === "block_number") {
      const n = blockValue(text, node, node.value);
      if (node.op === "=") bound(filter, n, n);
      else if (node.op === ">") bound(filter, n + 1, undefined);
      else if (node.op === ">=") bound(filter, n, undefined);
      else if (node.op === "<") bound(filter, undefined, n - 1);
      else if (node.op === "<=") bound(filter, undefined, n);
      else
        throw new FilterPushDownError({ part, reason: "eth_getLogs takes one contiguous block range; != is not one" });
      continue;
    }
    if (node.k === "between" && node.col === "block_number") {
      bound(filter, blockValue(text, node, node.lo), blockValue(text, node, node.hi));
      continue;
    }
    const set = equalitySet(text, node);
    if (set) {
      if (set.col === "address") filter.addresses = intersect(filter.addresses, set.values, part);
      else {
        const i = TOPIC_COLUMNS.indexOf(set.col as (typeof TOPIC_COLUMNS)[number]);
        filter.topics[i] = intersect(filter.topics[i], set.values, part);
      }
      continue;
    }
    throw new FilterPushDownError({ part, reason: reasonFor(node) });
  }
  if (filter.fromBlock !== undefined && filter.toBlock !== undefined && filter.fromBlock > filter.toBlock) {
    throw new FilterPushDownError({ part: text, reason: "the block_number bounds leave an empty range" });
  }
  return filter;
}

function flattenAnd(node: Node): Node[] {
  return node.k === "and" ? node.items.flatMap(flattenAnd) : [node];
}

function bound(filter: LogFilter, from: number | undefined, to: number | undefined): void {
  if (from !== undefined) filter.fromBlock = Math.max(filter.fromBlock ?? 0, from);
  if (to !== undefined) filter.toBlock = Math.min(filter.toBlock ?? Number.MAX_SAFE_INTEGER, to);
}

function intersect(current: Hex[] | undefined, values: Hex[], part: string): Hex[] {
  if (current === undefined) return values;
  const both = current.filter((v) => values.includes(v));
  if (both.length === 0)
    throw new FilterPushDownError({ part, reason: "it contradicts an earlier condition on the same column" });
  return both;
}

function reasonFor(node: Node): string {
  switch (node.k) {
    case "or":
      return "an OR-chain must compare one column (address or topicN) for equality in every branch";
    case "not":
      return "negations select everything but some logs; eth_getLogs can only select";
    case "in":
      return node.col === "block_number"
        ? "use a block_number range instead of an IN list"
        : `column ${node.col} is not a log filter column`;
    case "between":
      return `BETWEEN applies to block_number only, not ${node.col}`;
    case "cmp":
      if (node.col === "address" || (TOPIC_COLUMNS as readonly string[]).includes(node.col)) {
        return `${node.col} supports equality (=) only`;
      }
      return `column ${node.col} is not one of address, topic0..topic3, block_number`;
    case "other":
      return "functions and expressions are evaluated by the engine, not by the node";
    case "and":
      return "unexpected nested AND";
  }
}
