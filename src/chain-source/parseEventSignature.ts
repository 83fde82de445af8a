import { type AbiEvent, parseAbiItem } from "viem";
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
  return event;
}
