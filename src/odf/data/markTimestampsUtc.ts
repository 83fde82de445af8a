import { open } from "node:fs/promises";
import { SliceReadError } from "./errors";

/**
 * Marks top-level millisecond timestamp columns of a Parquet file as UTC-adjusted
 * (`TIMESTAMP(isAdjustedToUTC=true, unit=MILLIS)`), in place.
 *
 * Why: DuckDB writes `TIMESTAMP_MS` with `isAdjustedToUTC=false` and `TIMESTAMPTZ` only in microseconds,
 * while ODF system columns are millisecond UTC timestamps. The flag is a boolean in the Thrift compact
 * footer, encoded in the field header's type nibble (2 = false, 1 = true), so flipping it changes one
 * byte and never the file length or any offset. Values and statistics are unaffected.
 *
 * Throws `SliceReadError` when the footer cannot be parsed or a named column is not a ms timestamp.
 */
export async function markTimestampsUtc(path: string, columnNames: readonly string[]): Promise<void> {
  const file = await open(path, "r+");
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(8);
    await file.read(tail, 0, 8, size - 8);
    if (size < 12 || tail.toString("latin1", 4) !== "PAR1") {
      throw new SliceReadError({ path, problem: "not a Parquet file (no PAR1 trailer)" });
    }
    const footerLength = tail.readUInt32LE(0);
    const footerStart = size - 8 - footerLength;
    if (footerStart < 4) throw new SliceReadError({ path, problem: "footer length out of range" });
    const footer = Buffer.alloc(footerLength);
    await file.read(footer, 0, footerLength, footerStart);
    const columns = readTopLevelTimestampFlags(footer, path);
    for (const name of columnNames) {
      const column = columns.get(name);
      if (column === undefined) {
        throw new SliceReadError({ path, problem: `column ${JSON.stringify(name)} is not a millisecond timestamp` });
      }
      const header = footer[column]!;
      if ((header & 0x0f) === 1) continue;
      await file.write(Buffer.of((header & 0xf0) | 1), 0, 1, footerStart + column);
    }
  } finally {
    await file.close();
  }
}

// Thrift compact protocol types.
const T_STOP = 0;
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;

/**
 * Walks `FileMetaData.schema` (field 2) and returns, for each top-level column whose logical type is
 * `TIMESTAMP(unit=MILLIS)`, the footer position of its `isAdjustedToUTC` field header.
 */
function readTopLevelTimestampFlags(buf: Buffer, path: string): Map<string, number> {
  let pos = 0;
  const fail = (problem: string): never => {
    throw new SliceReadError({ path, problem: `corrupt footer: ${problem}` });
  };
  const byte = (): number => {
    if (pos >= buf.length) fail("truncated");
    return buf[pos++]!;
  };
  const varint = (): number => {
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = byte();
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return value;
      mul *= 128;
    }
    return fail("bad varint");
  };
  const zigzag = (): number => {
    const v = varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  };
  const skip = (type: number): void => {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return;
      case T_BYTE:
        pos += 1;
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        varint();
        return;
      case T_DOUBLE:
        pos += 8;
        return;
      case T_BINARY:
        pos += varint();
        return;
      case T_LIST:
      case T_SET: {
        const [count, elem] = listHeader();
        for (let i = 0; i < count; i++) skipElement(elem);
        return;
      }
      case T_MAP: {
        const count = varint();
        if (count === 0) return;
        const kv = byte();
        for (let i = 0; i < count; i++) {
          skipElement(kv >> 4);
          skipElement(kv & 0x0f);
        }
        return;
      }
      case T_STRUCT:
        forEachField(skip);
        return;
      default:
        fail(`unknown type ${type}`);
    }
  };
  // In lists, booleans are one byte each rather than part of a field header.
  const skipElement = (type: number): void => {
    if (type === T_TRUE || type === T_FALSE) pos += 1;
    else skip(type);
  };
  const listHeader = (): [number, number] => {
    const h = byte();
    const count = h >> 4 === 15 ? varint() : h >> 4;
    return [count, h & 0x0f];
  };
  /** Reads a struct's fields, calling `onField(type, id, headerPos)` with `pos` at the field's value. */
  const forEachField = (onField: (type: number, id: number, headerPos: number) => void): void => {
    let id = 0;
    for (;;) {
      const headerPos = pos;
      const h = byte();
      const type = h & 0x0f;
      if (type === T_STOP) return;
      id = h >> 4 === 0 ? zigzag() : id + (h >> 4);
      onField(type, id, headerPos);
    }
  };

  const result = new Map<string, number>();
  // FileMetaData: skip to field 2 (`schema`) and stop after it; nothing later is needed.
  let id = 0;
  for (;;) {
    const h = byte();
    const type = h & 0x0f;
    if (type === T_STOP) fail("no schema");
    id = h >> 4 === 0 ? zigzag() : id + (h >> 4);
    if (id === 2 && type === T_LIST) break;
    skip(type);
  }
  {
    const [count] = listHeader();
    let remainingTopLevel = -1;
    const depthStack: number[] = [];
    for (let i = 0; i < count; i++) {
      let name = "";
      let children = 0;
      let flagPos = -1;
      let millis = false;
      forEachField((fType, fId) => {
        if (fId === 4 && fType === T_BINARY) {
          const len = varint();
          name = buf.toString("utf8", pos, pos + len);
          pos += len;
        } else if (fId === 5 && fType === T_I32) {
          children = zigzag();
        } else if (fId === 10 && fType === T_STRUCT) {
          forEachField((lType, lId) => {
            if (lId !== 8 || lType !== T_STRUCT) return skip(lType);
            forEachField((tType, tId, tHeader) => {
              if (tId === 1 && (tType === T_TRUE || tType === T_FALSE)) flagPos = tHeader;
              else if (tId === 2 && tType === T_STRUCT) {
                forEachField((uType, uId) => {
                  if (uId === 1) millis = true;
                  skip(uType);
                });
              } else skip(tType);
            });
          });
        } else skip(fType);
      });
      if (i === 0) {
        remainingTopLevel = children;
        continue;
      }
      const topLevel = depthStack.length === 0;
      if (topLevel && flagPos >= 0 && millis) result.set(name, flagPos);
      if (topLevel) remainingTopLevel--;
      else depthStack[depthStack.length - 1]!--;
      if (children > 0) depthStack.push(children);
      while (depthStack.length > 0 && depthStack[depthStack.length - 1] === 0) depthStack.pop();
    }
    if (remainingTopLevel !== 0) fail("schema element count does not match the root's children");
  }
  return result;
}
