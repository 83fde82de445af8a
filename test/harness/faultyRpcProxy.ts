import { createServer, type IncomingMessage, type Server } from "node:http";

/** A JSON-RPC proxy that loses and delays calls on purpose (the "bad network" of the fault tests). */
export type FaultyRpcProxy = {
  url: string;
  /** Calls dropped so far (connection closed without a reply). */
  readonly dropped: number;
  /** Calls forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Starts a proxy in front of `target`. Each call is dropped with probability `dropRate` — half of
 * the drops before forwarding (the call never happened), half after (it happened, the reply is
 * lost) — and the others are delayed by up to `maxDelayMs`. A seeded generator keeps runs repeatable.
 */
export async function startFaultyRpcProxy(params: {
  target: string;
  dropRate?: number;
  maxDelayMs?: number;
  seed?: number;
}): Promise<FaultyRpcProxy> {
  const dropRate = params.dropRate ?? 0.2;
  const maxDelayMs = params.maxDelayMs ?? 200;
  let state = params.seed ?? 42;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  let dropped = 0;
  let forwarded = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const roll = random();
    if (roll < dropRate / 2) {
      dropped += 1;
      req.socket.destroy();
      return;
    }
    const dropReply = roll < dropRate;
    if (!dropReply) await new Promise((r) => setTimeout(r, random() * maxDelayMs));
    let reply: Response;
    try {
      reply = await fetch(params.target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Uint8Array(body),
      });
    } catch {
      req.socket.destroy();
      return;
    }
    const text = await reply.text();
    if (dropReply) {
      dropped += 1;
      req.socket.destroy();
      return;
    }
    forwarded += 1;
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return dropped;
    },
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
