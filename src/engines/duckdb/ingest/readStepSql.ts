import path from "node:path";
import { ReadInputError, UnsupportedStepError } from "../../../ingest/errors";
import type { ReadStep, ReadStepCsv, ReadStepJson, ReadStepNdJson } from "../../../odf/metadata/types";
import { castExactSql, convertSql, isConverted, isLosslessCast } from "./convertSql";
import { type DeclaredColumn, declaredColumns } from "./duckDbType";
import { columnsLiteral, quoteIdent, quoteLiteral } from "./sqlText";

const ENCODINGS: Record<string, string> = {
  utf8: "utf-8",
  "utf-8": "utf-8",
  utf16: "utf-16",
  "utf-16": "utf-16",
  latin1: "latin-1",
  "latin-1": "latin-1",
  "iso-8859-1": "latin-1",
};

/** DuckDB's name of an ODF read step `encoding` (`undefined`: DuckDB's default, UTF-8). */
export function encodingOption(encoding: string | undefined): string | undefined {
  if (encoding === undefined) return undefined;
  const mapped = ENCODINGS[encoding.toLowerCase()];
  if (!mapped) throw new UnsupportedStepError(`Encoding ${JSON.stringify(encoding)} (supported: utf8, utf16, latin1)`);
  return mapped;
}

// Java SimpleDateFormat tokens (what ODF manifests carry) to strptime, longest first.
const JAVA_TOKENS: [string, string][] = [
  ["yyyy", "%Y"],
  ["yy", "%y"],
  ["MMMM", "%B"],
  ["MMM", "%b"],
  ["MM", "%m"],
  ["dd", "%d"],
  ["HH", "%H"],
  ["hh", "%I"],
  ["mm", "%M"],
  ["ss", "%S"],
  ["SSSSSS", "%f"],
  ["SSS", "%g"],
  ["XXX", "%z"],
  ["Z", "%z"],
  ["a", "%p"],
];

/**
 * Converts a date/time format to DuckDB's strptime syntax: `rfc3339` (the ODF default) means
 * DuckDB's native ISO parsing (`undefined`); strings with `%` are strptime already; anything else
 * is read as a Java `SimpleDateFormat` pattern (`yyyy-MM-dd HH:mm:ss`, quoted literals in `'...'`).
 */
export function strptimeFormat(format: string | undefined): string | undefined {
  if (format === undefined || format.toLowerCase() === "rfc3339") return undefined;
  if (format.includes("%")) return format;
  let out = "";
  for (let i = 0; i < format.length; ) {
    if (format[i] === "'") {
      const end = format.indexOf("'", i + 1);
      out += end < 0 ? format.slice(i + 1) : format.slice(i + 1, end);
      i = end < 0 ? format.length : end + 1;
      continue;
    }
    const token = JAVA_TOKENS.find(([t]) => format.startsWith(t, i));
    if (token) {
      out += token[1];
      i += token[0].length;
    } else {
      out += format[i];
      i++;
    }
  }
  return out;
}

/**
 * Longest CSV line (record) read, in bytes. Reads start at DuckDB's own default (2,000,000): a
 * larger limit makes DuckDB scan in larger buffers, which costs a third more wall time on two cores
 * (1M rows: 350 ms instead of 260). `loadNewRecords` reads a file again at this limit only when a
 * line was too long.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Largest Json value (an array element, or a whole document with `subPath`) read, in bytes. */
const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

/**
 * Json: a query giving the array's (at `subPath`, if given) number of elements, of those that are
 * not objects and of objects with a field; no row when there is no array. DuckDB refuses `[]` and
 * `[{}]` as records as it refuses `[1, 2]`: run it after a failed read to tell why (it reads the file again).
 */
