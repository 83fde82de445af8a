import { quoteLiteral } from "./sqlText";

const TIMESTAMPTZ = /^(TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE)$/;
const INTEGERS = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/;
const FLOATS = /^(FLOAT|DOUBLE)$/;
const MARKER = "odf-convert ";

/**
 * Whether text is converted to `type` by `convertSql` rather than by DuckDB's readers. DuckDB 1.5
 * reads `1.7` into an integer column as 2, `1.234` into DECIMAL(10,2) as 1.23 and `1e400` into a
 * DOUBLE as infinity; its CSV reader turns a TIMESTAMPTZ value it cannot parse into NULL and
 * ignores `timestampformat` for such columns.
 */
export function isConverted(type: string): boolean {
  const t = type.toUpperCase();
  return TIMESTAMPTZ.test(t) || INTEGERS.test(t) || DECIMAL.test(t) || FLOATS.test(t);
}

/**
 * SQL converting the text `text` to `type`, NULL when it is not exactly a value of the type: an
 * integer with a fraction, a decimal with more digits than its scale, a float that overflows, a
 * timestamp that does not match `timestampFormat` (a strptime format; without one, ISO 8601 with
 * an optional offset). Times without an offset are UTC (the connection's time zone must be UTC).
 */
export function tryConvertSql(text: string, type: string, timestampFormat?: string | undefined): string {
  const t = type.toUpperCase();
  if (TIMESTAMPTZ.test(t)) {
    return timestampFormat === undefined
      ? `TRY_CAST(${text} AS TIMESTAMPTZ)`
      : `CAST(try_strptime(${text}, ${quoteLiteral(timestampFormat)}) AS TIMESTAMPTZ)`;
  }
  const cast = `TRY_CAST(${text} AS ${type})`;
  if (INTEGERS.test(t)) return `CASE WHEN regexp_full_match(${text}, '\\s*[+-]?[0-9]+(\\.0*)?\\s*') THEN ${cast} END`;
  const decimal = DECIMAL.exec(t);
  if (decimal) {
    // Plain digits within the scale, or an exponent whose value the decimal holds exactly.
    const plain = `regexp_full_match(${text}, '\\s*[+-]?[0-9]*(\\.[0-9]{0,${decimal[2]}}0*)?\\s*')`;
    const exponent = `(regexp_matches(${text}, '[eE]') AND TRY_CAST(${text} AS DOUBLE) = ${cast}::DOUBLE)`;
    return `CASE WHEN ${plain} OR ${exponent} THEN ${cast} END`;
  }
  if (FLOATS.test(t)) {
    return `CASE WHEN NOT isinf(${cast}) OR regexp_matches(${text}, '^\\s*[+-]?inf', 'i') THEN ${cast} END`;
  }
  return cast;
}

/**
 * Like `tryConvertSql`, but a non-NULL text that does not convert stops the query with an error
 * that `conversionFailure` reads back (the column, the text, the type).
 */
export function convertSql(text: string, column: string, type: string, timestampFormat?: string | undefined): string {
  const format = timestampFormat !== undefined && TIMESTAMPTZ.test(type.toUpperCase());
  const payload = `json_object('column', ${quoteLiteral(column)}, 'value', ${text}, 'type', ${quoteLiteral(type)}${
    format ? `, 'format', ${quoteLiteral(timestampFormat)}` : ""
  })`;
  const converted = tryConvertSql(text, type, timestampFormat);
  return `CASE WHEN ${text} IS NULL THEN NULL ELSE coalesce(${converted}, error(${quoteLiteral(MARKER)} || ${payload})) END`;
}

/** A value `convertSql` refused: its column, its text, the type and timestamp format it was read as. */
export type ConversionFailure = { column: string; value: string; type: string; format?: string };

/** The conversion failure a DuckDB error reports, if it is one raised by `convertSql`. */
export function conversionFailure(error: unknown): ConversionFailure | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf(MARKER);
  if (at < 0) return undefined;
  const json = message.slice(at + MARKER.length).split("\n")[0] ?? "";
  try {
    return JSON.parse(json) as ConversionFailure;
  } catch {
    return undefined;
  }
}
