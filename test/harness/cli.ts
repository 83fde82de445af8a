import { main } from "../../src/cli/main";
import type { Output } from "../../src/cli/output";

/** Output that records what the CLI printed. */
export type CapturedOutput = Output & { stdout: string; stderr: string };

/** An `Output` that captures standard output and error as strings. */
export function captureOutput(): CapturedOutput {
  const out: CapturedOutput = {
    stdout: "",
    stderr: "",
    isTty: false,
    line: (text) => {
      out.stdout += `${text}\n`;
    },
    raw: (text) => {
      out.stdout += typeof text === "string" ? text : Buffer.from(text).toString("utf8");
    },
    error: (text) => {
      out.stderr += `${text}\n`;
    },
  };
  return out;
}

/** Runs the `odf` CLI in-process with `argv` and returns its exit code and output. */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = captureOutput();
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await main(["node", "odf", ...argv], out);
    return { code, stdout: out.stdout, stderr: out.stderr };
  } finally {
    process.exitCode = saved;
  }
}