export function jsonElementsSql(read: ReadStep, file: string): string | undefined {
  if (read.kind !== "Json") return undefined;
  const size = `maximum_object_size = ${MAX_OBJECT_BYTES}`;
  if (!read.subPath) {
    const elements = `read_json_objects(${quoteLiteral(file)}, format = 'array', ${size})`;
    return `SELECT count(*), count(*) FILTER (json_type(json) <> 'OBJECT'), count(*) FILTER (len(json_keys(json)) > 0) FROM ${elements}`;
  }
  const at = `$${read.subPath
    .split(".")
    .map((k) => `.${JSON.stringify(k)}`)
    .join("")}`;
  const document = `read_json_objects(${quoteLiteral(file)}, format = 'unstructured', ${size})`;
  const count = (test: string) => `len(list_filter(json_extract(j, '$[*]'), e -> ${test}))`;
  return `SELECT json_array_length(j), ${count("json_type(e) <> 'OBJECT'")}, ${count("len(json_keys(e)) > 0")} FROM (SELECT json_extract(json, ${quoteLiteral(at)}) AS j FROM ${document}) WHERE json_type(j) = 'ARRAY'`;
}

/** Rows of a reader (`from`, a table function or subquery) and the SELECT list that types them. */
type ReadPlan = { from: string; select: string; headerLines: number; hasLines: boolean };

/**
 * Reader column types for declared columns, and the SELECT list over them: columns whose types
 * DuckDB's readers convert lossily (see `isConverted`) are read as text and converted by `convertSql`.
 */
function converting(declared: DeclaredColumn[], timestampFormat: string | undefined) {
  const columns = declared.map((c) => (isConverted(c.type) ? { name: c.name, type: "VARCHAR" } : c));
  const select = declared.some((c) => isConverted(c.type))
    ? declared
        .map((c) => {
          const q = quoteIdent(c.name);
          return isConverted(c.type) ? `${convertSql(q, c.name, c.type, timestampFormat)} AS ${q}` : q;
        })
        .join(", ")
    : "*";
  return { columns, select };
}

/** Refuses a CSV header with an empty or a repeated name (DuckDB names are case-insensitive). */
function checkHeader(names: readonly string[], file: string): void {
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name.trim() === "") throw new ReadInputError(`${path.basename(file)}: header column ${i + 1} has no name`);
    if (seen.has(name.toLowerCase())) {
      throw new ReadInputError(`${path.basename(file)}: the header has two columns named ${JSON.stringify(name)}`);
    }
    seen.add(name.toLowerCase());
  }
}

function csvPlan(
  read: ReadStepCsv,
  file: string,
  declared: DeclaredColumn[] | undefined,
  firstLine: string[] | undefined,
  maxLineBytes: number | undefined,
): ReadPlan {
  const options: string[] = [
    `delim = ${quoteLiteral(read.separator ?? ",")}`,
    `quote = ${quoteLiteral(read.quote ?? '"')}`,
    // Unset escape means RFC 4180 doubled quotes (as the reference node's reader does), not `\`.
    `escape = ${quoteLiteral(read.escape ?? read.quote ?? '"')}`,
    `header = ${read.header ? "true" : "false"}`,
    `nullstr = ${quoteLiteral(read.nullValue ?? "")}`,
    "strict_mode = true",
    "null_padding = false",
    "ignore_errors = false",
  ];
  if (maxLineBytes !== undefined) options.push(`max_line_size = ${maxLineBytes}`);
  const encoding = encodingOption(read.encoding);
  if (encoding) options.push(`encoding = ${quoteLiteral(encoding)}`);
  const dateFormat = strptimeFormat(read.dateFormat);
  if (dateFormat) options.push(`dateformat = ${quoteLiteral(dateFormat)}`);
  const timestampFormat = strptimeFormat(read.timestampFormat);
  if (timestampFormat) options.push(`timestampformat = ${quoteLiteral(timestampFormat)}`);
  let select = "*";
  if (declared) {
    const typed = converting(declared, timestampFormat);
    options.push("auto_detect = false", `columns = ${columnsLiteral(typed.columns)}`);
    select = typed.select;
  } else {
    if (read.header && firstLine) checkHeader(firstLine, file);
    if (!read.inferSchema && firstLine) {
      // Strings, named by the header (or column0, column1, ...), no sniffing: a ragged row is an error.
      const names = read.header ? firstLine : firstLine.map((_, i) => `column${i}`);
      options.push(
        "auto_detect = false",
        `columns = ${columnsLiteral(names.map((name) => ({ name, type: "VARCHAR" })))}`,
      );
    } else if (!read.inferSchema) options.push("all_varchar = true");
  }
  const from = `read_csv(${quoteLiteral(file)}, ${options.join(", ")})`;
  return { from, select, headerLines: read.header ? 1 : 0, hasLines: true };
}

