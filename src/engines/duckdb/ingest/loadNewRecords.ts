import type { DuckDBConnection } from "@duckdb/node-api";
import { MergeError, PreprocessError, ReadInputError } from "../../../ingest/errors";
import type { ReadStep, Transform } from "../../../odf/metadata/types";
import { tryConvertSql } from "./convertSql";
import { declaredColumns } from "./duckDbType";
import { hasUtf8Bom } from "./hasUtf8Bom";
import { type IngestColumn, OP_TEXT_COLUMN } from "./mergeInput";
import { readCsvFirstLine } from "./readCsvFirstLine";
import { isLineTooLong, jsonElementsError, lineProblem, readError } from "./readError";
import {
  encodingOption,
  jsonElementsSql,
  MAX_LINE_BYTES,
  type ReadStepSqlOptions,
  readStepLineSql,
  readStepSql,
} from "./readStepSql";
import { quoteIdent, quoteLiteral } from "./sqlText";

/** One input file and the event time its source gives it (used when the data has no `event_time`). */
export type InputFile = { path: string; sourceEventTime: string };

/** Parameters of `loadNewRecords`. */
export type LoadNewRecordsParameters = {
  files: readonly InputFile[];
  read: ReadStep;
  preprocess?: Transform | undefined;
  /** Name of the view to create with the normalized new records. */
  target: string;
  /**
   * DuckDB types of the dataset's existing data columns (from its schema): new columns of the same
   * name are cast to them (an NdJson `18` into a DOUBLE column), and a value that does not convert
   * is a `ReadInputError` naming the column.
   */
  existingTypes?: ReadonlyMap<string, string> | undefined;
};

/** What `loadNewRecords` produced: the view, its data columns, whether it has `op`, and its size. */
export type LoadNewRecordsReturnType = {
  target: string;
  columns: IngestColumn[];
  hasOp: boolean;
  rowCount: number;
  /** Records read from the files, before `preprocess` (equals `rowCount` without one). */
  readRows: number;
  /**
   * The materialized table behind the view, when it can be written as is (no `op`, `event_time` a
   * time type): `Append` passes it straight to the slice writer and skips a copy.
   */
  appendableTable: string | undefined;
};

const TIME_TYPES = new Set([
  "TIMESTAMP WITH TIME ZONE",
  "TIMESTAMP",
  "DATE",
  "TIMESTAMP_MS",
  "TIMESTAMP_NS",
  "TIMESTAMP_S",
]);

const INTEGERS = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const TEMPORAL = /^(DATE|TIMESTAMP.*)$/;

/**
 * Whether a read type may be cast to the dataset's type without changing meaning: text parses
 * (checked value by value), integers widen to integers, floats or decimals, FLOAT to DOUBLE,
 * timestamps between their variants. Anything else (e.g. DOUBLE into BIGINT) is left alone, and the
 * schema check refuses it naming the column.
 */
function isSafeCast(from: string, to: string): boolean {
  if (from === "VARCHAR") return true;
  if (INTEGERS.test(from)) return INTEGERS.test(to) || to === "DOUBLE" || to === "FLOAT" || to.startsWith("DECIMAL");
  if (from === "FLOAT") return to === "DOUBLE";
  return TEMPORAL.test(from) && TEMPORAL.test(to);
}

const RESERVED = new Set(["offset", "system_time"]);

const OP_TEXT =
  "CASE CAST(op AS VARCHAR) WHEN '+A' THEN 0 WHEN '-R' THEN 1 WHEN '-D' THEN 1 WHEN '-C' THEN 2 WHEN '+C' THEN 3 ELSE TRY_CAST(op AS INTEGER) END";

/**
 * The `ReadInputError` for a failed read of `file`. When DuckDB does not say on which line a value
 * failed (one `convertSql` refused, an NdJson line that is no object), the file is read again to
 * find it.
 */
