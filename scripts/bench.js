#!/usr/bin/env node
// Runs one benchmark: `npm run bench -- <name>` builds the project, then runs dist/bench/<name>.js,
// which prints a table and writes bench/results/<name>.json.
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync, readdirSync } = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const name = process.argv[2];
const available = readdirSync(path.join(root, "bench"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>\navailable: ${available.join(", ")}\n`);
  process.exit(2);
}
try {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
} catch {
  // tsc still emits JavaScript when it reports type errors; run the benchmark, but say so.
  process.stderr.write("bench: the build reported type errors (above); running the emitted JavaScript anyway\n");
}
const entry = path.join(root, "dist", "bench", `${name}.js`);
if (!existsSync(entry)) throw new Error(`benchmark not built: ${entry}`);
require(entry)
  .run(process.argv.slice(3))
  .then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`bench ${name} failed: ${error && error.stack ? error.stack : error}\n`);
      process.exit(1);
    },
  );
