import { promises as fs } from "node:fs";
import { InvalidArgumentError, Option } from "commander";
import type { SetTransform } from "../../odf/metadata/types";
import type { CliContext, RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";
import { datasetNewExtensions } from "./dataset";
import { verifyExtensions } from "./verify";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--input name=ref` or `--input ref` as a SetTransform input. */
function parseInputs(values: readonly string[] | undefined): SetTransform["inputs"] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.map((value) => {
    const eq = value.indexOf("=");
    const alias = eq > 0 ? value.slice(0, eq) : undefined;
    const ref = eq > 0 ? value.slice(eq + 1) : value;
    if (ref === "") throw new InvalidArgumentError(`--input ${JSON.stringify(value)}: expected <ref> or <alias>=<ref>`);
    return alias === undefined ? { datasetRef: ref } : { datasetRef: ref, alias };
  });
}

async function queryOf(opts: { query?: string; queryFile?: string }): Promise<string | undefined> {
  if (opts.query !== undefined && opts.queryFile !== undefined) {
    throw new InvalidArgumentError("give --query or --query-file, not both");
  }
  if (opts.queryFile !== undefined) return fs.readFile(opts.queryFile, "utf8");
  return opts.query;
}

const inputOption = () =>
  new Option("--input <ref>", "transform input: a dataset alias or id, or <name>=<ref> (repeatable)").argParser(
    collect,
  );

async function replayCheck(alias: string, opts: Record<string, unknown>, ctx: CliContext): Promise<string[]> {
  const ws = await openCliWorkspace(ctx);
  const dataset = await ws.open(alias);
  if (dataset.kind !== "Derivative") return [];
  const { replayTransforms } = await import("../../transform/replayTransforms.js");
  const started = performance.now();
  const result = await replayTransforms(ws, dataset, { allowEngineMismatch: Boolean(opts.allowEngineMismatch) });
  if (result.engineMismatches.length > 0) {
    ctx.out.error(
      `${dataset.alias}: warning: replayed with another engine version than recorded (${result.engineMismatches.join(", ")})`,
    );
  }
  if (result.mismatch) {
    const m = result.mismatch;
    return [`block ${m.sequenceNumber} (blocks/${m.blockHash}): does not reproduce: ${m.message}`];
  }
  const seconds = (performance.now() - started) / 1000;
  ctx.out.line(
    `${dataset.alias}: replayed ${result.blocks} ExecuteTransform blocks (${result.inputRows} input records, ${result.outputRows} output records) in ${seconds.toFixed(2)} s: all reproduce`,
  );
  return [];
}

/**
 * Derivative datasets on the command line: `odf transform set`, `odf lineage`, and extensions of
 * `odf dataset new` (`--input`, `--query`) and `odf verify` (`--replay`, `--allow-engine-mismatch`).
 * Registered before `dataset` and `verify` so their extensions are in place.
 */
export const registerTransformCli: RegisterCommand = (program, ctx) => {
  // The extension arrays are module-wide; `main()` may run many times in one process (tests).
  if (!verifyExtensions.some((e) => e.key === "replay")) registerExtensions();
  registerCommands(program, ctx);
};

function registerExtensions(): void {
  datasetNewExtensions.push({
    options: [
      inputOption(),
      new Option("--query <sql>", "derivative datasets: the transform's SQL"),
      new Option("--query-file <file>", "derivative datasets: read the transform's SQL from a file"),
    ],
    async handle(alias, opts, cliCtx) {
      if (opts.input === undefined && opts.query === undefined && opts.queryFile === undefined) return false;
      if (opts.kind !== "derivative") throw new InvalidArgumentError("--input and --query need --kind derivative");
      const inputs = parseInputs(opts.input as string[] | undefined);
      const query = await queryOf(opts as { query?: string; queryFile?: string });
      if (!inputs || query === undefined)
        throw new InvalidArgumentError("a derivative dataset needs --input and --query");
      const ws = await openCliWorkspace(cliCtx);
      const { setTransform } = await import("../../transform/setTransform.js");
      const created = await ws.create({ alias, kind: "Derivative" });
      try {
        await setTransform(ws, created, { inputs, query });
      } catch (error) {
        await fs.rm(created.dir, { recursive: true, force: true });
        await fs.rm(ws.path(".keys", `${created.id.slice("did:odf:".length)}.key`), { force: true });
        throw error;
      }
      cliCtx.out.line(`Created derivative dataset ${created.alias} (${created.id})`);
      return true;
    },
  });
  verifyExtensions.push(
    {
      flags: "--replay",
      description: "derivative datasets: re-execute every ExecuteTransform and compare the output hashes",
      key: "replay",
      run: replayCheck,
    },
    {
      flags: "--allow-engine-mismatch",
      description: "with --replay: replay blocks recorded with another engine version",
      key: "allowEngineMismatch",
      run: async (_alias, opts) => (opts.replay ? [] : ["--allow-engine-mismatch needs --replay"]),
    },
  );
}

function registerCommands(program: Parameters<RegisterCommand>[0], ctx: CliContext): void {
  program
    .command("lineage")
    .description("print the dependency graph of a dataset (its transform inputs, down to the roots)")
    .argument("<alias>", "dataset alias or id")
    .addOption(new Option("--format <format>", "output format").choices(["text", "dot"]).default("text"))
    .action(async (alias: string, opts: { format: "text" | "dot" }) => {
      const ws = await openCliWorkspace(ctx);
      const { lineage, formatLineageDot, formatLineageText } = await import("../../transform/lineage.js");
      const graph = await lineage(ws, alias);
      ctx.out.line(opts.format === "dot" ? formatLineageDot(graph) : formatLineageText(graph));
    });

  program
    .command("transform")
    .description("manage the SQL transforms of derivative datasets")
    .command("set")
    .description("write a new SetTransform (query migration or engine upgrade), pinned to the running engine")
    .argument("<alias>", "derivative dataset alias or id")
    .addOption(inputOption())
    .option("--query <sql>", "the new SQL (default: keep the current query)")
    .option("--query-file <file>", "read the new SQL from a file")
    .action(async (alias: string, opts: { input?: string[]; query?: string; queryFile?: string }) => {
      const ws = await openCliWorkspace(ctx);
      const dataset = await ws.open(alias);
      const { setTransform } = await import("../../transform/setTransform.js");
      const inputs = parseInputs(opts.input);
      const query = await queryOf(opts);
      const { blockHash, event } = await setTransform(ws, dataset, {
        ...(inputs ? { inputs } : {}),
        ...(query !== undefined ? { query } : {}),
      });
      ctx.out.line(
        `${dataset.alias}: SetTransform ${blockHash} (${event.transform.engine} ${event.transform.version}, ${event.inputs.length} input${event.inputs.length === 1 ? "" : "s"})`,
      );
    });
}
