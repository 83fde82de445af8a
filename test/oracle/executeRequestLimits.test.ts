import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDuckDbEngine } from "../../src/engines/duckdb/createDuckDbEngine";
import type { QueryEngine } from "../../src/engines/types";
import { openWorkspace } from "../../src/odf/workspace/workspace";
import { createWorkspaceResolver } from "../../src/odf/workspace/workspaceResolver";
import { decodeResponse } from "../../src/oracle/codec/decodeResponse";
import { executeRequest } from "../../src/oracle/provider/executeRequest";
import { loadOrCreateNodeKey } from "../../src/oracle/provider/nodeKey";
import { createLocalQueryRunner } from "../../src/oracle/provider/queryRunner";
import { createTestWorkspace, requestBytes } from "./providerFixture";

let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
let engine: QueryEngine;
let run: (sql: string) => ReturnType<typeof executeRequest>;

beforeAll(async () => {
  ws = await createTestWorkspace();
  engine = await createDuckDbEngine({ resolver: createWorkspaceResolver(await openWorkspace(ws.workspaceDir)) });
  const maxResultBytes = 65536;
  const runner = createLocalQueryRunner({
    engine,
    nodeKey: loadOrCreateNodeKey(path.join(ws.dir, "node.key")),
    maxResultBytes,
    timeoutMs: 30_000,
  });
  run = (sql) => executeRequest({ runner, maxRows: 100, maxResultBytes }, requestBytes(ws.datasetId, ws.alias, sql));
});
afterAll(async () => {
  await engine?.close();
  ws?.close();
});

test("executeRequest: maxResultBytes bounds the encoded response, not 2 bytes a character", async () => {
  const fits = await run("SELECT repeat('x', 33000) AS s");
  expect(fits).toMatchObject({ kind: "answer" });
  expect(fits.kind === "answer" && fits.error).toBeUndefined();
  const response = fits.kind === "answer" ? fits.response : new Uint8Array();
  expect(response.length).toBeLessThan(34_000);
  expect(decodeResponse(response)).toMatchObject({ ok: true, rows: [["x".repeat(33000)]] });

  const over = await run("SELECT repeat('x', 70000) AS s");
  expect(over).toMatchObject({ kind: "answer", error: { reason: "too_large" } });
  const message = over.kind === "answer" ? over.error?.message : undefined;
  expect(message).toMatch(/^Encoded response is 700\d\d bytes, larger than the limit of 65536 bytes$/);
  expect(decodeResponse(over.kind === "answer" ? over.response : new Uint8Array())).toEqual({
    ok: false,
    errorMessage: message,
  });

  // Far over: the engine stops reading before the whole result is in memory.
  const far = await run("SELECT repeat('x', 6000) AS s FROM range(100)");
  expect(far).toMatchObject({
    kind: "answer",
    error: { reason: "too_large", message: "Encoded response is larger than 65536 bytes" },
  });
});
