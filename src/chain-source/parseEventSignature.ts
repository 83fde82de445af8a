import { type AbiEvent, type AbiParameter, parseAbiItem } from "viem";
import { EventSignatureError } from "./errors";

/**
 * Parses a Solidity event signature (`Transfer(address indexed from, address indexed to, uint256 value)`,
 * with or without the leading `event`; tuples inline as `(uint256 x, bytes y) name`) into a viem
 * `AbiEvent`. Throws `EventSignatureError` for anything else, and for anonymous events (they have
 * no topic0 to recognise them by).
 */
export function parseEventSignature(signature: string): AbiEvent {
  const text = signature.trim().replace(/;$/, "");
  let item: unknown;
  try {
    item = parseAbiItem(/^event\s/.test(text) ? text : `event ${text}`);
  } catch (error) {
    throw new EventSignatureError(signature, { cause: error, details: (error as Error).message });
  }
  const event = item as AbiEvent;
  if (event.type !== "event") throw new EventSignatureError(signature);
  if (event.anonymous) throw new EventSignatureError(signature, { details: "anonymous events are not supported" });
  // Topics hold topic0 and at most three indexed parameters: a fourth could never match a log.
  if (event.inputs.filter((p) => p.indexed).length > 3) {
    throw new EventSignatureError(signature, { details: "an event has at most 3 indexed parameters" });
  }
  const repeated = repeatedName(event.inputs);
  if (repeated !== undefined) {
    throw new EventSignatureError(signature, { details: `two parameters are named ${JSON.stringify(repeated)}` });
  }
  return event;
}

/** A name used twice among parameters or tuple components (decoded columns are case-insensitive). */
function repeatedName(params: readonly AbiParameter[]): string | undefined {
  const seen = new Set<string>();
  for (const p of params) {
    if (p.name) {
      if (seen.has(p.name.toLowerCase())) return p.name;
      seen.add(p.name.toLowerCase());
    }
    const inner = "components" in p ? repeatedName(p.components) : undefined;
    if (inner !== undefined) return inner;
  }
  return undefined;
}
