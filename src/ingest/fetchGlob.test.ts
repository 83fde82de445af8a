import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fetchGlob } from "./fetchGlob";

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-glob-"));
  for (const name of ["s_2023.csv", "s_2024-01.csv", "s_2025-07.csv", "t.csv", "a/z.csv", "b/a.csv", "b/c/d.csv"]) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), "x\n");
  }
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const relative = async (pattern: string) => (await fetchGlob(pattern, dir)).map((m) => m.relativePath);

describe("fetchGlob", () => {
  test("fetchGlob: brace alternatives are globs themselves, and may nest", async () => {
    expect(await relative("s_{2024*,2025*}.csv")).toEqual(["s_2024-01.csv", "s_2025-07.csv"]);
    expect(await relative("s_{2024,2025}*.csv")).toEqual(["s_2024-01.csv", "s_2025-07.csv"]);
    expect(await relative("{s_{2023,2025*},t}.csv")).toEqual(["s_2023.csv", "s_2025-07.csv", "t.csv"]);
    expect(await relative("s_{20[2]3,x?}.csv")).toEqual(["s_2023.csv"]);
  });

  test("fetchGlob: relativePath is below the fixed directory, sorted by it", async () => {
    expect(await relative("**/*.csv")).toEqual([
      "a/z.csv",
      "b/a.csv",
      "b/c/d.csv",
      "s_2023.csv",
      "s_2024-01.csv",
      "s_2025-07.csv",
      "t.csv",
    ]);
    expect(await relative(`${dir}/b/**/*.csv`)).toEqual(["a.csv", "c/d.csv"]);
    expect(await relative("b/c/d.csv")).toEqual(["d.csv"]);
  });
});
