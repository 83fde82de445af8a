import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import type { ObjectKind, WritableDatasetStore } from "./datasetStore";
import { ObjectNotFoundError, StoreError } from "./errors";

const HASH_RE = /^[A-Za-z0-9_-]{8,128}$/;
const REF_RE = /^[a-z][a-z0-9_-]{0,63}$/;

/** Guards a hash before it becomes part of a path (no `..`, no slashes). */
export function assertSafeHash(hash: string, what = "hash"): void {
  if (!HASH_RE.test(hash)) throw new StoreError(`Invalid ${what}: ${JSON.stringify(hash.slice(0, 80))}`);
}

export type LocalDatasetStoreOptions = {
  /** fsync files and the directory before the ref swap (default true): survives power loss, not only crashes. */
  fsync?: boolean;
};

/** Writes a file atomically: a temp file in the same directory, optional fsync, then rename. */
export async function writeFileAtomic(
  file: string,
  bytes: Uint8Array | string,
  sync: boolean,
  mode?: number,
): Promise<void> {
  const tmp = path.join(path.dirname(file), `.tmp-${path.basename(file)}-${randomBytes(6).toString("hex")}`);
  const handle = await fs.open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, mode ?? 0o644);
  try {
    await handle.writeFile(bytes);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/**
 * A dataset stored in a local directory with the ODF layout. Objects are immutable and named by
 * their hash; `refs/head` is swapped atomically so a crash never leaves it pointing at missing files.
 */
export async function createLocalDatasetStore(
  dir: string,
  options: LocalDatasetStoreOptions = {},
): Promise<WritableDatasetStore> {
  const sync = options.fsync ?? true;
  const root = path.resolve(dir);
  for (const sub of ["blocks", "data", "checkpoints", "refs"])
    await fs.mkdir(path.join(root, sub), { recursive: true });

  const objectPath = (kind: ObjectKind, hash: string) => {
    assertSafeHash(hash);
    return path.join(root, kind, hash);
  };
  const dirty = new Set<ObjectKind>();
  const syncDir = async (d: string) => {
    if (!sync) return;
    const handle = await fs.open(d, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };

  return {
    location: root,
    dir: root,
    writable: true,
    objectPath,
    async readRef(name) {
      if (!REF_RE.test(name)) throw new StoreError(`Invalid ref name: ${name}`);
      try {
        return (await fs.readFile(path.join(root, "refs", name), "utf8")).trim();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async readObject(kind, hash) {
      try {
        return new Uint8Array(await fs.readFile(objectPath(kind, hash)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT")
          throw new ObjectNotFoundError({ kind, hash, location: root });
        throw error;
      }
    },
    async statObject(kind, hash) {
      try {
        return (await fs.stat(objectPath(kind, hash))).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async writeObject(kind, hash, bytes) {
      await writeFileAtomic(objectPath(kind, hash), bytes, sync);
      dirty.add(kind);
    },
    async moveObjectFrom(kind, hash, sourcePath) {
      const target = objectPath(kind, hash);
      if (sync) {
        const handle = await fs.open(sourcePath, constants.O_RDONLY);
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
      await fs.rename(sourcePath, target);
      dirty.add(kind);
    },
    async writeRef(name, hash) {
      if (!REF_RE.test(name)) throw new StoreError(`Invalid ref name: ${name}`);
      assertSafeHash(hash);
      // Objects must be durable before the ref that makes them reachable: sync the directories
      // written since the last ref update.
      for (const kind of dirty) await syncDir(path.join(root, kind));
      dirty.clear();
      await writeFileAtomic(path.join(root, "refs", name), hash, sync);
      await syncDir(path.join(root, "refs"));
    },
    async listObjects(kind) {
      const names = await fs.readdir(path.join(root, kind));
      return names.filter((n) => !n.startsWith(".")).sort();
    },
  };
}
