import { promises as fs } from "node:fs";
import path from "node:path";
import { DatasetNotFoundError } from "../../engines/errors";
import { createMetadataChain, type WritableMetadataChain } from "../chain/metadataChain";
import { datasetIdFromPublicKey, generateDatasetKey } from "../identity";
import type { DatasetKind } from "../metadata/types";
import type { WritableDatasetStore } from "../storage/datasetStore";
import { createLocalDatasetStore, writeFileAtomic } from "../storage/localDatasetStore";
import { DatasetExistsError, InvalidAliasError, NotAWorkspaceError } from "./errors";

const ALIAS_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const WORKSPACE_FILE = "workspace.json";
const KEYS_DIR = ".keys";

/** A dataset of the workspace: its identity, storage and metadata chain. */
export type Dataset = {
  alias: string;
  id: string;
  kind: DatasetKind;
  dir: string;
  store: WritableDatasetStore;
  chain: WritableMetadataChain;
};

/** A listing entry of the workspace. */
export type DatasetInfo = { alias: string; id: string; kind: DatasetKind; dir: string };

/** A directory holding many datasets, addressed by alias and by id (`odf init`). */
export type Workspace = {
  readonly dir: string;
  list(): Promise<DatasetInfo[]>;
  /** Opens a dataset by alias or by `did:odf:` id; throws `DatasetNotFoundError`. */
  open(aliasOrId: string): Promise<Dataset>;
  /** Whether a dataset with that alias or id exists. */
  has(aliasOrId: string): Promise<boolean>;
  /**
   * Creates a dataset: a fresh ed25519 key (kept in the workspace, mode 0600), the directory layout
   * and the Seed block. Throws `DatasetExistsError` when the alias is taken.
   */
  create(params: { alias: string; kind: DatasetKind; systemTime?: string }): Promise<Dataset>;
  /** Creates an empty dataset directory for a known id (used by `odf pull <url>`), no Seed written. */
  createEmpty(params: { alias: string; id: string; kind: DatasetKind }): Promise<Dataset>;
  /** Path of a workspace-level file (node key, provider journal, ...). */
  path(...parts: string[]): string;
  /** Write-or-fsync policy for this workspace's stores. */
  readonly fsync: boolean;
};

/** Options for opening a workspace. */
export type WorkspaceOptions = {
  /** fsync every object and the head ref (default true). */
  fsync?: boolean;
};

/** Throws `InvalidAliasError` unless `alias` is a valid dataset alias. */
export function assertAlias(alias: string): void {
  if (!ALIAS_RE.test(alias)) throw new InvalidAliasError(alias);
}

/** Creates a new workspace directory (idempotent: an existing workspace is returned as is). */
export async function initWorkspace(dir: string, options: WorkspaceOptions = {}): Promise<Workspace> {
  const root = path.resolve(dir);
  await fs.mkdir(root, { recursive: true });
  await fs.mkdir(path.join(root, KEYS_DIR), { recursive: true, mode: 0o700 });
  const file = path.join(root, WORKSPACE_FILE);
  try {
    await fs.writeFile(file, `${JSON.stringify({ odfWorkspace: 1 }, null, 2)}\n`, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return openWorkspace(root, options);
}

/** Opens an existing workspace; throws `NotAWorkspaceError` when `dir` is not one. */
export async function openWorkspace(dir: string, options: WorkspaceOptions = {}): Promise<Workspace> {
  const root = path.resolve(dir);
  try {
    await fs.access(path.join(root, WORKSPACE_FILE));
  } catch {
    throw new NotAWorkspaceError(root);
  }
  const fsync = options.fsync ?? process.env.ODF_FSYNC !== "0";
  const opened = new Map<string, Dataset>();

  const readInfo = async (alias: string): Promise<DatasetInfo | undefined> => {
    try {
      const info = JSON.parse(await fs.readFile(path.join(root, alias, "info.json"), "utf8")) as {
        id: string;
        kind: DatasetKind;
      };
      return { alias, id: info.id, kind: info.kind, dir: path.join(root, alias) };
    } catch {
      return undefined;
    }
  };

  const list = async (): Promise<DatasetInfo[]> => {
    const entries = await fs.readdir(root, { withFileTypes: true });
    const infos: DatasetInfo[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || !ALIAS_RE.test(e.name)) continue;
      const info = await readInfo(e.name);
      if (info) infos.push(info);
    }
    return infos.sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  };

  const find = async (aliasOrId: string): Promise<DatasetInfo | undefined> => {
    if (aliasOrId.startsWith("did:")) return (await list()).find((d) => d.id === aliasOrId);
    if (!ALIAS_RE.test(aliasOrId)) return undefined;
    return readInfo(aliasOrId);
  };

  const openInfo = async (info: DatasetInfo): Promise<Dataset> => {
    const existing = opened.get(info.alias);
    if (existing && existing.id === info.id) return existing;
    const store = await createLocalDatasetStore(info.dir, { fsync });
    const dataset: Dataset = { ...info, store, chain: createMetadataChain(store) };
    opened.set(info.alias, dataset);
    return dataset;
  };

  const makeDir = async (alias: string, id: string, kind: DatasetKind): Promise<Dataset> => {
    assertAlias(alias);
    const dir = path.join(root, alias);
    try {
      await fs.mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A directory without info.json and without a head is what a create killed right after
      // mkdir leaves: nothing refers to it, so it is made anew rather than blocking the alias.
      const head = await fs.stat(path.join(dir, "refs", "head")).catch(() => undefined);
      if ((await readInfo(alias)) !== undefined || head !== undefined) throw new DatasetExistsError(alias);
      await fs.rm(dir, { recursive: true, force: true });
      await fs.mkdir(dir);
    }
    await writeFileAtomic(path.join(dir, "info.json"), `${JSON.stringify({ id, kind }, null, 2)}\n`, fsync);
    return openInfo({ alias, id, kind, dir });
  };

  return {
    dir: root,
    fsync,
    list,
    path: (...parts) => path.join(root, ...parts),
    async has(aliasOrId) {
      return (await find(aliasOrId)) !== undefined;
    },
    async open(aliasOrId) {
      const info = await find(aliasOrId);
      if (!info) throw new DatasetNotFoundError({ datasetId: aliasOrId });
      return openInfo(info);
    },
    async create({ alias, kind, systemTime }) {
      assertAlias(alias);
      if (await find(alias)) throw new DatasetExistsError(alias);
      const keys = generateDatasetKey();
      const id = datasetIdFromPublicKey(keys.publicKey).didOdf;
      const keyFile = path.join(root, KEYS_DIR, `${id.slice("did:odf:".length)}.key`);
      await fs.mkdir(path.join(root, KEYS_DIR), { recursive: true, mode: 0o700 });
      await writeFileAtomic(
        keyFile,
        `${JSON.stringify({ datasetId: id, alias, ed25519SecretKeyHex: Buffer.from(keys.secretKey).toString("hex") })}\n`,
        fsync,
        0o600,
      );
      const dataset = await makeDir(alias, id, kind);
      await dataset.chain.append({ kind: "Seed", datasetId: id, datasetKind: kind }, systemTime ? { systemTime } : {});
      return dataset;
    },
    async createEmpty({ alias, id, kind }) {
      if (await find(alias)) throw new DatasetExistsError(alias);
      return makeDir(alias, id, kind);
    },
  };
}
