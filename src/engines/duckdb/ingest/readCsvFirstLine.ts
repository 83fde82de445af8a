import { open } from "node:fs/promises";
import path from "node:path";
import { ReadInputError } from "../../../ingest/errors";

const PROBE_BYTES = 1 << 16;

// DuckDB's CSV encodings (see `readStepSql`) as Node's; DuckDB's utf-16 is little-endian.
const NODE_ENCODINGS: Record<string, BufferEncoding> = { "utf-16": "utf16le", "latin-1": "latin1" };

/** Splits the first record of `text` into fields; `complete` is false when it may go on past the text. */
function splitFirstRecord(text: string, sep: string, quote: string): { fields: string[]; complete: boolean } {
  const fields: string[] = [];
  let field = "";
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== "" && ch === quote) {
      if (inQuotes && text[i + 1] === quote) {
        field += quote;
        i++;
      } else inQuotes = !inQuotes;
    } else if (!inQuotes && text.startsWith(sep, i)) {
      fields.push(field);
      field = "";
      i += sep.length - 1;
    } else if (!inQuotes && (ch === "\n" || ch === "\r")) {
      fields.push(field);
      return { fields, complete: true };
    } else field += ch;
  }
  fields.push(field);
  return { fields, complete: false };
}

/**
 * Reads the first record of a CSV file in its encoding (DuckDB's name: `utf-8`, `utf-16`,
 * `latin-1`) and splits it into fields, honouring quotes. Returns `undefined` for an empty file.
 * Used to name string columns without DuckDB's sniffer, which would otherwise guess around a
 * malformed row instead of reporting it. A record longer than `maxBytes` is a `ReadInputError`.
 */
export async function readCsvFirstLine(
  file: string,
  options: {
    separator?: string | undefined;
    quote?: string | undefined;
    encoding?: string | undefined;
    maxBytes: number;
  },
): Promise<string[] | undefined> {
  const encoding = NODE_ENCODINGS[options.encoding ?? ""] ?? "utf8";
  const sep = options.separator ?? ",";
  const quote = options.quote ?? '"';
  const handle = await open(file, "r");
  try {
    let buffer = Buffer.alloc(0);
    for (let size = PROBE_BYTES; ; size *= 2) {
      const chunk = Buffer.alloc(Math.min(size, options.maxBytes + 1 - buffer.length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, buffer.length);
      buffer = Buffer.concat([buffer, chunk.subarray(0, bytesRead)]);
      let text = buffer.toString(encoding);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const atEnd = bytesRead < chunk.length;
      if (atEnd && text.trim() === "") return undefined;
      const { fields, complete } = splitFirstRecord(text, sep, quote);
      if (complete || atEnd) return fields;
      if (buffer.length > options.maxBytes) {
        throw new ReadInputError(
          `${path.basename(file)} line 1: longer than the maximum line size (${options.maxBytes} bytes)`,
          { line: 1 },
        );
      }
    }
  } finally {
    await handle.close();
  }
}
