import { chmodSync, renameSync } from "node:fs";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { openWorkspace } from "../../src/odf/workspace/workspace";

/**
 * Rewrites every data slice of a dataset in place, replacing one column with an SQL expression,
 * while the metadata chain (and so the recorded block hashes) stays as it was: a dishonest copy
 * for dispute tests and the demo.
 */
export async function tamperDataset(workspaceDir: string, alias: string, column: string, expression: string) {
  const workspace = await openWorkspace(workspaceDir, { fsync: false });
  const dataset = await workspace.open(alias);
  const state = await dataset.chain.state();
  const db = await openDuckDb();
  try {
    for (const { slice } of state.slices) {
      const file = dataset.store.objectPath("data", slice.physicalHash);
      const tmp = `${file}.tampered`;
      await db.connection.run(
        `COPY (SELECT * REPLACE (${expression} AS "${column}") FROM read_parquet('${file}')) TO '${tmp}' (FORMAT parquet)`,
      );
      chmodSync(file, 0o644);
      renameSync(tmp, file);
    }
  } finally {
    db.close();
  }
}