function jsonPlan(
  read: ReadStepJson | ReadStepNdJson,
  file: string,
  declared: DeclaredColumn[] | undefined,
  utf8Bom: boolean,
): ReadPlan {
  const encoding = encodingOption(read.encoding);
  if (encoding && encoding !== "utf-8")
    throw new UnsupportedStepError(`Encoding ${read.encoding} for JSON (only utf8)`);
  // DuckDB 1.5 refuses a byte order mark in newline-delimited JSON; its format detection skips one.
  const options =
    read.kind === "NdJson"
      ? [`format = ${utf8Bom ? "'auto'" : "'newline_delimited'"}`, "records = true"]
      : ["format = 'array'", "records = true", `maximum_object_size = ${MAX_OBJECT_BYTES}`];
  const dateFormat = strptimeFormat(read.dateFormat);
  if (dateFormat) options.push(`dateformat = ${quoteLiteral(dateFormat)}`);
  const timestampFormat = strptimeFormat(read.timestampFormat);
  if (timestampFormat) options.push(`timestampformat = ${quoteLiteral(timestampFormat)}`);
  let select = "*";
  if (declared) {
    const typed = converting(declared, timestampFormat);
    options.push(`columns = ${columnsLiteral(typed.columns)}`);
    select = typed.select;
  }
  const from = `read_json(${quoteLiteral(file)}, ${options.join(", ")})`;
  return { from, select, headerLines: 0, hasLines: read.kind === "NdJson" };
}

/**
 * SQL casting column `q` of a subquery to a declared column. With the column's type in the file
 * (`from`, Parquet), the cast is exact: text goes through `convertSql` as the readers do, a cast
 * that may lose information through `castExactSql`, a lossless one stays a plain cast. Without
 * it (Json `subPath`), values are converted from their text where `convertSql` converts.
 */
function castSql(q: string, c: DeclaredColumn, from: string | undefined, parquet: boolean): string {
  if (!parquet)
    return isConverted(c.type) ? convertSql(`CAST(${q} AS VARCHAR)`, c.name, c.type) : `CAST(${q} AS ${c.type})`;
  if (from === undefined || isLosslessCast(from, c.type)) return `CAST(${q} AS ${c.type})`;
  if (from === "VARCHAR" && isConverted(c.type)) return convertSql(q, c.name, c.type);
  return castExactSql(q, c.name, from, c.type);
}

/** A subquery's columns cast to the declared types (see `castSql`). */
function castPlan(
  inner: string,
  declared: DeclaredColumn[] | undefined,
  fileTypes: ReadonlyMap<string, string> | undefined,
): ReadPlan {
  const select = declared
    ? declared
        .map((c) => {
          const q = quoteIdent(c.name);
          return `${castSql(q, c, fileTypes?.get(c.name.toLowerCase()), fileTypes !== undefined)} AS ${q}`;
        })
        .join(", ")
    : "*";
  return { from: `(${inner})`, select, headerLines: 0, hasLines: false };
}

