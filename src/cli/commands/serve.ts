import { InvalidArgumentError } from "commander";
import type { RegisterCommand } from "../program";
import { waitForShutdown } from "../waitForShutdown";
import { openCliWorkspace } from "../workspaceOpen";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a TCP port 0-65535, got ${value}`);
  return n;
}

/** `odf serve [--port] [--host]`: the reproducible query API and the transfer protocol over the workspace. */
export const registerServe: RegisterCommand = (program, ctx) => {
  program
    .command("serve")
    .description("serve /query, /verify, /datasets and the ODF transfer protocol over this workspace")
    .option("-p, --port <port>", "TCP port (0: any free port)", port, 8080)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--log-level <level>", "request log level (pino: trace, debug, info, warn, error, silent)", "info")
    .action(async (opts: { port: number; host: string; logLevel: string }) => {
      const ws = await openCliWorkspace(ctx);
      const { default: pino } = await import("pino");
      const { startNode } = await import("../../server/startNode.js");
      const logger = pino({ level: opts.logLevel, base: { service: "odf-serve" } }, pino.destination(2));
      const node = await startNode({ workspace: ws, port: opts.port, host: opts.host, logger });
      if (node.keyCreated) ctx.out.line(`created node key ${node.nodeKey.did} in ${ws.path("node-key.json")}`);
      ctx.out.line(`odf serve: listening on ${node.url} (node ${node.nodeKey.did})`);
      ctx.out.line(`  API docs ${node.url}/docs, OpenAPI ${node.url}/openapi.json`);
      await waitForShutdown();
      await node.close();
      ctx.out.line("odf serve: stopped");
    });
};
