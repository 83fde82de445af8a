import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ProviderConfigError } from "./errors";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address");
const nonNegativeInt = z.number().int().nonnegative();

/** The provider configuration file (`provider.yaml`), strict: unknown keys are errors. */
export const providerConfigSchema = z.strictObject({
  /** JSON-RPC endpoints (http(s) or ws(s)); the first one that answers is used, the others are fallbacks. */
  rpcUrls: z.array(z.url()).min(1),
  /** Chain id the RPC endpoints must serve; the provider refuses to start on a mismatch. */
  chainId: z.number().int().positive(),
  /** The oracle contract to serve. */
  oracleAddress: address,
  /** Blocks a request log must be buried under before it is answered (0: answer at inclusion). */
  confirmations: nonNegativeInt.default(0),
  /** First block to scan when the journal has no cursor yet. */
  startBlock: nonNegativeInt.default(0),
  /** Blocks behind the cursor that are scanned again on every poll to detect reorgs by block hash. */
  rescanBlocks: nonNegativeInt.default(32),
  /** Largest block range of one `eth_getLogs` call. */
  maxBlockRange: z.number().int().positive().default(2000),
  /** Polling interval of the log watcher (ms). */
  pollIntervalMs: z.number().int().positive().default(1000),
  /** The ODF workspace holding the datasets served (relative to the config file). */
  workspace: z.string().min(1),
  /** Execute queries through a remote ODF node's `/query` instead of the in-process engine. */
  apiUrl: z.url().optional(),
  /** Result bounds (rows; bytes of the encoded response): a larger result is answered with an error, never truncated. */
  limits: z
    .strictObject({
      maxRows: z.number().int().positive().default(1000),
      maxResultBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024),
      timeoutMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /**
   * Requests naming a dataset this node does not hold: left to other providers (null, the default),
   * or answered with an error after this many seconds.
   */
  unknownDatasetGraceSeconds: nonNegativeInt.nullable().default(null),
  /** Where the transaction signing key comes from: an environment variable, or a 0600 key file. */
  key: z
    .strictObject({
      env: z.string().min(1).optional(),
      file: z.string().min(1).optional(),
    })
    .refine((k) => (k.env === undefined) !== (k.file === undefined), "give exactly one of key.env or key.file")
    .prefault({ env: "ODF_PROVIDER_PRIVATE_KEY" }),
  /** Ed25519 node key (32-byte hex seed file) signing the `/query` commitments; created if missing. */
  nodeKeyFile: z.string().min(1).optional(),
  /** Answer with `provideSignedResult` (EIP-712 attestation, our OdfOracle); false: plain v1 `provideResult`. */
  signedResults: z.boolean().default(true),
  /** Transaction submission. */
  submit: z
    .strictObject({
      /** Transactions in flight at once (distinct nonces). */
      maxInFlight: z.number().int().positive().default(32),
      /** A transaction not mined after this long is replaced with a higher fee. */
      stuckAfterMs: z.number().int().positive().default(30_000),
      /** Fee increase of each replacement, in percent (at least 10, the replacement rule of most nodes). */
      feeBumpPercent: z.number().int().min(10).default(20),
      /** Fee cap (gwei) that replacements never exceed. */
      maxFeePerGasGwei: z.number().positive().default(500),
      /**
       * Gas limit per answer (omitted: computed from the request's callback gas limit and the
       * response size, see `fulfilmentGasLimit`).
       */
      gasLimit: z.number().int().positive().optional(),
      /**
       * Answers sent together in one `provideSignedResults` transaction at most (signed results
       * only; 1: one transaction per answer). Batches form only from answers that queue up.
       */
      maxBatch: z.number().int().min(1).max(256).default(32),
      /** Gas limit a batch transaction stays under. */
      maxBatchGas: z.number().int().min(1_000_000).default(12_000_000),
    })
    .prefault({}),
  /** The provider's HTTP server (`/health`, `/metrics`, `/requests/{id}`, `/status`). */
  http: z
    .strictObject({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8790),
    })
    .prefault({}),
  /** Log level (pino). */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

/** The validated provider configuration. */
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
/** The configuration as written in the file (defaults not applied). */
export type ProviderConfigInput = z.input<typeof providerConfigSchema>;

/**
 * Environment overrides, applied over the file: each variable replaces one key.
 * `ODF_PROVIDER_RPC_URL` takes a comma-separated list.
 */
export const PROVIDER_ENV_OVERRIDES: Readonly<Record<string, (value: string, raw: Record<string, unknown>) => void>> = {
  ODF_PROVIDER_RPC_URL: (v, raw) => {
    raw.rpcUrls = v.split(",").map((s) => s.trim());
  },
  ODF_PROVIDER_CHAIN_ID: (v, raw) => {
    raw.chainId = toNumber("ODF_PROVIDER_CHAIN_ID", v);
  },
  ODF_PROVIDER_ORACLE_ADDRESS: (v, raw) => {
    raw.oracleAddress = v;
  },
  ODF_PROVIDER_CONFIRMATIONS: (v, raw) => {
    raw.confirmations = toNumber("ODF_PROVIDER_CONFIRMATIONS", v);
  },
  ODF_PROVIDER_START_BLOCK: (v, raw) => {
    raw.startBlock = toNumber("ODF_PROVIDER_START_BLOCK", v);
  },
  ODF_PROVIDER_WORKSPACE: (v, raw) => {
    raw.workspace = v;
  },
  ODF_PROVIDER_API_URL: (v, raw) => {
    raw.apiUrl = v;
  },
  ODF_PROVIDER_HTTP_PORT: (v, raw) => {
    raw.http = { ...(raw.http as object | undefined), port: toNumber("ODF_PROVIDER_HTTP_PORT", v) };
  },
  ODF_PROVIDER_KEY_FILE: (v, raw) => {
    raw.key = { file: v };
  },
  ODF_PROVIDER_LOG_LEVEL: (v, raw) => {
    raw.logLevel = v;
  },
};

function toNumber(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new ProviderConfigError(`${name}=${JSON.stringify(value)} is not a number`);
  return n;
}

/**
 * Validates a configuration object (after environment overrides). Relative paths (`workspace`,
 * `key.file`, `nodeKeyFile`) are resolved against `baseDir`. Errors name the key and the bad value.
 */
export function parseProviderConfig(
  raw: unknown,
  options: { env?: Record<string, string | undefined>; baseDir?: string } = {},
): ProviderConfig {
  const env = options.env ?? {};
  const base = options.baseDir ?? process.cwd();
  const object: Record<string, unknown> =
    typeof raw === "object" && raw !== null && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    throw new ProviderConfigError("the file must hold a mapping of keys");
  }
  // Accept a single `rpcUrl` as shorthand for `rpcUrls: [rpcUrl]`.
  if ("rpcUrl" in object) {
    if (!("rpcUrls" in object)) object.rpcUrls = [object.rpcUrl];
    delete object.rpcUrl;
  }
  for (const [name, apply] of Object.entries(PROVIDER_ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== "") apply(value, object);
  }
  const result = providerConfigSchema.safeParse(object);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(root)";
    const value = issue?.path.reduce<unknown>(
      (v, k) =>
        typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined,
      object,
    );
    const shown = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
    throw new ProviderConfigError(`${where}: ${issue?.message ?? "invalid"}${shown}`);
  }
  const config = result.data;
  config.workspace = path.resolve(base, config.workspace);
  if (config.key.file !== undefined) config.key.file = path.resolve(base, config.key.file);
  if (config.nodeKeyFile !== undefined) config.nodeKeyFile = path.resolve(base, config.nodeKeyFile);
  return config;
}

/** Reads and validates a YAML provider config file, with environment overrides from `env`. */
export function loadProviderConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
): ProviderConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ProviderConfigError(`cannot read ${file}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ProviderConfigError(`${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`, {
      cause: error,
    });
  }
  return parseProviderConfig(raw, { env, baseDir: path.dirname(path.resolve(file)) });
}
