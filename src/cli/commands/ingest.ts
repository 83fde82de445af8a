import type { RegisterCommand } from "../program";

const records = (n: number) => `${n} record${n === 1 ? "" : "s"}`;

import { openCliWorkspace } from "../workspaceOpen";

/** `odf ingest <alias> <file|-> [--source NAME]`: pushes a file (or stdin) through a push source. */
export const registerIngest: RegisterCommand = (program, ctx) => {
  program
    .command("ingest")
    .description("ingest a file (or - for standard input) into a root dataset through its push source")
    .argument("<alias>", "dataset alias or id")
    .argument("<file>", "input file, or - for standard input")
    .option("--source <name>", "push source name (needed when the dataset has several)")
    .option("--event-time <rfc3339>", "event time for records without an event_time column (default: now)")
    .action(async (alias: string, file: string, opts: { source?: string; eventTime?: string }) => {
      const { ingestPush } = await import("../../ingest/ingestPush.js");
      const ws = await openCliWorkspace(ctx);
      const result = await ingestPush(ws, alias, file === "-" ? process.stdin : file, {
        sourceName: opts.source,
        eventTime: opts.eventTime,
      });
      if (result.blockHash === undefined)
        ctx.out.line(`${alias}: no new records (${result.inputRows} read, all already present)`);
      else
        ctx.out.line(
          `${alias}: ${records(result.rowCount)} added from ${result.inputRows} read (block ${result.blockHash})`,
        );
    });
};
