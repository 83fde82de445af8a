/**
 * Content-addressed storage of one dataset: `refs/head`, `blocks/<hash>`, `data/<hash>`,
 * `checkpoints/<hash>` (DESIGN 5.6). Hashes are multibase base16 multihash strings (`f1620...`).
 */
export type ObjectKind = "blocks" | "data" | "checkpoints";

/** A dataset's storage, readable from a local directory or an ODF Simple Transfer Protocol URL. */
export type DatasetStore = {
  /** Where the dataset lives (a directory or a URL), for messages. */
  readonly location: string;
  /** Whether `write*` operations are available. */
  readonly writable: boolean;
  /** The hash a ref points at, or `undefined` when the ref does not exist. */
  readRef(name: string): Promise<string | undefined>;
  /** The bytes of an object; throws `ObjectNotFoundError` when missing. */
  readObject(kind: ObjectKind, hash: string): Promise<Uint8Array>;
  /** Size in bytes of an object, or `undefined` when it is missing. */
  statObject(kind: ObjectKind, hash: string): Promise<number | undefined>;
  /** A local file path of an object (local stores only; engines read Parquet by path). */
  objectPath(kind: ObjectKind, hash: string): string;
};

/** A local, writable dataset store. */
export type WritableDatasetStore = DatasetStore & {
  readonly dir: string;
  /** Writes an object's bytes under its hash (atomically: temp file + rename). */
  writeObject(kind: ObjectKind, hash: string, bytes: Uint8Array): Promise<void>;
  /** Moves a file already on the same filesystem into the store under its hash. */
  moveObjectFrom(kind: ObjectKind, hash: string, sourcePath: string): Promise<void>;
  /** Atomically points a ref at a hash (write + fsync + rename): the commit point of an append. */
  writeRef(name: string, hash: string): Promise<void>;
  /** Every object hash of a kind present on disk (for verification and garbage listing). */
  listObjects(kind: ObjectKind): Promise<string[]>;
};
