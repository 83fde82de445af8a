import { z } from "zod";

/** The only dialect our engine speaks. */
export const QUERY_DIALECT = "SqlDuckDb";

/** How result rows are laid out in `output.data`. */
export const DATA_FORMATS = ["JsonAoS", "JsonSoA", "JsonAoA"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** How the result schema is described in `output.schema`. */
export const SCHEMA_FORMATS = ["ArrowJson", "OdfJson"] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];

/** Optional parts of a response. */
export const INCLUDES = ["Input", "Proof", "Schema"] as const;
export type Include = (typeof INCLUDES)[number];

/** Maps case and dash variants (`jsonaos`, `json-aos`, `JsonAoa`) to the canonical name. */
function enumVariants<const T extends readonly string[]>(values: T, what: string) {
  const byKey = new Map(values.map((value) => [value.toLowerCase(), value]));
  return z.string().transform((text, ctx): T[number] => {
    const found = byKey.get(text.toLowerCase().replace(/[-_]/g, ""));
    if (found !== undefined) return found;
    ctx.issues.push({
      code: "custom",
      input: text,
      message: `${what} must be one of ${values.join(", ")} (got ${JSON.stringify(text)})`,
    });
    return z.NEVER;
  });
}

export const dataFormatSchema = enumVariants(DATA_FORMATS, "dataFormat");
export const schemaFormatSchema = enumVariants(SCHEMA_FORMATS, "schemaFormat");
export const includeSchema = enumVariants(INCLUDES, "include");

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A dataset of a request: visible to the SQL as `alias`, pinned at `blockHash` when given. */
export const datasetStateSchema = z.strictObject({
  id: z.string().min(1),
  alias: z.string().min(1),
  blockHash: z.string().min(1).optional(),
});
export type DatasetState = z.infer<typeof datasetStateSchema>;

/**
 * Body of `POST /query` (the ODF node's `QueryRequest`). Unknown fields are refused.
 * `datasets` omitted: every dataset of the workspace is visible under its own alias.
 */
export const queryRequestSchema = z.strictObject({
  query: z.string().min(1),
  queryDialect: z.string().default(QUERY_DIALECT),
  dataFormat: dataFormatSchema.default("JsonAoS"),
  include: z.array(includeSchema).default([]),
  schemaFormat: schemaFormatSchema.optional(),
  datasets: z.array(datasetStateSchema).optional(),
  skip: count.default(0),
  limit: count.default(100),
});
export type QueryRequest = z.output<typeof queryRequestSchema>;
export type QueryRequestInput = z.input<typeof queryRequestSchema>;

/** `GET /query` parameters: the request in query-string form (`include` comma-separated). */
export const queryParamsSchema = z.strictObject({
  query: z.string().min(1),
  queryDialect: z.string().optional(),
  dataFormat: z.string().optional(),
  format: z.string().optional(),
  include: z.string().optional(),
  schemaFormat: z.string().optional(),
  skip: z.coerce.number().pipe(count).optional(),
  limit: z.coerce.number().pipe(count).optional(),
});
export type QueryParams = z.infer<typeof queryParamsSchema>;

/** Converts `GET /query` parameters to the body form `POST /query` takes. */
export function queryParamsToRequest(params: QueryParams): QueryRequestInput {
  const dataFormat = params.dataFormat ?? params.format;
  return {
    query: params.query,
    ...(params.queryDialect !== undefined ? { queryDialect: params.queryDialect } : {}),
    ...(dataFormat !== undefined ? { dataFormat } : {}),
    ...(params.include !== undefined
      ? {
          include: params.include
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
        }
      : {}),
    ...(params.schemaFormat !== undefined ? { schemaFormat: params.schemaFormat } : {}),
    ...(params.skip !== undefined ? { skip: params.skip } : {}),
    ...(params.limit !== undefined ? { limit: params.limit } : {}),
  };
}

/** The commitment of a signed response. */
export const commitmentSchema = z.strictObject({
  inputHash: z.string(),
  outputHash: z.string(),
  subQueriesHash: z.string(),
});

/** The proof block of a signed response. `type` is any string here; `verifyQuery` reports a wrong one. */
export const proofSchema = z.strictObject({
  type: z.string(),
  verificationMethod: z.string(),
  proofValue: z.string(),
});

/** `output` of a response: the data as laid out by `dataFormat`, and the schema when asked for. */
export const outputSchema = z.strictObject({
  data: z.unknown(),
  dataFormat: dataFormatSchema,
  schema: z.unknown().optional(),
  schemaFormat: schemaFormatSchema.optional(),
});

/** Engine that produced a response (not committed: a replay reports it when the output differs). */
export const engineInfoSchema = z.strictObject({ name: z.string(), version: z.string() });

/**
 * Body of `POST /verify`: a signed `/query` response. `output` may be left out (as the ODF node
 * expects); when present, it must hash to `commitment.outputHash`.
 */
export const verifyRequestSchema = z.strictObject({
  input: queryRequestSchema,
  subQueries: z.array(z.unknown()),
  commitment: commitmentSchema,
  proof: proofSchema,
  output: outputSchema.optional(),
  engine: engineInfoSchema.optional(),
});
export type VerifyRequest = z.output<typeof verifyRequestSchema>;

/** Parses an unknown value as a query request, naming the first bad key in the error. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
}
