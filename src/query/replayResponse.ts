import { z } from "zod";
import { canonicalJson } from "./canonicalJson";
import { sha3Multihash } from "./commitment";
import { InvalidQueryRequestError, RequestSchemaError } from "./errors";
import { type ExecuteQueryDeps, executeQuery } from "./executeQuery";
import { isJsonObject, type JsonValue } from "./jsonValue";
import { commitmentSchema, type DataFormat, formatZodIssues, outputSchema, queryRequestSchema } from "./queryRequest";
import { asJson } from "./runQuery";

const replayableSchema = z.looseObject({
  input: queryRequestSchema,
  output: outputSchema.optional(),
  commitment: commitmentSchema.optional(),
});

/** The first row where a replay differs from the recorded output (`undefined`: no such row). */
export type RowDifference = { row: number; expected: JsonValue | undefined; actual: JsonValue | undefined };

/** Outcome of `replayResponse`. */
export type ReplayResult =
  | { match: true; outputHash: string }
  | {
      match: false;
      expectedHash: string;
      actualHash: string;
      /** Present when the response carries its output (and the difference is in the rows). */
      firstDifference?: RowDifference;
    };

/**
 * Re-runs a recorded `/query` response locally at its pinned block hashes and compares the output:
 * its hash with `commitment.outputHash` (or with the hash of the recorded `output` when unsigned),
 * and, when the recorded output is there, row by row to name the first differing row. Engine and
 * dataset errors are thrown as they are. Throws `RequestSchemaError` for a file that is not a
 * response with an `input`, `InvalidQueryRequestError` when a dataset is not pinned.
 */
export async function replayResponse(deps: ExecuteQueryDeps, body: JsonValue): Promise<ReplayResult> {
  const parsed = replayableSchema.safeParse(body);
  if (!parsed.success) throw new RequestSchemaError(formatZodIssues(parsed.error));
  const { input, commitment } = parsed.data;
  const rawOutput = isJsonObject(body) ? body.output : undefined;
  const expectedHash = commitment?.outputHash ?? (rawOutput !== undefined ? sha3Multihash(rawOutput) : undefined);
  if (expectedHash === undefined) {
    throw new InvalidQueryRequestError("the response has neither output nor commitment to compare a replay with");
  }
  const datasets = input.datasets ?? [];
  const unpinned = datasets.findIndex((d) => d.blockHash === undefined);
  if (input.datasets === undefined || unpinned >= 0) {
    throw new InvalidQueryRequestError(
      "every input dataset needs a blockHash to replay (ask /query with include: [Input])",
    );
  }
  const replayed = await executeQuery(deps, { ...input, datasets });
  const actualHash = sha3Multihash(asJson(replayed.output));
  if (actualHash === expectedHash) return { match: true, outputHash: actualHash };
  if (rawOutput === undefined || !isJsonObject(rawOutput)) return { match: false, expectedHash, actualHash };
  const format = replayed.output.dataFormat;
  const expectedRows = rowsOf(rawOutput.data ?? null, format);
  const actualRows = rowsOf(replayed.output.data, format);
  const count = Math.max(expectedRows.length, actualRows.length);
  for (let row = 0; row < count; row++) {
    const expected = expectedRows[row];
    const actual = actualRows[row];
    if (expected === undefined || actual === undefined || canonicalJson(expected) !== canonicalJson(actual)) {
      return { match: false, expectedHash, actualHash, firstDifference: { row, expected, actual } };
    }
  }
  return { match: false, expectedHash, actualHash };
}

/** The rows of `output.data` in any layout (`JsonSoA` is transposed into row objects). */
export function rowsOf(data: JsonValue, format: DataFormat): JsonValue[] {
  if (format !== "JsonSoA") return Array.isArray(data) ? [...(data as JsonValue[])] : [];
  if (!isJsonObject(data)) return [];
  const columns = Object.entries(data).map(([name, values]) => [name, Array.isArray(values) ? values : []] as const);
  const length = Math.max(0, ...columns.map(([, values]) => values.length));
  const rows: JsonValue[] = [];
  for (let i = 0; i < length; i++) {
    const row: Record<string, JsonValue> = {};
    for (const [name, values] of columns) {
      Object.defineProperty(row, name, {
        value: (values as JsonValue[])[i] ?? null,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    rows.push(row);
  }
  return rows;
}
