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
  if (INTEGERS.test(t)) {
    // Text that is the integer's own spelling needs no pattern match (a quarter of the cost of a
    // column); any other spelling ("+5", " 7", "1.0", "1.7") is decided by the pattern.
    const exact = `regexp_full_match(${text}, '\\s*[+-]?[0-9]+(\\.0*)?\\s*')`;
    return `CASE WHEN ${cast}::VARCHAR = ${text} OR ${exact} THEN ${cast} END`;
  }
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

/** SQL stopping the query with an error that `conversionFailure` reads back, for the text `text`. */
function refuseSql(text: string, column: string, type: string, format?: string | undefined): string {
  const payload = `json_object('column', ${quoteLiteral(column)}, 'value', ${text}, 'type', ${quoteLiteral(type)}${
    format !== undefined ? `, 'format', ${quoteLiteral(format)}` : ""
  })`;
  return `error(${quoteLiteral(MARKER)} || ${payload})`;
}

/**
 * Like `tryConvertSql`, but a non-NULL text that does not convert stops the query with an error
 * that `conversionFailure` reads back (the column, the text, the type).
 */
export function convertSql(text: string, column: string, type: string, timestampFormat?: string | undefined): string {
  const format = TIMESTAMPTZ.test(type.toUpperCase()) ? timestampFormat : undefined;
  const converted = tryConvertSql(text, type, timestampFormat);
  return `CASE WHEN ${text} IS NULL THEN NULL ELSE coalesce(${converted}, ${refuseSql(text, column, type, format)}) END`;
}

const SIGNED = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"];
const UNSIGNED = ["UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"];

/** A DuckDB type name in one spelling (`DECIMAL(10, 2)` and `DECIMAL(10,2)`, `TIMESTAMPTZ`). */
function normalType(type: string): string {
  return type
    .toUpperCase()
    .replace(/\s+/g, "")
    .replace(/^TIMESTAMPWITHTIMEZONE$/, "TIMESTAMPTZ");
}

/**
 * Whether every value of type `from` is a value of `to` (the same type, an integer widening,
 * FLOAT to DOUBLE, a decimal with no fewer digits on either side of the point, anything to text):
 * such a cast needs no check.
 */
export function isLosslessCast(from: string, to: string): boolean {
  const f = normalType(from);
  const t = normalType(to);
  if (f === t || t === "VARCHAR") return true;
  if (SIGNED.includes(f)) return SIGNED.indexOf(t) >= SIGNED.indexOf(f);
  if (UNSIGNED.includes(f))
    return UNSIGNED.indexOf(t) >= UNSIGNED.indexOf(f) || SIGNED.indexOf(t) > UNSIGNED.indexOf(f);
  if (f === "FLOAT") return t === "DOUBLE";
  if (f === "TIMESTAMP") return t === "TIMESTAMPTZ"; // The connection's time zone is UTC.
  const a = DECIMAL.exec(f);
  const b = DECIMAL.exec(t);
  return (
    a !== null &&
    b !== null &&
    Number(b[2]) >= Number(a[2]) &&
    Number(b[1]) - Number(b[2]) >= Number(a[1]) - Number(a[2])
  );
}

/**
 * SQL casting `value` of type `from` (not text: see `convertSql`) to `type`, stopping the query as
 * `convertSql` does on a value the type does not hold exactly: one that does not come back from a
 * cast back to `from` (DOUBLE 1.7 into INTEGER, DECIMAL 1.234 into DECIMAL(10, 2), a fraction of
 * a microsecond), or for floats, as for text, a finite value that overflows. DuckDB's own CAST
 * rounds all of these.
 */
export function castExactSql(value: string, column: string, from: string, type: string): string {
  const cast = `TRY_CAST(${value} AS ${type})`;
  const exact = FLOATS.test(type.toUpperCase())
    ? `NOT isinf(${cast}) OR isinf(TRY_CAST(${value} AS DOUBLE))`
    : `TRY_CAST(${cast} AS ${from}) = ${value}`;
  const refuse = refuseSql(`CAST(${value} AS VARCHAR)`, column, type);
  return `CASE WHEN ${value} IS NULL THEN NULL WHEN ${exact} THEN ${cast} ELSE ${refuse} END`;
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
