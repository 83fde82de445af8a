import { openDuckDb } from "../../engines/duckdb/openDuckDb";
import { logicalHash } from "../data/logicalHash";
import { physicalHash } from "../data/physicalHash";
import type { FileHasher } from "./verifyDataset";

/** The hashers verification uses: streamed SHA3 for bytes, DuckDB for the logical hash of Parquet. */
export async function createFileHasher(): Promise<FileHasher & { close(): Promise<void> }> {
  const db = await openDuckDb({ threads: 2 });
  return {
    physicalHash,
    logicalHash: (path) => logicalHash(db.connection, path),
    async close() {
      db.close();
    },
  };
}
