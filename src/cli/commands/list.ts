import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/** `odf list`: the workspace's datasets with kind, head, block and record counts. */
export const registerList: RegisterCommand = (program, ctx) => {
  program
    .command("list")
    .alias("ls")
    .description("list the datasets of the workspace")
    .option("--format <format>", "table or json", "table")
    .action(async (opts: { format: string }) => {
      const ws = await openCliWorkspace(ctx);
      const rows = [];
      for (const info of await ws.list()) {
        const dataset = await ws.open(info.alias);
        const state = await dataset.chain.state();
        const records = state.lastOffset === undefined ? 0 : state.lastOffset + 1;
        rows.push({
          alias: info.alias,
          kind: info.kind,
          id: info.id,
          head: state.head ?? "",
          blocks: state.sequenceNumber + 1,
          records,
        });
      }
      if (opts.format === "json") {
        ctx.out.line(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        ctx.out.line("No datasets. Create one with `odf dataset new <alias>` or `odf add <manifest.yaml>`.");
        return;
      }
      const { formatTable } = await import("../table.js");
      ctx.out.line(
        formatTable(
          ["alias", "kind", "blocks", "records", "head", "id"],
          rows.map((r) => [r.alias, r.kind, String(r.blocks), String(r.records), r.head, r.id]),
        ),
      );
    });
};
