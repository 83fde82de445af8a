/**
 * The query engine interface: what the oracle provider, the HTTP API, replay disputes and
 * derivative transforms code against. The DuckDB implementation is `createDuckDbEngine`
 * (`src/engines/duckdb/createDuckDbEngine.ts`); dataset storage implements `DatasetResolver`.
 */

/** A dataset named by a query: visible to the SQL under `alias`, pinned at `blockHash` if given. */
export type DatasetRef = {
  /** Dataset id, `did:odf:f<68 hex>`. */
  id: string;
  /** Table name the SQL uses for this dataset (any text; quoted by the engine). */
  alias: string;
  /** Multibase multihash of the metadata block to read up to (`f1620...`); omitted: current head. */
  blockHash?: string;
};

/** What a resolver is asked to find: a dataset by id (or alias when no id) at a block (or head). */
export type DatasetLookup = {
  id?: string;
  alias?: string;
  blockHash?: string;
};

/** A dataset version, resolved to its data files. */
export type ResolvedDataset = {
  /** Dataset id, `did:odf:f...`. */
  id: string;
  /** Alias of the dataset in the workspace (the engine exposes it under the query's alias instead). */
  alias: string;
  /** The pinned block hash, or the head at resolution time (`f1620...`). */
  blockHash: string;
  /** Absolute paths of the Parquet data slices up to that block, oldest first (may be empty). */
  dataFiles: readonly string[];
  /**
   * Arrow schema of the data (system columns first) as DuckDB column definitions, used to give an
   * empty dataset (no data files yet) its columns. Optional: without it an empty dataset is an error.
   */
  schema?: readonly { name: string; type: string }[];
};

/**
 * Finds datasets and their data files. Throws `DatasetNotFoundError` (unknown id/alias),
 * `DatasetBlockNotFoundError` (block hash not in the dataset's chain) or `InvalidBlockHashError`
 * (malformed block hash) from `./errors`.
 */
export type DatasetResolver = {
  resolve(lookup: DatasetLookup): Promise<ResolvedDataset>;
  /** Every dataset of the workspace at its head (used by `odf sql` to expose all of them). */
  list?(): Promise<readonly { id: string; alias: string }[]>;
};

/** Bounds of one query. Exceeding any of them is a `QueryLimitError` naming the limit. */
export type QueryLimits = {
  /** Maximum rows in the result (after skip/limit). Never truncated silently. Default 100 000. */
  maxRows: number;
  /** Maximum size of the result values in bytes (as measured by `estimateResultBytes`). Default 64 MiB. */
  maxResultBytes: number;
  /** Wall-clock time limit in milliseconds; the query is interrupted when it passes. Default 30 000. */
  timeoutMs: number;
  /** DuckDB memory limit for the query's database (DuckDB syntax, e.g. `1GB`). Default `1GB`. */
  memoryLimit: string;
};

/** Parameters of `QueryEngine.query`. */
export type QueryParameters = {
  /** Exactly one SELECT statement (a trailing `;` is allowed). */
  sql: string;
  /** The datasets visible to the query (nothing else is). Aliases must be unique. */
  datasets: readonly DatasetRef[];
  /** Overrides of the engine's default limits. */
  limits?: Partial<QueryLimits>;
  /**
   * An explicit window over the result rows (the API's `skip`/`limit`): rows outside it are not
   * returned and `maxRows` applies to the window. Without it, all rows are returned.
   */
  window?: { skip: number; limit: number };
};

/** Normalized type tag of a result column (what encoders branch on). */
export type ResultTypeTag =
  | "null"
  | "boolean"
  | "integer"
  | "float"
  | "decimal"
  | "string"
  | "binary"
  | "date"
  | "time"
  | "timestamp"
  | "interval"
  | "uuid"
  | "list"
  | "struct"
  | "map"
  | "other";

/** One column of a result. */
export type ResultColumn = {
  /** Column name as the query produced it. */
  name: string;
  /** DuckDB's type text, e.g. `BIGINT`, `DECIMAL(18,3)`, `TIMESTAMP WITH TIME ZONE`, `INTEGER[]`. */
  duckdbType: string;
  /** Normalized tag of the type. */
  tag: ResultTypeTag;
  /** Element/field columns of nested types (list: one child named `item`; struct/map: the fields). */
  children?: readonly ResultColumn[];
};

/**
 * A normalized result value. Mapping from DuckDB types:
 * - NULL → `null`; BOOLEAN → `boolean`
 * - every integer type (TINYINT…HUGEINT, UTINYINT…UHUGEINT) → `bigint`
 * - FLOAT, DOUBLE → `number` (NaN and ±Infinity kept as they are)
 * - DECIMAL → `string`, exact decimal text with the type's scale (`"12.30"`)
 * - VARCHAR, ENUM → `string`; UUID → `string` (lowercase, hyphenated)
 * - DATE → `string` `YYYY-MM-DD`; TIME → `string` `HH:MM:SS[.fffffffff]`
 * - TIMESTAMP (any unit, with or without time zone) → `string` RFC 3339 UTC, `2024-09-02T21:50:00Z`,
 *   fractional seconds only when non-zero, trailing zeros dropped (up to 9 digits)
 * - INTERVAL → `string` ISO 8601 duration (`P1M2DT3.5S`, `PT0S` for zero)
 * - BLOB, BIT → `Uint8Array` (bit strings as their text, `string`)
 * - LIST, ARRAY → `ResultValue[]`; STRUCT → `{ [field]: ResultValue }`;
 *   MAP → `{ [keyText]: ResultValue }` (keys converted to text)
 *
 * Integers are always `bigint` and floats always `number`, so encoders can tell them apart
 * (the oracle's CBOR maps bigint → CBOR int, number → shortest exact float).
 */
export type ResultValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | readonly ResultValue[]
  | { readonly [key: string]: ResultValue };

/** A dataset as a query read it. */
export type ResolvedDatasetRef = {
  id: string;
  alias: string;
  /** The pinned block hash, or the head resolved when the query ran. */
  blockHash: string;
};

/** Name and version of the engine that produced a result; a replay must use the same. */
export type EngineInfo = { name: string; version: string };

/** Result of `QueryEngine.query`. */
export type QueryResult = {
  columns: readonly ResultColumn[];
  /** Rows in the order the engine produced them, each with one value per column. */
  rows: readonly (readonly ResultValue[])[];
  /** The datasets the query read, resolved, sorted by id (then alias). */
  datasets: readonly ResolvedDatasetRef[];
  engine: EngineInfo;
};

/** A query engine: runs sandboxed, reproducible SELECTs over pinned dataset versions. */
export type QueryEngine = {
  /** Engine name, e.g. `duckdb`. */
  readonly name: string;
  /** Engine library version, e.g. `v1.5.0`. */
  readonly version: string;
  /**
   * Runs one SELECT over the named datasets. Throws from `./errors`: `InvalidQueryError`,
   * `ForbiddenQueryError`, `QueryLimitError`, `DatasetNotFoundError`, `DatasetBlockNotFoundError`,
   * `InvalidBlockHashError`, `DuplicateAliasError`, `QueryExecutionError`.
   */
  query(params: QueryParameters): Promise<QueryResult>;
  /** Releases the engine's resources. Further queries fail. */
  close(): Promise<void>;
};
