/** zod schemas of the `odf dispute` options (loaded only when a dispute command runs). */
import { z } from "zod";
import { BaseError } from "../errors/base";

/** Parses CLI input with a schema; a failure is one line naming the option and the problem. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where =
    issue && issue.path.length > 0
      ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
      : what;
  throw new BaseError(`${where}: ${issue?.message ?? "invalid"}`);
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address");
export const requestId = z.string().regex(/^\d+$/, "expected a request id (a decimal integer)").transform(BigInt);
const block = z.string().regex(/^\d+$/, "expected a block number").transform(BigInt).optional();

export const checkOptions = z.strictObject({
  oracle: address,
  rpc: z.url(),
  fromBlock: block,
  submit: z.boolean().optional(),
  keyFile: z.string().min(1).optional(),
  format: z.enum(["text", "json"]).default("text"),
});
export const watchOptions = z.strictObject({
  oracle: address,
  rpc: z.url(),
  fromBlock: block,
  confirmations: z.coerce.number().int().nonnegative().default(0),
  pollInterval: z.coerce.number().int().positive().default(2000),
  metricsPort: z.coerce.number().int().nonnegative().optional(),
  dispute: z.boolean().default(true),
  once: z.boolean().optional(),
  keyFile: z.string().min(1).optional(),
});
export const resolveOptions = z
  .strictObject({
    oracle: address,
    rpc: z.url(),
    upheld: z.boolean().optional(),
    rejected: z.boolean().optional(),
    force: z.boolean().optional(),
    fromBlock: block,
    keyFile: z.string().min(1).optional(),
  })
  .refine((o) => Boolean(o.upheld) !== Boolean(o.rejected), "give exactly one of --upheld or --rejected");
