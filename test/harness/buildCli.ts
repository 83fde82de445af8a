import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The project root and the built CLI entry (`bin/odf` loads it). */
export const ROOT = path.resolve(__dirname, "..", "..");
export const CLI_MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the CLI when `dist/` is missing or older than the sources (CI builds it in `npm ci`). */
export function ensureBuilt(): void {
  const sources = newestMtime(path.join(ROOT, "src"));
  if (existsSync(CLI_MAIN) && statSync(CLI_MAIN).mtimeMs >= sources) return;
  try {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: ROOT,
      stdio: "ignore",
    });
  } catch {
    // tsc emits even when another part has type errors; the check below decides.
  }
  if (!existsSync(CLI_MAIN)) throw new Error("the CLI could not be built (npm run build)");
}
