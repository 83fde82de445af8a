import { z } from "zod";
import { LogsFlagError } from "./errors";

/** zod schema of the `odf dataset new --from-logs` flags (loaded only when that command runs). */
const newFlags = z.object({
  fromLogs: z.literal(true),
  rpc: z.array(z.string().url()).optional(),
  chainId: z.number().int().nonnegative().optional(),
  address: z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address")).optional(),
  event: z.string().optional(),
  fromBlock: z.number().int().nonnegative().optional(),
  filter: z.string().optional(),
  allEvents: z.boolean().optional(),
});

function parseFlags<T>(schema: z.ZodType<T>, opts: Record<string, unknown>): T {
  const parsed = schema.safeParse(opts);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = `--${String(issue?.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new LogsFlagError(`${flag}: ${issue?.message ?? "invalid value"}`);
}

/** Parses and checks the `--from-logs` flags of `odf dataset new`; errors name the flag. */
export function parseNewFlags(opts: Record<string, unknown>): z.infer<typeof newFlags> {
  return parseFlags(newFlags, opts);
}
