import { Option } from "commander";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

function csvField(value: string | null): string {
  if (value === null) return "";
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** `odf tail <alias> [-n N] [--format table|json|csv]`: the last records of a dataset. */
export const registerTail: RegisterCommand = (program, ctx) => {
  program
    .command("tail")
    .description("print the last records of a dataset")
    .argument("<alias>", "dataset alias or id")
    .option(
      "-n, --num <n>",
      "number of records",
      (v) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 0) throw new Error(`-n must be a non-negative integer, got ${v}`);
        return n;
      },
      10,
    )
    .addOption(
      new Option(
        "--format <format>",
        "output format: table (null shown as NULL), json (nested values as objects and arrays, NaN and infinities as the strings NaN, Infinity, -Infinity) or csv (null empty)",
      )
        .choices(["table", "json", "csv"])
        .default("table"),
    )
    .action(async (alias: string, opts: { num: number; format: "table" | "json" | "csv" }) => {
      const { tailDataset } = await import("../../ingest/tailDataset.js");
      const ws = await openCliWorkspace(ctx);
      const tail = await tailDataset(await ws.open(alias), opts.num);
      if (opts.format === "json") {
        ctx.out.line(JSON.stringify(tail.values, null, 2));
      } else if (opts.format === "csv") {
        if (tail.columns.length === 0) return;
        ctx.out.line(
          [tail.columns.map(csvField).join(","), ...tail.rows.map((r) => r.map(csvField).join(","))].join("\n"),
        );
      } else if (tail.columns.length === 0) {
        ctx.out.line(`${alias} has no data yet`);
      } else {
        const { formatTable } = await import("../table.js");
        ctx.out.line(
          formatTable(
            tail.columns,
            tail.rows.map((r) => r.map((v) => v ?? "NULL")),
          ),
        );
      }
    });
};
