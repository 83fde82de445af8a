import { UnsupportedStepError } from "../../../ingest/errors";
import type { ReadStep, ReadStepCsv, ReadStepJson, ReadStepNdJson } from "../../../odf/metadata/types";
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

function encodingOption(encoding: string | undefined): string | undefined {
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

function csvSql(
  read: ReadStepCsv,
  file: string,
  declared: DeclaredColumn[] | undefined,
  firstLine: string[] | undefined,
): string {
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
  const encoding = encodingOption(read.encoding);
  if (encoding) options.push(`encoding = ${quoteLiteral(encoding)}`);
  const dateFormat = strptimeFormat(read.dateFormat);
  if (dateFormat) options.push(`dateformat = ${quoteLiteral(dateFormat)}`);
  const timestampFormat = strptimeFormat(read.timestampFormat);
  if (timestampFormat) options.push(`timestampformat = ${quoteLiteral(timestampFormat)}`);
  if (declared) options.push("auto_detect = false", `columns = ${columnsLiteral(declared)}`);
  else if (!read.inferSchema && firstLine) {
    // Strings, named by the header (or column0, column1, ...), no sniffing: a ragged row is an error.
    const names = read.header ? firstLine : firstLine.map((_, i) => `column${i}`);
    options.push(
      "auto_detect = false",
      `columns = ${columnsLiteral(names.map((name) => ({ name, type: "VARCHAR" })))}`,
    );
  } else if (!read.inferSchema) options.push("all_varchar = true");
  return `SELECT * FROM read_csv(${quoteLiteral(file)}, ${options.join(", ")})`;
}

function jsonOptions(read: ReadStepJson | ReadStepNdJson, declared: DeclaredColumn[] | undefined): string[] {
  const options: string[] = [];
  const encoding = encodingOption(read.encoding);
  if (encoding && encoding !== "utf-8")
    throw new UnsupportedStepError(`Encoding ${read.encoding} for JSON (only utf8)`);
  const dateFormat = strptimeFormat(read.dateFormat);
  if (dateFormat) options.push(`dateformat = ${quoteLiteral(dateFormat)}`);
  const timestampFormat = strptimeFormat(read.timestampFormat);
  if (timestampFormat) options.push(`timestampformat = ${quoteLiteral(timestampFormat)}`);
  if (declared) options.push(`columns = ${columnsLiteral(declared)}`);
  return options;
}

function castTo(inner: string, declared: DeclaredColumn[] | undefined): string {
  if (!declared) return inner;
  const list = declared.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(", ");
  return `SELECT ${list} FROM (${inner})`;
}

/** Extra facts about the input file that `readStepSql` cannot learn from SQL alone. */
export type ReadStepSqlOptions = {
  /** The first CSV record's fields (see `readCsvFirstLine`): header names, or the column count. */
  csvFirstLine?: string[] | undefined;
};

/**
 * The DuckDB query that reads one input file with an ODF read step, applying the declared schema
 * (`schema`, else the deprecated `ddlSchema`) when given. CSV columns are strings unless a schema is
 * declared or `inferSchema` is set, as the ODF spec says.
 */
export function readStepSql(read: ReadStep, file: string, options: ReadStepSqlOptions = {}): string {
  const declared = declaredColumns(read);
  switch (read.kind) {
    case "Csv":
      return csvSql(read, file, declared, options.csvFirstLine);
    case "NdJson": {
      const options = ["format = 'newline_delimited'", ...jsonOptions(read, declared)];
      return `SELECT * FROM read_json(${quoteLiteral(file)}, ${options.join(", ")})`;
    }
    case "Json": {
      if (read.subPath) {
        const path = read.subPath.split(".").map(quoteIdent).join(".");
        const root = `SELECT unnest(t.root.${path}, recursive := true) FROM read_json(${quoteLiteral(file)}, format = 'auto', records = false, maximum_object_size = 1073741824) AS t(root)`;
        return castTo(root, declared);
      }
      const options = ["format = 'array'", "maximum_object_size = 1073741824", ...jsonOptions(read, declared)];
      return `SELECT * FROM read_json(${quoteLiteral(file)}, ${options.join(", ")})`;
    }
    case "Parquet":
      return castTo(`SELECT * FROM read_parquet(${quoteLiteral(file)})`, declared);
    default:
      throw new UnsupportedStepError(`Read step ${read.kind}`);
  }
}
