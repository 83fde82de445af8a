import { BaseError } from "../../errors/base";
import type { JsonValue } from "../../query/jsonValue";
import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/** A bad `odf sql` option (format or `--at` pin). */
export class SqlArgumentError extends BaseError {
  override name = "SqlArgumentError";
}

/** The output formats of `odf sql`. */
export type SqlFormat = "table" | "json" | "csv" | "arrow";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Parses the options of `odf sql` with zod (loaded here, not at CLI start-up); messages name the
 * option and the bad value.
 */
export async function parseSqlOptions(opts: { format: string; at: string[] }): Promise<{
  format: SqlFormat;
  pins: Map<string, string>;
}> {
  const { z } = await import("zod");
  const formatSchema = z.enum(["table", "json", "csv", "arrow"]);
  const pinSchema = z
    .string()
    .regex(/^[^=]+=[^=]+$/, "expected alias=blockHash")
    .transform((text) => {
      const at = text.indexOf("=");
      return { alias: text.slice(0, at), blockHash: text.slice(at + 1) };
    });
  const format = formatSchema.safeParse(opts.format);
  if (!format.success) {
    throw new SqlArgumentError(`--format must be one of table, json, csv, arrow (got ${JSON.stringify(opts.format)})`);
  }
  const pins = new Map<string, string>();
  for (const raw of opts.at) {
    const pin = pinSchema.safeParse(raw);
    if (!pin.success) throw new SqlArgumentError(`--at ${JSON.stringify(raw)}: expected alias=blockHash`);
    if (pins.has(pin.data.alias)) throw new SqlArgumentError(`--at pins ${pin.data.alias} twice`);
    pins.set(pin.data.alias, pin.data.blockHash);
  }
  return { format: format.data, pins };
}

/**
 * `odf sql "<query>"`: runs one sandboxed SELECT over the workspace's datasets, each visible under
 * its alias at its head (or at the block given by `--at alias=blockHash`), and prints the result
 * as a table (with the dataset versions read), JSON, CSV or an Arrow IPC stream.
 */
export const registerSql: RegisterCommand = (program, ctx) => {
  program
    .command("sql")
    .description("run a read-only SQL query over the workspace's datasets (each visible under its alias)")
    .argument("<query>", "one SELECT statement")
    .option("--format <format>", "table, json, csv or arrow", "table")
    .option("--at <alias=blockHash>", "read a dataset as of a block (repeatable)", collect, [])
    .action(async (query: string, opts: { format: string; at: string[] }) => {
      const { format, pins } = await parseSqlOptions(opts);
      const ws = await openCliWorkspace(ctx);
      const { createWorkspaceResolver } = await import("../../odf/workspace/workspaceResolver.js");
      const { createDuckDbEngine } = await import("../../engines/duckdb/createDuckDbEngine.js");
      const resolver = createWorkspaceResolver(ws);
      const available = await ws.list();
      for (const alias of pins.keys()) {
        if (!available.some((d) => d.alias === alias)) {
          throw new SqlArgumentError(`--at ${alias}: no dataset with that alias in the workspace`);
        }
      }
      // Only datasets with at least one block can be read; the rest are not visible.
      const datasets = [];
      for (const d of available) {
        const pinned = pins.get(d.alias);
        if (pinned !== undefined) datasets.push({ id: d.id, alias: d.alias, blockHash: pinned });
        else if ((await (await ws.open(d.alias)).chain.head()) !== undefined)
          datasets.push({ id: d.id, alias: d.alias });
      }
      const engine = await createDuckDbEngine({ resolver });
      try {
        const result = await engine.query({ sql: query, datasets });
        const formats = await import("../../engines/formats/toText.js");
        switch (format) {
          case "table": {
            ctx.out.line(formats.toTextTable(result));
            for (const d of result.datasets) ctx.out.line(`read ${d.alias} at ${d.blockHash}`);
            break;
          }
          case "csv":
            ctx.out.raw(formats.toCsv(result));
            break;
          case "json": {
            // The same JSON as /query's output.data: floats keep a fraction, integers every digit.
            const { layoutJsonData } = await import("../../query/outputData.js");
            const { stringifyJson } = await import("../../query/stringifyJson.js");
            const body = {
              data: layoutJsonData(result, "JsonAoS"),
              datasets: result.datasets,
              engine: result.engine,
            };
            ctx.out.line(stringifyJson(body as unknown as JsonValue, 2));
            break;
          }
          case "arrow": {
            const { toArrowIpc } = await import("../../engines/formats/toArrowTable.js");
            ctx.out.raw(toArrowIpc(result));
            break;
          }
        }
      } finally {
        await engine.close();
      }
    });
};
