import { expect, test } from "vitest";
import { runDemo } from "../../scripts/demo";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("demo: runs end to end (MATCH, dispute upheld, stake slashed) and leaves no process behind", async () => {
  const lines: string[] = [];
  const { childPids } = await runDemo({ log: (l) => lines.push(l) }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${lines.join("\n")}`, { cause: error });
  });
  const text = lines.join("\n");
  expect(text).toMatch(/MATCH request 1: the answer replays byte for byte/);
  expect(text).toMatch(/MISMATCH request 2: row 0, column 0: answered \d+(\.\d+)?, replay gives \d+(\.\d+)?/);
  expect(text).toMatch(/dispute upheld: request 2 overturned/);
  expect(text).toContain("stake slashed: 2 ETH -> 1 ETH");
  expect(text).toContain("request #2 is now Overturned");
  expect(childPids.length).toBeGreaterThan(0);
  for (const pid of childPids) expect(alive(pid)).toBe(false);
}, 120_000);