async function locatedReadError(
  connection: DuckDBConnection,
  error: unknown,
  read: ReadStep,
  file: string,
  options: ReadStepSqlOptions,
): Promise<ReadInputError> {
  const problem = lineProblem(error);
  const sql = problem && readStepLineSql(read, file, options, problem);
  let line: number | undefined;
  if (sql) {
    try {
      const found = (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
      if (found !== undefined && found !== null) line = Number(found);
    } catch {
      // The error names no line then.
    }
  }
  return readError(error, file, read.kind, line);
}

/**
 * Why a Json read failed, if it is because the array (at `subPath`) holds no records: it is empty,
 * some element is no object, or no element has a field (DuckDB reports these alike, or not at
 * all). Reads the file again; `undefined` for other formats and failures.
 */
async function jsonElements(
  connection: DuckDBConnection,
  read: ReadStep,
  file: string,
): Promise<"empty" | "notObjects" | "noFields" | undefined> {
  const sql = jsonElementsSql(read, file);
  if (!sql) return undefined;
  try {
    const row = (await connection.runAndReadAll(sql)).getRows()[0];
    if (row === undefined) return undefined; // No array at `subPath`.
    const [elements, others, withFields] = row.map(Number);
    if (elements === 0) return "empty";
    if (others !== 0) return "notObjects";
    return withFields === 0 ? "noFields" : undefined;
  } catch {
    return undefined; // Not valid JSON either: the read's own error says so.
  }
}

async function describe(connection: DuckDBConnection, relation: string): Promise<IngestColumn[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE ${relation}`);
  return reader.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
}

/**
 * Reads the input files with the read step into a table (`event_time` from each file's source
 * when the data has none), runs the `preprocess` SQL over it as `input`, and exposes the result as
 * a view `target` with columns `[op,] event_time TIMESTAMPTZ, <data columns>`. Read failures
 * become `ReadInputError`, preprocess failures `PreprocessError`, reserved columns `MergeError`.
 * The connection's time zone must be UTC.
 */
export async function loadNewRecords(
  connection: DuckDBConnection,
  params: LoadNewRecordsParameters,
): Promise<LoadNewRecordsReturnType> {
  const raw = `${params.target}__raw`;
  let first = true;
  for (const file of params.files) {
    const options: ReadStepSqlOptions = {};
    if (params.read.kind === "Csv") {
      options.csvFirstLine = await readCsvFirstLine(file.path, {
        separator: params.read.separator,
        quote: params.read.quote,
        encoding: encodingOption(params.read.encoding),
        maxBytes: MAX_LINE_BYTES,
      });
      if (options.csvFirstLine === undefined) continue;
    }
    if (params.read.kind === "NdJson") options.utf8Bom = await hasUtf8Bom(file.path);
    if (params.read.kind === "Parquet" && declaredColumns(params.read)) {
      // The file's types tell which declared casts need a check that no value changes (see `castSql`).
      const described = await describe(connection, `SELECT * FROM read_parquet(${quoteLiteral(file.path)})`).catch(
        (error: unknown) => {
          throw readError(error, file.path, params.read.kind);
        },
      );
      options.parquetTypes = new Map(described.map((c) => [c.name.toLowerCase(), c.type]));
    }
    // Built before the read: its own refusals (a CSV header with a repeated name) name the file already.
    let read = readStepSql(params.read, file.path, options);
    const load = async () => {
      const columns = await describe(connection, `SELECT * FROM (${read}) LIMIT 0`);
      const hasEventTime = columns.some((c) => c.name === "event_time");
      const select = hasEventTime
        ? `SELECT * FROM (${read})`
        : `SELECT *, ${quoteLiteral(file.sourceEventTime)}::TIMESTAMPTZ AS event_time FROM (${read})`;
      if (!first) {
        // A file with columns the earlier ones lack adds them (NULL in the earlier rows).
        const have = new Set((await describe(connection, raw)).map((c) => c.name.toLowerCase()));
        for (const c of columns) {
          if (!have.has(c.name.toLowerCase()))
            await connection.run(`ALTER TABLE ${raw} ADD COLUMN ${quoteIdent(c.name)} ${c.type}`);
        }
      }
      await connection.run(
        first ? `CREATE OR REPLACE TEMP TABLE ${raw} AS ${select}` : `INSERT INTO ${raw} BY NAME ${select}`,
      );
    };
    try {
      try {
        await load();
      } catch (error) {
        // Read at DuckDB's default line limit first (it scans faster); only a file with a longer
        // line is read again, at ours. A failed statement has changed nothing.
        if (params.read.kind !== "Csv" || !isLineTooLong(error)) throw error;
        options.maxLineBytes = MAX_LINE_BYTES;
        read = readStepSql(params.read, file.path, options);
        await load();
      }
      first = false;
    } catch (error) {
      const problem = await jsonElements(connection, params.read, file.path);
      if (problem === "empty") continue; // `[]`: no records
      if (problem)
        throw jsonElementsError(
          file.path,
          params.read.kind === "Json" ? params.read.subPath : undefined,
          problem,
          error,
        );
      throw await locatedReadError(connection, error, params.read, file.path, options);
    }
  }
  if (first) {
    return { target: params.target, columns: [], hasOp: false, rowCount: 0, readRows: 0, appendableTable: undefined };
  }

  let result = raw;
  let readRows: number | undefined;
  const transform = params.preprocess;
  if (transform) {
    readRows = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${raw}`)).getRows()[0]?.[0] ?? 0);
    await connection.run(`CREATE OR REPLACE TEMP VIEW input AS SELECT * FROM ${raw}`);
    const steps = transform.queries ?? (transform.query !== undefined ? [{ query: transform.query }] : []);
    if (steps.length === 0) throw new PreprocessError("the transform has no query");
    const pre = `${params.target}__pre`;
    try {
      for (const [i, step] of steps.entries()) {
        const last = i === steps.length - 1;
        const name = last ? pre : step.alias;
        if (!name) throw new PreprocessError(`query step ${i + 1} has no alias`);
        await connection.run(`CREATE OR REPLACE TEMP ${last ? "TABLE" : "VIEW"} ${quoteIdent(name)} AS ${step.query}`);
      }
    } catch (error) {
      if (error instanceof PreprocessError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new PreprocessError((message.split("\n")[0] ?? message).replace(/^[A-Za-z ]*Error: /, ""), {
        cause: error,
      });
    }
    result = pre;
  }

  const columns = await describe(connection, `SELECT * FROM ${result} LIMIT 0`);
  for (const c of columns) {
    if (RESERVED.has(c.name))
      throw new MergeError(`Column ${c.name} is reserved for the system; rename it in the input or preprocess`);
  }
  const hasOp = columns.some((c) => c.name === "op");
  const eventTime = columns.find((c) => c.name === "event_time");
  const latest = params.files
    .map((f) => f.sourceEventTime)
    .sort()
    .at(-1) as string;
  const eventTimeExpr = eventTime ? "CAST(event_time AS TIMESTAMPTZ)" : `${quoteLiteral(latest)}::TIMESTAMPTZ`;
  const fileOrder = columns.filter((c) => c.name !== "op" && c.name !== "event_time");
  // Data columns in the dataset's order, new ones after them in input order.
  const known = [...(params.existingTypes?.keys() ?? [])];
  const rank = (name: string) => (known.includes(name) ? known.indexOf(name) : known.length);
  const data = [...fileOrder].sort((a, b) => rank(a.name) - rank(b.name));
  const casts = new Map<string, string>();
  const allNull: IngestColumn[] = [];
  for (const c of data) {
    const existing = params.existingTypes?.get(c.name);
    if (existing === undefined || existing === c.type) continue;
    if (isSafeCast(c.type, existing)) casts.set(c.name, existing);
    else allNull.push(c);
  }
  if (allNull.length > 0) {
    // A column with only NULLs in this input (NdJson reads it as JSON) takes the dataset's type.
    const counts = await connection.runAndReadAll(
      `SELECT ${allNull.map((c) => `count(${quoteIdent(c.name)})::BIGINT`).join(", ")} FROM ${result}`,
    );
    const row = counts.getRows()[0] ?? [];
    for (const [i, c] of allNull.entries()) {
      const existing = params.existingTypes?.get(c.name);
      if (Number(row[i]) === 0 && existing !== undefined) casts.set(c.name, existing);
    }
  }
  for (const [name, type] of casts) {
    const q = quoteIdent(name);
    const from = data.find((c) => c.name === name)?.type;
    const converted = from === "VARCHAR" ? tryConvertSql(q, type) : `TRY_CAST(${q} AS ${type})`;
    const bad = await connection.runAndReadAll(
      `SELECT CAST(${q} AS VARCHAR) FROM ${result} WHERE ${q} IS NOT NULL AND ${converted} IS NULL LIMIT 1`,
    );
    const value = bad.getRows()[0]?.[0];
    if (value !== undefined) {
      throw new ReadInputError(
        `Column ${name}: cannot read ${JSON.stringify(String(value))} as ${type} (the dataset's type)`,
      );
    }
  }
  const list = [
    ...(hasOp ? [`${OP_TEXT} AS op`, `CAST(op AS VARCHAR) AS ${OP_TEXT_COLUMN}`] : []),
    `${eventTimeExpr} AS event_time`,
    ...data.map((c) => {
      const type = casts.get(c.name);
      return type ? `CAST(${quoteIdent(c.name)} AS ${type}) AS ${quoteIdent(c.name)}` : quoteIdent(c.name);
    }),
  ].join(", ");
  await connection.run(`CREATE OR REPLACE TEMP VIEW ${params.target} AS SELECT ${list} FROM ${result}`);
  let rowCount: number;
  try {
    const counted = await connection.runAndReadAll(
      eventTime
        ? `SELECT count(*)::BIGINT, count(*) FILTER (WHERE event_time IS NULL)::BIGINT FROM ${params.target}`
        : `SELECT count(*)::BIGINT, 0 FROM ${result}`,
    );
    const row = counted.getRows()[0] ?? [0, 0];
    rowCount = Number(row[0]);
    if (Number(row[1]) > 0)
      throw new ReadInputError(`Column event_time has ${String(row[1])} null values; every record needs an event time`);
  } catch (error) {
    if (error instanceof ReadInputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ReadInputError(
      `Column event_time: ${(message.split("\n")[0] ?? message).replace(/^[A-Za-z ]*Error: /, "")}`,
      { cause: error },
    );
  }
  const appendable = !hasOp && eventTime !== undefined && TIME_TYPES.has(eventTime.type);
  return {
    target: params.target,
    columns: data.map((c) => ({ name: c.name, type: casts.get(c.name) ?? c.type })),
    hasOp,
    rowCount,
    readRows: readRows ?? rowCount,
    appendableTable: appendable && casts.size === 0 && data.every((c, i) => c === fileOrder[i]) ? result : undefined,
  };
}
