import { type AbiEvent, type AbiParameter, type Hex, toEventSelector } from "viem";
import {
  componentName,
  flatEventFields,
  integerBits,
  isHashedWhenIndexed,
  orderedEventParams,
  splitArrayType,
} from "./abiColumns";

/** Thrown inside decoders for data that does not fit the event's types; the caller counts or fails. */
export class AbiMismatch extends Error {
  override name = "AbiMismatch";
}

/**
 * Decodes one value whose encoding starts at character `pos` of the hex text `d` (no `0x`) and
 * returns it as JSON text in the staging form (`jsonTypeOfAbi`).
 */
type DecodeAt = (d: string, pos: number) => string;

type Spec = { dynamic: boolean; headWords: number; decodeAt: DecodeAt };

const WORD = 64;
const TWO_256 = 1n << 256n;

function word(d: string, pos: number): string {
  if (pos < 0 || pos + WORD > d.length) throw new AbiMismatch(`read past the end of the data at byte ${pos / 2}`);
  return d.slice(pos, pos + WORD);
}

/** Reads an offset or length word as a safe number. */
function readSize(d: string, pos: number): number {
  const w = word(d, pos);
  for (let i = 0; i < WORD - 12; i++)
    if (w.charCodeAt(i) !== 48) throw new AbiMismatch("offset or length out of range");
  return Number.parseInt(w.slice(WORD - 12), 16);
}

function allZero(w: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (w.charCodeAt(i) !== 48) return false;
  return true;
}

function integerDecoder(signed: boolean, bits: number): DecodeAt {
  const quoted = bits > 64;
  const lead = WORD - bits / 4;
  if (!signed) {
    return (d, pos) => {
      const w = word(d, pos);
      if (!allZero(w, 0, lead)) throw new AbiMismatch(`value does not fit uint${bits}`);
      const text = bits <= 48 ? String(Number.parseInt(w.slice(lead), 16)) : BigInt(`0x${w.slice(lead)}`).toString();
      return quoted ? `"${text}"` : text;
    };
  }
  const min = -(1n << BigInt(bits - 1));
  const max = (1n << BigInt(bits - 1)) - 1n;
  return (d, pos) => {
    let v = BigInt(`0x${word(d, pos)}`);
    if (v >> 255n) v -= TWO_256;
    if (v < min || v > max) throw new AbiMismatch(`value does not fit int${bits}`);
    return quoted ? `"${v}"` : v.toString();
  };
}

function leafDecoder(type: string): DecodeAt {
  const int = integerBits(type);
  if (int) {
    if (int.bits < 8 || int.bits > 256 || int.bits % 8 !== 0) throw new TypeError(`Invalid ABI type ${type}`);
    return integerDecoder(int.signed, int.bits);
  }
  if (type === "bool") {
    return (d, pos) => {
      const w = word(d, pos);
      if (!allZero(w, 0, WORD - 1)) throw new AbiMismatch("bool is neither 0 nor 1");
      const last = w[WORD - 1];
      if (last === "0") return "false";
      if (last === "1") return "true";
      throw new AbiMismatch("bool is neither 0 nor 1");
    };
  }
  if (type === "address") {
    return (d, pos) => {
      const w = word(d, pos);
      if (!allZero(w, 0, 24)) throw new AbiMismatch("address has non-zero padding");
      return `"${w.slice(24)}"`;
    };
  }
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const n = Number(fixed[1]);
    if (n < 1 || n > 32) throw new TypeError(`Invalid ABI type ${type}`);
    return (d, pos) => {
      const w = word(d, pos);
      if (!allZero(w, n * 2, WORD)) throw new AbiMismatch(`bytes${n} has non-zero padding`);
      return `"${w.slice(0, n * 2)}"`;
    };
  }
  if (type === "bytes" || type === "string") {
    const isString = type === "string";
    return (d, pos) => {
      const length = readSize(d, pos);
      const start = pos + WORD;
      const end = start + length * 2;
      if (end > d.length) throw new AbiMismatch(`${type} runs past the end of the data`);
      const hex = d.slice(start, end);
      return isString ? JSON.stringify(Buffer.from(hex, "hex").toString("utf8")) : `"${hex}"`;
    };
  }
  throw new TypeError(`Unsupported ABI type ${JSON.stringify(type)}`);
}

/** Decodes a sequence of values laid out as a tuple starting at `base` (heads, then tails). */
function sequenceDecoder(items: { spec: Spec; key: string | undefined }[]): { headWords: number; decode: DecodeAt } {
  const heads: number[] = [];
  let headWords = 0;
  for (const item of items) {
    heads.push(headWords);
    headWords += item.spec.headWords;
  }
  const decode: DecodeAt = (d, base) => {
    let out = "";
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as { spec: Spec; key: string | undefined };
      const head = base + (heads[i] as number) * WORD;
      const value = item.spec.dynamic
        ? item.spec.decodeAt(d, base + readSize(d, head) * 2)
        : item.spec.decodeAt(d, head);
      if (i > 0) out += ",";
      out += item.key === undefined ? value : `${item.key}:${value}`;
    }
    return out;
  };
  return { headWords, decode };
}

type Typed = { type: string; components?: readonly AbiParameter[] | undefined };

