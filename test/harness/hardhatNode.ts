import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** A running `hardhat node` child process. */
export type HardhatNode = {
  /** JSON-RPC URL on loopback. */
  url: string;
  port: number;
  chainId: number;
  process: ChildProcess;
  /** Kills the node and waits for it to exit. */
  stop(): Promise<void>;
};

/** Asks the OS for a free loopback TCP port. */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The project root: the nearest ancestor holding `hardhat.config.ts` (from `test/` or compiled `dist/test/`). */
function findRoot(dir: string): string {
  if (existsSync(path.join(dir, "hardhat.config.ts"))) return dir;
  const parent = path.dirname(dir);
  return parent === dir ? path.resolve(__dirname, "..", "..") : findRoot(parent);
}

const ROOT = findRoot(__dirname);

/**
 * Starts a real `hardhat node` on a free loopback port (chain id 31337, automine) and resolves once
 * it accepts JSON-RPC. Call `stop()` in `afterAll`. `onSpawn` sees the child before it is ready
 * (so a caller interrupted during start-up can still kill it).
 */
export async function startHardhatNode(
  options: { port?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<HardhatNode> {
  const port = options.port ?? (await getFreePort());
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "cli.js"),
      "node",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" } },
  );
  options.onSpawn?.(child);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start in 60s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Started HTTP and WebSocket JSON-RPC server")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code}:\n${output}`));
    });
  });
  // Keep draining its output so the pipe never fills and blocks the node.
  child.stdout?.removeAllListeners("data");
  child.stderr?.removeAllListeners("data");
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    chainId: 31337,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
