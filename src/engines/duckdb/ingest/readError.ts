import path from "node:path";
import { ReadInputError } from "../../../ingest/errors";

const PREFIX = /^(?:Invalid Input|Conversion|IO|Binder|Parser|Catalog|Invalid) Error: /;

/**
 * Turns a DuckDB reader error into a one-line `ReadInputError` naming the file (and the line and
 * column when DuckDB says): ragged CSV rows, values that do not convert to the declared type,
 * files that are not the declared format.
 */
export function readError(error: unknown, file: string, format: string): ReadInputError {
  const message = error instanceof Error ? error.message : String(error);
  const name = path.basename(file);
  const lineMatch = /CSV Error on Line: (\d+)/.exec(message);
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  const where = line !== undefined ? `${name} line ${line}` : name;
  const width = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (width) {
    return new ReadInputError(`${where}: expected ${width[1]} columns, found ${width[2]}`, { line, cause: error });
  }
  const convert = /Error when converting column "([^"]*)"\. Could not convert string "([^"]*)" to '([^']+)'/.exec(
    message,
  );
  if (convert) {
    return new ReadInputError(
      `${where}: column ${convert[1]}: cannot read ${JSON.stringify(convert[2])} as ${convert[3]}`,
      {
        line,
        cause: error,
      },
    );
  }
  if (/No magic bytes found|not a parquet file/i.test(message)) {
    return new ReadInputError(`${name} is not a ${format} file`, { cause: error });
  }
  if (/Malformed JSON|JSON.*(?:expected|unexpected)/i.test(message)) {
    const detail = /at byte \d+ in line (\d+): ([^.\n]+)/.exec(message);
    return new ReadInputError(
      `${name} is not valid ${format}${detail ? ` (line ${detail[1]}: ${detail[2]?.trim()})` : ""}`,
      detail ? { line: Number(detail[1]), cause: error } : { cause: error },
    );
  }
  if (/Invalid unicode|invalid UTF-8/i.test(message)) {
    return new ReadInputError(`${where}: not valid text in the declared encoding`, { line, cause: error });
  }
  const first = (message.split("\n")[0] ?? message).replace(PREFIX, "");
  return new ReadInputError(`${where}: ${first}`, { line, cause: error });
}
