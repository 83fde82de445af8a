import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A fault-injecting JSON-RPC proxy: forwards to `target`, refusing `eth_getLogs` over `maxBlocks` blocks. */
export type RpcProxy = { url: string; refused: number; served: number; maxServedSpan: number; close(): Promise<void> };

type RpcCall = { id: unknown; method: string; params?: unknown[] };

/**
 * Starts the proxy on a free loopback port. A refused call is answered like Infura does
 * (`-32005`, "query returned more than ... results / block range too large").
 */
export async function startRpcProxy(
  target: string,
  maxBlocks: number,
  options: {
    /** Answer `eth_getBlockByNumber` calls with a node error ("header not found") while this returns true. */
    failHeaders?: () => boolean;
  } = {},
): Promise<RpcProxy> {
  const state = { refused: 0, served: 0, maxServedSpan: 0 };
  const span = (call: RpcCall): number | undefined => {
    if (call.method !== "eth_getLogs") return undefined;
    const filter = call.params?.[0] as { fromBlock?: string; toBlock?: string } | undefined;
    if (!filter?.fromBlock || !filter.toBlock) return undefined;
    return Number(BigInt(filter.toBlock) - BigInt(filter.fromBlock)) + 1;
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcCall | RpcCall[];
      const calls = Array.isArray(body) ? body : [body];
      const refusals = new Map<unknown, object>();
      const forward: RpcCall[] = [];
      for (const call of calls) {
        const s = span(call);
        if (call.method === "eth_getBlockByNumber" && options.failHeaders?.()) {
          refusals.set(call.id, { jsonrpc: "2.0", id: call.id, error: { code: -32000, message: "header not found" } });
        } else if (s !== undefined && s > maxBlocks) {
          state.refused++;
          refusals.set(call.id, {
            jsonrpc: "2.0",
            id: call.id,
            error: { code: -32005, message: `block range too large: ${s} blocks, at most ${maxBlocks} allowed` },
          });
        } else {
          if (s !== undefined) {
            state.served++;
            state.maxServedSpan = Math.max(state.maxServedSpan, s);
          }
          forward.push(call);
        }
      }
      let answers: object[] = [];
      if (forward.length > 0) {
        const response = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(forward),
        });
        answers = (await response.json()) as object[];
      }
      const byId = new Map(answers.map((a) => [(a as { id: unknown }).id, a]));
      const out = calls.map((c) => refusals.get(c.id) ?? byId.get(c.id));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(body) ? out : out[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get refused() {
      return state.refused;
    },
    get served() {
      return state.served;
    },
    get maxServedSpan() {
      return state.maxServedSpan;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
