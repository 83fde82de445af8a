import { open } from "node:fs/promises";

const PROBE_BYTES = 1 << 16;

/**
 * Reads the first record of a UTF-8 (or Latin-1) CSV file and splits it into fields, honouring
 * quotes. Returns `undefined` for an empty file. Used to name string columns without DuckDB's
 * sniffer, which would otherwise guess around a malformed row instead of reporting it.
 */
export async function readCsvFirstLine(
  file: string,
  options: { separator?: string | undefined; quote?: string | undefined },
): Promise<string[] | undefined> {
  const handle = await open(file, "r");
  let text: string;
  try {
    const buffer = Buffer.alloc(PROBE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, PROBE_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return undefined;
  const sep = options.separator ?? ",";
  const quote = options.quote ?? '"';
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
      break;
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
