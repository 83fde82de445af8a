import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";

/** What a command module may import at its top level: nothing that loads viem, DuckDB, Arrow, fastify or zod. */
const ALLOWED = new Set([
  "commander",
  "../program",
  "../output",
  "../table",
  "../workspaceOpen",
  "../workspaceDir",
  "../waitForShutdown",
  "../errorLines",
  "../../errors/base",
  // Error modules import only errors/base.
  "../../chain-source/errors",
  // Extension registries of other commands (light modules).
  "./dataset",
  "./pull",
  "./verify",
]);

/** Value imports at a module's top level (`import type` is erased and does not count). */
function topLevelValueImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)) found.push(match[1] as string);
  for (const match of source.matchAll(/^import\s+"([^"]+)";/gm)) found.push(match[1] as string);
  return found;
}

describe("CLI start-up: command modules load their heavy parts inside the action", () => {
  test("topLevelValueImports: sees value imports, skips type imports", () => {
    const source =
      'import type { A } from "viem";\nimport { z } from "zod";\nimport {\n  x,\n  type Y,\n} from "../../engines/x";\nimport "pino";\n';
    expect(topLevelValueImports(source)).toEqual(["zod", "../../engines/x", "pino"]);
  });

  for (const name of readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts")
    .map((f) => f.slice(0, -3))) {
    test(`${name}.ts imports only commander, node:*, the CLI layer and errors/base at the top`, async () => {
      const source = await readFile(path.join(__dirname, `${name}.ts`), "utf8");
      const heavy = topLevelValueImports(source).filter((spec) => !spec.startsWith("node:") && !ALLOWED.has(spec));
      expect(heavy).toEqual([]);
      // Lazy imports use the `.js` suffix, which resolves both compiled and under vitest.
      for (const match of source.matchAll(/await import\("(\.[^"]+)"\)/g)) expect(match[1]).toMatch(/\.js$/);
    });
  }
});
