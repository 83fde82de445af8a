/** A dataset id in text form: `did:odf:f` + multibase base16 of `0xed01` + 32-byte public key. */
export type DatasetId = `did:odf:f${string}`;

/** One dataset an SQL request reads, under the table name `alias`. */
export type RequestDataset = { alias: string; id: DatasetId };

/** An oracle request (protocol v1, DESIGN 4.2). */
export type OracleRequest = { datasets: RequestDataset[]; sql: string };

/**
 * A cell of a response row. Integers that fit a JS number are `number`, larger ones `bigint`;
 * non-integral numbers are floats. Text carries timestamps, decimals and hex of binary columns.
 */
export type ResponseValue = null | boolean | number | bigint | string;

/** The version of a dataset an answer read: its id and its head block's multihash (`f1620...`). */
export type StateEntry = { datasetId: DatasetId; blockHash: string };

/** A successful answer: rows in query order and the dataset versions read (sorted by id). */
export type OkResponse = { ok: true; rows: ResponseValue[][]; state: StateEntry[] };

/** An answer reporting that the request could not be served (bad SQL, unknown dataset...). */
export type ErrorResponse = { ok: false; errorMessage: string };

/** An oracle response (protocol v1, DESIGN 4.3). */
export type OracleResponse = OkResponse | ErrorResponse;
