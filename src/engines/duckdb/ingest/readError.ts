import path from "node:path";
import { ReadInputError } from "../../../ingest/errors";
import { conversionFailure } from "./convertSql";
import type { LineProblem } from "./readStepSql";

const PREFIX = /^(?:Invalid Input|Conversion|IO|Binder|Parser|Catalog|Invalid) Error: /;

const TOO_LONG = /Maximum line size of (\d+) bytes exceeded/;

/** Whether a DuckDB reader error says a CSV line was longer than the reader's `max_line_size`. */
export function isLineTooLong(error: unknown): boolean {
  return TOO_LONG.test(error instanceof Error ? error.message : String(error));
}

/**
 * Turns a DuckDB reader error into a one-line `ReadInputError` naming the file (and the line and
 * column when DuckDB says, or `line` when the caller found it): ragged CSV rows, values that do not
 * convert to the declared type (also those refused by `convertSql`), lines longer than the
 * reader's limit, files that are not the declared format.
 */
export function readError(error: unknown, file: string, format: string, line?: number): ReadInputError {
  const message = error instanceof Error ? error.message : String(error);
  const name = path.basename(file);
  const at = (n: number | undefined) => (n !== undefined ? `${name} line ${n}` : name);
  const failure = conversionFailure(error);
  if (failure) {
    const how = failure.format !== undefined ? ` (format ${failure.format})` : "";
    return new ReadInputError(
      `${at(line)}: column ${failure.column}: cannot read ${JSON.stringify(failure.value)} as ${failure.type}${how}`,
      { line, cause: error },
    );
  }
  const csvLine = /CSV Error on Line: (\d+)/.exec(message);
  const lineNo = csvLine ? Number(csvLine[1]) : line;
  const where = at(lineNo);
  const width = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (width) {
    return new ReadInputError(`${where}: expected ${width[1]} columns, found ${width[2]}`, {
      line: lineNo,
      cause: error,
    });
  }
  const convert = /Error when converting column "([^"]*)"\. Could not convert string "([^"]*)" to '([^']+)'/.exec(
    message,
  );
  if (convert) {
    return new ReadInputError(
      `${where}: column ${convert[1]}: cannot read ${JSON.stringify(convert[2])} as ${convert[3]}`,
      { line: lineNo, cause: error },
    );
  }
  const tooLong = TOO_LONG.exec(message);
  if (tooLong) {
    return new ReadInputError(`${where}: longer than the maximum line size (${tooLong[1]} bytes)`, {
      line: lineNo,
      cause: error,
    });
  }
  if (/No magic bytes found|not a parquet file/i.test(message)) {
    return new ReadInputError(`${name} is not a ${format} file`, { cause: error });
  }
  const notObject = /in line (\d+): Expected OBJECT, but got/.exec(message);
  if (format === "NdJson" && (notObject || /expected records, but got non-record JSON/.test(message))) {
    // Without a line, every line is an object, but none has a field (`{}`), or the lines are blank.
    const n = notObject ? Number(notObject[1]) : line;
    const problem = n !== undefined ? `line ${n}: each line must be a JSON object` : "no line is an object with fields";
    return new ReadInputError(`${name} is not valid ${format} (${problem})`, { line: n, cause: error });
  }
  const transform = /JSON transform error in file "[^"]*", in line (\d+): ?([^\n]*)/.exec(message);
  if (transform) {
    const detail = transform[2]?.trim() || "a value does not convert to its declared type";
    return new ReadInputError(`${name} line ${transform[1]}: ${detail}`, { line: Number(transform[1]), cause: error });
  }
  if (/Malformed JSON|JSON.*(?:expected|unexpected)/i.test(message)) {
    // DuckDB 1.5 counts these lines (and records) from 2: the first line is "line 2".
    const detail = /at byte \d+ in (?:line|record\/value) (\d+): ([^.\n]+)/.exec(message);
    const n = detail ? Number(detail[1]) - 1 : undefined;
    const unit = format === "NdJson" ? "line" : "record";
    return new ReadInputError(
      `${name} is not valid ${format}${detail ? ` (${unit} ${n}: ${detail[2]?.trim()})` : ""}`,
      { line: format === "NdJson" ? n : undefined, cause: error },
    );
  }
  if (/Invalid unicode|invalid UTF-8/i.test(message)) {
    return new ReadInputError(`${where}: not valid text in the declared encoding`, { line: lineNo, cause: error });
  }
  const first = (message.split("\n")[0] ?? message).replace(PREFIX, "");
  return new ReadInputError(`${where}: ${first}`, { line: lineNo, cause: error });
}

/** What to look for to find the line of a read failure DuckDB reports without one. */
export function lineProblem(error: unknown): LineProblem | undefined {
  const failure = conversionFailure(error);
  if (failure) return { column: failure.column, value: failure.value };
  const message = error instanceof Error ? error.message : String(error);
  return /expected records, but got non-record JSON/.test(message) ? { notObject: true } : undefined;
}

/** The `ReadInputError` for a Json array (at `subPath`, if given) that is not an array of records. */
export function jsonElementsError(
  file: string,
  subPath: string | undefined,
  problem: "notObjects" | "noFields",
  cause: unknown,
): ReadInputError {
  const array = subPath === undefined ? "the array" : `the array at ${subPath}`;
  const detail =
    problem === "notObjects"
      ? `each element of ${array} must be a JSON object`
      : `no element of ${array} is an object with fields`;
  return new ReadInputError(`${path.basename(file)} is not valid Json (${detail})`, { cause });
}
