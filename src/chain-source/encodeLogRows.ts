import { AbiMismatch, type EventDecoder } from "./compileEventDecoder";
import { LogDecodeError } from "./errors";
import type { RpcLog } from "./getLogs";

/** What to do with a log the event does not decode: skip and count it, or fail the pull. */
export type OnMismatch = "skip" | "fail";

export type EncodeLogRowsParameters = {
  logs: readonly RpcLog[];
  /** Block timestamps (Unix seconds) by block hash. */
  timestamps: ReadonlyMap<string, number>;
  decoder?: EventDecoder | undefined;
  onMismatch: OnMismatch;
};

export type EncodeLogRowsReturnType = {
  /** Newline-delimited JSON rows in the staging form (`createLogStage`). */
  text: string;
  rows: number;
  mismatched: number;
};

function hexOrNull(value: string | undefined): string {
  return value === undefined ? "null" : `"${value.slice(2)}"`;
}

/**
 * Encodes raw RPC logs as staging rows (newline-delimited JSON: hex text without `0x` for binary
 * columns, numbers for integers, the decoded `event` struct as nested JSON). String building on
 * the raw hex is the fast path: no per-log objects, bigint or byte arrays beyond what decoding
 * wide integers needs.
 */
export function encodeLogRows(params: EncodeLogRowsParameters): EncodeLogRowsReturnType {
  const { logs, timestamps, decoder, onMismatch } = params;
  // One growing string (a rope V8 flattens once on write) is ~2x faster than joining an array of lines.
  let text = "";
  let rows = 0;
  let mismatched = 0;
  for (const log of logs) {
    const blockNumber = Number.parseInt(log.blockNumber, 16);
    let event = "";
    if (decoder) {
      try {
        event = `,"e":${decoder.decode(log.topics, log.data)}`;
      } catch (error) {
        if (!(error instanceof AbiMismatch)) throw error;
        if (onMismatch === "fail") {
          throw new LogDecodeError({
            blockNumber,
            logIndex: Number.parseInt(log.logIndex, 16),
            problem: error.message,
          });
        }
        mismatched++;
        continue;
      }
    }
    const ts = timestamps.get(log.blockHash);
    const t = log.topics;
    rows++;
    text +=
      `{"bn":${blockNumber},"bh":"${log.blockHash.slice(2)}","ts":${ts ?? "null"},` +
      `"ti":${Number.parseInt(log.transactionIndex, 16)},"th":"${log.transactionHash.slice(2)}",` +
      `"li":${Number.parseInt(log.logIndex, 16)},"a":"${log.address.slice(2)}",` +
      `"t0":${hexOrNull(t[0])},"t1":${hexOrNull(t[1])},"t2":${hexOrNull(t[2])},"t3":${hexOrNull(t[3])},` +
      `"d":"${log.data.slice(2)}"${event}}\n`;
  }
  return { text, rows, mismatched };
}
