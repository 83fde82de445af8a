import { ManifestValidationError, OdfFormatError } from "../errors";
import { parseDatasetId } from "../identity";
import { multibaseEncode } from "../multibase";
import { parseMultihash } from "../multihash";
import {
  DatasetKindEnum,
  type FieldDef,
  MetadataBlockTable,
  MetadataEventUnion,
  type TableDef,
  type UnionDef,
} from "./schema";
import { normalizeTimestamp } from "./timestamp";
import type { DatasetSnapshot, MetadataBlock, MetadataEvent } from "./types";

type Obj = Record<string, unknown>;

const INT_RANGES = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
} as const;

const EXTRA_KEY = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9_-]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fail(path: string, problem: string): never {
  throw new ManifestValidationError({ path, problem });
}

/**
 * Validates an untrusted value (parsed YAML/JSON) as a metadata block against the schema and returns
 * it in canonical form: fields in schema order, `kind` first, multihashes as `f...`, dataset ids as
 * `did:odf:f...`, timestamps as UTC `...Z`, union-or-string shorthands expanded to `{ kind }`.
 * Throws `ManifestValidationError` naming the path (`content.event.newData.size: expected integer`).
 */
export function parseMetadataBlockObject(value: unknown, path = "content"): MetadataBlock {
  return validateTable(MetadataBlockTable, value, path) as unknown as MetadataBlock;
}

/** Validates an untrusted value as a metadata event (see `parseMetadataBlockObject`). */
export function parseMetadataEventObject(value: unknown, path = "event"): MetadataEvent {
  return validateUnion(MetadataEventUnion, value, path) as unknown as MetadataEvent;
}

/** Validates an untrusted value as the content of a `DatasetSnapshot` manifest. */
export function parseDatasetSnapshotObject(value: unknown, path = "content"): DatasetSnapshot {
  const obj = asObject(value, path);
  for (const key of Object.keys(obj)) {
    if (key !== "name" && key !== "kind" && key !== "metadata") fail(`${path}.${key}`, "unknown field");
  }
  if (typeof obj.name !== "string" || obj.name.length === 0) fail(`${path}.name`, "expected non-empty string");
  if (!DatasetKindEnum.values.includes(obj.kind as string)) fail(`${path}.kind`, "expected one of Root, Derivative");
  if (!Array.isArray(obj.metadata)) fail(`${path}.metadata`, "expected array");
  return {
    name: obj.name,
    kind: obj.kind as DatasetSnapshot["kind"],
    metadata: obj.metadata.map((event, i) => parseMetadataEventObject(event, `${path}.metadata[${i}]`)),
  };
}

/** Validates `value` as the table `def`, returning the canonical object. */
export function validateTable(def: TableDef, value: unknown, path: string, kind?: string): Obj {
  const obj = asObject(value, path);
  const known = def.fields;
  for (const key of Object.keys(obj)) {
    if (key === "kind" && kind !== undefined) continue;
    if (!known.some((f) => f.name === key)) fail(`${path}.${key}`, "unknown field");
  }
  const out: Obj = kind === undefined ? {} : { kind };
  for (const f of known) {
    const v = obj[f.name];
    const p = `${path}.${f.name}`;
    if (v === undefined || v === null) {
      if (f.required) fail(p, "required field is missing");
      continue;
    }
    out[f.name] = validateField(f, v, p);
  }
  return out;
}

/** Validates `value` as a member of `union` (an object with `kind`, or the bare kind for union-or-string). */
export function validateUnion(union: UnionDef, value: unknown, path: string): Obj {
  let input = value;
  if (typeof input === "string" && union.stringForm) input = { kind: input };
  const obj = asObject(input, path);
  const kind = obj.kind;
  if (kind === undefined || kind === null) fail(`${path}.kind`, "required field is missing");
  if (typeof kind !== "string") fail(`${path}.kind`, "expected string");
  const member =
    union.byKind.get(kind) ?? union.members.find((m) => m.kind.toLowerCase() === kind.toLowerCase()) ?? undefined;
  if (!member) {
    fail(
      `${path}.kind`,
      `unknown ${union.name} kind ${JSON.stringify(kind)} (expected one of ${union.members.map((m) => m.kind).join(", ")})`,
    );
  }
  return validateTable(member.table, obj, path, member.kind);
}

