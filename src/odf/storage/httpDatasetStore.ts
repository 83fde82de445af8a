import type { DatasetStore, ObjectKind } from "./datasetStore";
import { ObjectNotFoundError, RemoteStoreError, StoreError } from "./errors";
import { assertSafeHash } from "./localDatasetStore";

export type HttpDatasetStoreOptions = {
  /** Per-request timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
};

/**
 * A read-only dataset served over the ODF Simple Transfer Protocol: `GET refs/head`,
 * `GET blocks/{hash}`, `GET data/{hash}`, `GET checkpoints/{hash}` relative to the dataset URL.
 */
export function createHttpDatasetStore(url: string, options: HttpDatasetStoreOptions = {}): DatasetStore {
  const base = url.endsWith("/") ? url : `${url}/`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  const get = async (rel: string): Promise<Response | undefined> => {
    let response: Response;
    try {
      response = await doFetch(new URL(rel, base), { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new RemoteStoreError(`Cannot reach ${new URL(rel, base)}: ${(error as Error).message}`, { cause: error });
    }
    if (response.status === 404) return undefined;
    if (response.status >= 500) throw new RemoteStoreError(`${new URL(rel, base)} answered ${response.status}`);
    if (!response.ok) throw new StoreError(`${new URL(rel, base)} answered ${response.status}`);
    return response;
  };

  return {
    location: base,
    writable: false,
    async readRef(name) {
      const response = await get(`refs/${encodeURIComponent(name)}`);
      return response ? (await response.text()).trim() : undefined;
    },
    async readObject(kind: ObjectKind, hash: string) {
      assertSafeHash(hash);
      const response = await get(`${kind}/${hash}`);
      if (!response) throw new ObjectNotFoundError({ kind, hash, location: base });
      return new Uint8Array(await response.arrayBuffer());
    },
    async statObject(kind: ObjectKind, hash: string) {
      assertSafeHash(hash);
      const response = await get(`${kind}/${hash}`);
      if (!response) return undefined;
      const length = response.headers.get("content-length");
      if (length !== null) {
        await response.body?.cancel();
        return Number(length);
      }
      return (await response.arrayBuffer()).byteLength;
    },
    objectPath() {
      throw new StoreError(`Dataset at ${base} is remote: pull it into the workspace first`);
    },
  };
}
