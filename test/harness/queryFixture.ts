import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createStaticResolver } from "../../src/engines/createStaticResolver";
import { createDuckDbEngine } from "../../src/engines/duckdb/createDuckDbEngine";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import type { DatasetResolver, QueryEngine, QueryLimits } from "../../src/engines/types";
import { datasetIdFromPublicKey } from "../../src/odf/identity";
import { sha3MultihashString } from "../../src/odf/multihash";

/** A small real dataset for query API tests: two Parquet slices (two blocks) of weather readings. */
export type QueryFixture = {
  dir: string;
  engine: QueryEngine;
  resolver: DatasetResolver;
  /** `did:odf:` id of the `weather` dataset. */
  weatherId: string;
  /** Block hashes of `weather`: the first adds rows 0-2, the second (the head) rows 3-5. */
  blocks: readonly [string, string];
  /** A well-formed id that no dataset has. */
  unknownId: string;
  close(): Promise<void>;
};

/** Writes the fixture's Parquet files into a temp dir and opens a real DuckDB engine over them. */
export async function createQueryFixture(limits: Partial<QueryLimits> = {}): Promise<QueryFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "odf-query-"));
  const db = await openDuckDb();
  const slice = (file: string, from: number, rows: string) =>
    db.connection.run(
      `COPY (SELECT (${from} + row_number() OVER () - 1)::BIGINT AS "offset", 0::TINYINT AS op,
              TIMESTAMP '2026-01-01 00:00:00' AS system_time, ts::TIMESTAMP AS event_time, city, temp::DOUBLE AS temp
            FROM (VALUES ${rows}) AS t(ts, city, temp))
       TO '${path.join(dir, file)}' (FORMAT PARQUET)`,
    );
  await slice(
    "a.parquet",
    0,
    "('2025-01-01', 'Oslo', 1.0), ('2025-01-01', 'Rome', 12.5), ('2025-01-02', 'Oslo', -3.25)",
  );
  await slice(
    "b.parquet",
    3,
    "('2025-01-02', 'Rome', 11.0), ('2025-01-03', 'Oslo', 0.1), ('2025-01-03', 'Rome', 13.7)",
  );
  db.close();

  const weatherId = datasetIdFromPublicKey(new Uint8Array(32).fill(7)).didOdf;
  const unknownId = datasetIdFromPublicKey(new Uint8Array(32).fill(9)).didOdf;
  const blocks = [
    sha3MultihashString(new TextEncoder().encode("weather block 1")),
    sha3MultihashString(new TextEncoder().encode("weather block 2")),
  ] as const;
  const resolver = createStaticResolver([
    {
      id: weatherId,
      alias: "weather",
      blocks: [
        { blockHash: blocks[0], dataFiles: [path.join(dir, "a.parquet")] },
        { blockHash: blocks[1], dataFiles: [path.join(dir, "b.parquet")] },
      ],
    },
  ]);
  const engine = await createDuckDbEngine({ resolver, limits });
  return {
    dir,
    engine,
    resolver,
    weatherId,
    blocks,
    unknownId,
    async close() {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