function compileSpec(param: Typed): Spec {
  const array = splitArrayType(param.type);
  if (array) {
    const element = compileSpec({ type: array.inner, components: param.components });
    if (array.length === undefined) {
      return {
        dynamic: true,
        headWords: 1,
        decodeAt: (d, pos) => {
          const n = readSize(d, pos);
          if (n * WORD > d.length) throw new AbiMismatch("array length exceeds the data");
          const seq = sequenceDecoder(Array.from({ length: n }, () => ({ spec: element, key: undefined })));
          return `[${seq.decode(d, pos + WORD)}]`;
        },
      };
    }
    const seq = sequenceDecoder(Array.from({ length: array.length }, () => ({ spec: element, key: undefined })));
    return {
      dynamic: element.dynamic,
      headWords: element.dynamic ? 1 : seq.headWords,
      decodeAt: (d, pos) => `[${seq.decode(d, pos)}]`,
    };
  }
  if (param.type === "tuple") {
    const comps = (param.components ?? []).map((c, i) => ({
      spec: compileSpec(c),
      key: JSON.stringify(componentName(c, i)),
    }));
    const dynamic = comps.some((c) => c.spec.dynamic);
    const seq = sequenceDecoder(comps);
    return { dynamic, headWords: dynamic ? 1 : seq.headWords, decodeAt: (d, pos) => `{${seq.decode(d, pos)}}` };
  }
  const dynamic = param.type === "bytes" || param.type === "string";
  return { dynamic, headWords: 1, decodeAt: leafDecoder(param.type) };
}

/** A compiled decoder of one event's logs into the staging JSON of its `event` struct. */
export type EventDecoder = {
  /** topic0 of the event (`keccak256` of its canonical signature). */
  readonly selector: Hex;
  /** Parameters of the event: with none there is no `event` column (the decoder still checks the log). */
  readonly fieldCount: number;
  /**
   * Decodes a log's topics (0x-prefixed, topic0 first) and data (0x-prefixed hex) into the JSON
   * object text of the `event` struct. Throws `AbiMismatch` when the log is not this event.
   */
  decode(topics: readonly string[], data: string): string;
  /**
   * Whether the event is flat (`flatEventFields`): then `decodeFlat` gives its fields as
   * tab-separated text, in `event` struct order.
   */
  readonly flat: boolean;
  /** The fields of a flat event as tab-separated text (hex without `0x`, decimals). Throws `AbiMismatch` like `decode`. */
  decodeFlat(topics: readonly string[], data: string): string;
};

/** A flat field's JSON text without its quotes: for these types it is plain hex or decimal text. */
function unquote(json: string): string {
  return json.charCodeAt(0) === 34 ? json.slice(1, -1) : json;
}

/**
 * Compiles a decoder for a (non-anonymous) event. It works on the hex text directly (no
 * intermediate byte arrays or bigint objects for small values), which makes it an order of
 * magnitude faster than a generic ABI decoder on the ingest hot path, and strict: values that do
 * not fit their type (padding, widths, lengths) are a mismatch.
 */
export function compileEventDecoder(event: AbiEvent): EventDecoder {
  const selector = toEventSelector(event);
  const ordered = orderedEventParams(event);
  const indexed = ordered.filter((p) => p.indexed);
  const topicDecoders = indexed.map((p) => ({
    key: JSON.stringify(p.name),
    decode: isHashedWhenIndexed(p.param.type)
      ? (d: string, pos: number) => `"${word(d, pos)}"`
      : compileSpec(p.param).decodeAt,
  }));
  const bodyParams = ordered.filter((p) => !p.indexed);
  const bodySpecs = bodyParams.map((p) => compileSpec(p.param));
  const body = sequenceDecoder(bodyParams.map((p, i) => ({ spec: bodySpecs[i] as Spec, key: JSON.stringify(p.name) })));
  const topicCount = indexed.length + 1;
  const bodyHeads = bodySpecs.map((_, i) => i * WORD);
  const flat = flatEventFields(event) !== undefined;
  const check = (topics: readonly string[], data: string): string => {
    if (topics.length !== topicCount) {
      throw new AbiMismatch(`has ${topics.length} topics, the event has ${topicCount}`);
    }
    if (topics[0]?.toLowerCase() !== selector) throw new AbiMismatch("topic0 is another event's");
    const d = data.length > 2 ? data.slice(2) : "";
    if (body.headWords * WORD > d.length) throw new AbiMismatch("data is shorter than the event's parameters");
    return d;
  };
  return {
    selector,
    fieldCount: ordered.length,
    flat,
    decodeFlat(topics, data) {
      if (!flat) throw new TypeError("decodeFlat: the event is not flat");
      const d = check(topics, data);
      let out = "";
      for (let i = 0; i < topicDecoders.length; i++) {
        const t = topicDecoders[i] as { key: string; decode: DecodeAt };
        if (i > 0) out += "\t";
        out += unquote(t.decode((topics[i + 1] as string).slice(2), 0));
      }
      // Flat bodies are one head word each; `bytes` is the one dynamic kind (its offset in the head).
      for (let i = 0; i < bodySpecs.length; i++) {
        const spec = bodySpecs[i] as Spec;
        const head = bodyHeads[i] as number;
        const value = spec.dynamic ? spec.decodeAt(d, readSize(d, head) * 2) : spec.decodeAt(d, head);
        if (i > 0 || topicDecoders.length > 0) out += "\t";
        out += unquote(value);
      }
      return out;
    },
    decode(topics, data) {
      const d = check(topics, data);
      let out = "{";
      for (let i = 0; i < topicDecoders.length; i++) {
        const t = topicDecoders[i] as { key: string; decode: DecodeAt };
        const topic = (topics[i + 1] as string).slice(2);
        if (i > 0) out += ",";
        out += `${t.key}:${t.decode(topic, 0)}`;
      }
      const rest = body.decode(d, 0);
      if (rest) out += topicDecoders.length > 0 ? `,${rest}` : rest;
      return `${out}}`;
    },
  };
}