/** Extra facts about the input file that `readStepSql` cannot learn from SQL alone. */
export type ReadStepSqlOptions = {
  /** The first CSV record's fields (see `readCsvFirstLine`): header names, or the column count. */
  csvFirstLine?: string[] | undefined;
  /** The file starts with a UTF-8 byte order mark (see `hasUtf8Bom`). */
  utf8Bom?: boolean | undefined;
  /** CSV: the longest line read, in bytes (default: DuckDB's, 2,000,000). */
  maxLineBytes?: number | undefined;
  /** Parquet with a declared schema: the file's column types, by lower-case name (see `castSql`). */
  parquetTypes?: ReadonlyMap<string, string> | undefined;
};

function readPlan(read: ReadStep, file: string, options: ReadStepSqlOptions): ReadPlan {
  const declared = declaredColumns(read);
  switch (read.kind) {
    case "Csv":
      return csvPlan(read, file, declared, options.csvFirstLine, options.maxLineBytes);
    case "NdJson":
      return jsonPlan(read, file, declared, options.utf8Bom === true);
    case "Json": {
      if (!read.subPath) return jsonPlan(read, file, declared, false);
      const sub = read.subPath.split(".").map(quoteIdent).join(".");
      // Unnested, an array of non-objects would become one column of values (`[1, 2]`) or maps
      // (`[{}]`): stop, and let `jsonElementsSql` say why.
      const objects = `CASE WHEN typeof(v) LIKE 'STRUCT(%)[]' THEN v WHEN coalesce(json_array_length(to_json(v)), 0) = 0 THEN v ELSE error('not records') END`;
      const root = `SELECT unnest(${objects}, recursive := true) FROM (SELECT t.root.${sub} AS v FROM read_json(${quoteLiteral(file)}, format = 'auto', records = false, maximum_object_size = ${MAX_OBJECT_BYTES}) AS t(root))`;
      return castPlan(root, declared, undefined);
    }
    case "Parquet":
      return castPlan(`SELECT * FROM read_parquet(${quoteLiteral(file)})`, declared, options.parquetTypes ?? new Map());
    default:
      throw new UnsupportedStepError(`Read step ${read.kind}`);
  }
}

/**
 * The DuckDB query that reads one input file with an ODF read step, applying the declared schema
 * (`schema`, else the deprecated `ddlSchema`) when given. CSV columns are strings unless a schema is
 * declared or `inferSchema` is set, as the ODF spec says. A CSV header with an empty or repeated
 * name is a `ReadInputError`.
 */
export function readStepSql(read: ReadStep, file: string, options: ReadStepSqlOptions = {}): string {
  const plan = readPlan(read, file, options);
  return `SELECT ${plan.select} FROM ${plan.from}`;
}

/** What `readStepLineSql` looks for: a column's text that did not convert, or an NdJson line that is no object. */
export type LineProblem = { column: string; value: string } | { notObject: true };

/**
 * A query giving the line (as DuckDB counts CSV lines: records, the header included; NdJson:
 * records) of the first record with `problem`, or `undefined` for formats without lines. Run it
 * only after a read failed: it reads the file again, in order.
 */
export function readStepLineSql(
  read: ReadStep,
  file: string,
  options: ReadStepSqlOptions,
  problem: LineProblem,
): string | undefined {
  const plan = readPlan(read, file, options);
  if (!plan.hasLines) return undefined;
  if ("notObject" in problem) {
    const format = options.utf8Bom ? "'auto'" : "'newline_delimited'";
    const objects = `read_json_objects(${quoteLiteral(file)}, format = ${format})`;
    return `SELECT n FROM (SELECT row_number() OVER () AS n, json_type(json) AS t FROM ${objects}) WHERE t <> 'OBJECT' LIMIT 1`;
  }
  const numbered = `SELECT row_number() OVER () + ${plan.headerLines} AS n, ${quoteIdent(problem.column)} AS v FROM ${plan.from}`;
  return `SELECT n FROM (${numbered}) WHERE v = ${quoteLiteral(problem.value)} LIMIT 1`;
}
