import { readFile } from "node:fs/promises";
import { BaseError, type BaseErrorParameters } from "../../errors/base";
import type { JsonValue } from "../../query/jsonValue";
import { errorLines } from "../errorLines";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/** A saved response did not verify (`odf verify-proof`) or did not replay to the same output (`odf replay`). */
export class ResponseCheckFailedError extends BaseError {
  override name = "ResponseCheckFailedError";
  /** The replay ran and gave other output (`odf replay` exits 1), rather than failing to run. */
  readonly mismatch: boolean;
  constructor(message: string, params: BaseErrorParameters & { mismatch?: boolean } = {}) {
    super(message, params);
    this.mismatch = params.mismatch ?? false;
  }
}

async function readResponse(file: string): Promise<JsonValue> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ResponseCheckFailedError(
      `Cannot read ${file}: ${code === "ENOENT" ? "no such file" : (code ?? String(cause))}`,
      {
        cause,
      },
    );
  }
  const { parseJson } = await import("../../query/parseJson.js");
  return parseJson(text);
}

/**
 * `odf verify-proof <response.json>` (offline: hashes and signature) and `odf replay <response.json>`
 * (re-runs the query locally at the recorded block hashes: MATCH, or the first differing row).
 */
export const registerProofCommands: RegisterCommand = (program, ctx) => {
  program
    .command("verify-proof")
    .description("check a saved /query response offline: input, subQueries and output hashes and the node's signature")
    .argument("<response.json>", "a /query response made with include: [Proof]")
    .action(async (file: string) => {
      const body = await readResponse(file);
      const { verifyProof } = await import("../../query/verifyProof.js");
      const result = verifyProof(body);
      if (!result.ok) throw new ResponseCheckFailedError(`${result.error.kind}: ${result.error.message}`);
      const signed = body as { proof: { verificationMethod: string }; output?: unknown };
      ctx.out.line(
        `OK: commitment signed by ${signed.proof.verificationMethod}; input and subQueries hashes match` +
          (signed.output === undefined
            ? " (no output in the file: its hash was not checked)"
            : "; output hash matches"),
      );
    });

  program
    .command("replay")
    .description(
      "re-run a saved /query response against the local datasets and compare the output; exits 0 MATCH, " +
        "1 MISMATCH, 2 when a dataset or block it read is not in the workspace, 3 when the check itself fails",
    )
    .argument("<response.json>", "a /query response with input (include: [Input] or [Proof])")
    .action(async (file: string) => {
      try {
        await replay(file);
      } catch (error) {
        if (error instanceof ResponseCheckFailedError && error.mismatch) throw error; // exit 1
        const { DatasetBlockNotFoundError, DatasetNotFoundError } = await import("../../engines/errors.js");
        const missing = error instanceof DatasetNotFoundError || error instanceof DatasetBlockNotFoundError;
        for (const line of errorLines(error, missing ? "CANNOT-REPLAY " : "")) ctx.out.error(line);
        process.exitCode = missing ? 2 : 3;
      }
    });

  async function replay(file: string): Promise<void> {
    const body = await readResponse(file);
    const ws = await openCliWorkspace(ctx);
    const { createWorkspaceResolver } = await import("../../odf/workspace/workspaceResolver.js");
    const { createDuckDbEngine } = await import("../../engines/duckdb/createDuckDbEngine.js");
    const { replayResponse } = await import("../../query/replayResponse.js");
    const resolver = createWorkspaceResolver(ws);
    const engine = await createDuckDbEngine({ resolver });
    try {
      const result = await replayResponse({ engine, resolver }, body);
      if (result.match) {
        ctx.out.line(`MATCH ${result.outputHash}`);
        return;
      }
      ctx.out.line(`MISMATCH expected ${result.expectedHash}, replay gave ${result.actualHash}`);
      const diff = result.firstDifference;
      if (diff) {
        const { stringifyJson } = await import("../../query/stringifyJson.js");
        const show = (value: JsonValue | undefined) => (value === undefined ? "(no row)" : stringifyJson(value));
        ctx.out.line(`first differing row: ${diff.row}`);
        ctx.out.line(`  recorded: ${show(diff.expected)}`);
        ctx.out.line(`  replayed: ${show(diff.actual)}`);
      }
      throw new ResponseCheckFailedError(
        diff
          ? `replay differs from the recorded output at row ${diff.row}`
          : "replay output hash differs from the commitment",
        { mismatch: true },
      );
    } finally {
      await engine.close();
    }
  }
};