function validateField(f: FieldDef, v: unknown, p: string): unknown {
  const t = f.type;
  switch (t.type) {
    case "string":
      if (typeof v !== "string") fail(p, "expected string");
      return v;
    case "bytes":
      if (typeof v !== "string") fail(p, "expected string");
      if (t.form === "multihash") return wrap(p, "expected multihash", () => multibaseEncode(parseMultihash(v)));
      if (t.form === "datasetId") return wrap(p, "expected dataset id", () => parseDatasetId(v).didOdf);
      if (!BASE64.test(v)) fail(p, "expected standard base64 with padding");
      return v;
    case "scalar": {
      if (t.scalar === "bool") {
        if (typeof v !== "boolean") fail(p, "expected boolean");
        return v;
      }
      const n = toInteger(v, p);
      const [min, max] = INT_RANGES[t.scalar];
      if (n < min || n > max) fail(p, `integer out of range [${min}, ${max}]`);
      return n;
    }
    case "enum":
      if (typeof v !== "string" || !t.enum.values.includes(v)) fail(p, `expected one of ${t.enum.values.join(", ")}`);
      return v;
    case "timestamp":
      if (typeof v !== "string") fail(p, "expected RFC 3339 timestamp");
      return wrap(p, "expected RFC 3339 timestamp", () => normalizeTimestamp(v));
    case "extra":
      return validateExtra(v, p);
    case "table":
      return validateTable(t.table, v, p);
    case "union":
      return validateUnion(t.union, v, p);
    case "stringVector":
      return asArray(v, p).map((item, i) => {
        if (typeof item !== "string") fail(`${p}[${i}]`, "expected string");
        return item;
      });
    case "tableVector":
      return asArray(v, p).map((item, i) => validateTable(t.table, item, `${p}[${i}]`));
    case "unionVector":
      return asArray(v, p).map((item, i) => validateUnion(t.union, item, `${p}[${i}]`));
  }
}

function validateExtra(v: unknown, p: string): Obj {
  const obj = asObject(v, p);
  const out: Obj = {};
  for (const [key, value] of Object.entries(obj)) {
    if (!EXTRA_KEY.test(key)) fail(`${p}.${key}`, "attribute keys must look like domain/name");
    out[key] = toJsonValue(value, `${p}.${key}`);
  }
  return out;
}

function toJsonValue(v: unknown, p: string): unknown {
  if (typeof v === "bigint") return toInteger(v, p);
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) fail(p, "expected a finite number");
    return v;
  }
  if (Array.isArray(v)) return v.map((item, i) => toJsonValue(item, `${p}[${i}]`));
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Obj = {};
    for (const [key, value] of Object.entries(v)) out[key] = toJsonValue(value, `${p}.${key}`);
    return out;
  }
  fail(p, "expected a JSON value");
}

function toInteger(v: unknown, p: string): number {
  if (typeof v === "bigint") {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      fail(p, "integer out of the safe range (|n| <= 2^53-1)");
    }
    return Number(v);
  }
  if (typeof v !== "number" || !Number.isInteger(v)) fail(p, "expected integer");
  if (!Number.isSafeInteger(v)) fail(p, "integer out of the safe range (|n| <= 2^53-1)");
  return v;
}

function asObject(v: unknown, p: string): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(p, "expected object");
  return v as Obj;
}

function asArray(v: unknown, p: string): unknown[] {
  if (!Array.isArray(v)) fail(p, "expected array");
  return v;
}

function wrap<T>(p: string, problem: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    const reason = cause instanceof OdfFormatError ? cause.shortMessage : String(cause);
    throw new ManifestValidationError({ path: p, problem: `${problem} (${reason})`, cause });
  }
}
