import { parseAllDocuments, stringify } from "yaml";
import { ManifestValidationError } from "../errors";
import type { DatasetSnapshot, ManifestVersion, MetadataBlock } from "./types";
import { parseDatasetSnapshotObject, parseMetadataBlockObject } from "./validate";

type Obj = Record<string, unknown>;

/**
 * Prints a metadata block as a YAML manifest: `kind: MetadataBlock`, `version`, `content` (the block
 * in the JS/YAML form of the ODF JSON schemas).
 */
export function blockToYaml(block: MetadataBlock, version: ManifestVersion = 3): string {
  return stringify({ kind: "MetadataBlock", version, content: block }, { lineWidth: 0 });
}

/** A metadata block parsed from a YAML manifest, with the manifest version it asks for. */
export type ParseMetadataBlockYamlReturnType = { block: MetadataBlock; version: ManifestVersion };

/**
 * Parses a YAML `MetadataBlock` manifest (a single document; version 2 or 3) and validates its content
 * against the schema. Throws `ManifestValidationError` naming the path of the first problem.
 */
export function parseMetadataBlockYaml(text: string): ParseMetadataBlockYamlReturnType {
  const docs = parseYamlDocuments(text);
  if (docs.length !== 1) fail("<yaml>", `expected one YAML document, got ${docs.length}`);
  const manifest = checkManifest(docs[0], "", "MetadataBlock", [2, 3]);
  return {
    block: parseMetadataBlockObject(manifest.content, "content"),
    version: manifest.version as ManifestVersion,
  };
}

/**
 * Parses a YAML file of `DatasetSnapshot` manifests (`kind: DatasetSnapshot`, `version: 1`,
 * `content: { name, kind: Root|Derivative, metadata: [events...] }`). The file may hold several
 * documents separated by `---`; one snapshot is returned per document, in order.
 * Throws `ManifestValidationError` naming the path (prefixed `[i].` when the file has several documents).
 */
export function parseDatasetSnapshotYaml(text: string): DatasetSnapshot[] {
  const docs = parseYamlDocuments(text);
  if (docs.length === 0) fail("<yaml>", "no YAML document found");
  return docs.map((doc, i) => {
    const prefix = docs.length > 1 ? `[${i}].` : "";
    const manifest = checkManifest(doc, prefix, "DatasetSnapshot", [1]);
    return parseDatasetSnapshotObject(manifest.content, `${prefix}content`);
  });
}

function parseYamlDocuments(text: string): unknown[] {
  const values: unknown[] = [];
  for (const doc of parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: true })) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      fail("<yaml>", `${line === undefined ? "" : `line ${line}: `}${error.message.split("\n")[0]}`);
    }
    if (doc.contents === null) continue;
    values.push(doc.toJS({ maxAliasCount: 100 }));
  }
  return values;
}

function checkManifest(doc: unknown, prefix: string, kind: string, versions: number[]): Obj {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) fail(`${prefix}<manifest>`, "expected object");
  const m = doc as Obj;
  for (const key of Object.keys(m)) {
    if (key !== "kind" && key !== "version" && key !== "content") fail(`${prefix}${key}`, "unknown field");
  }
  if (m.kind !== kind) fail(`${prefix}kind`, `expected ${kind}, got ${JSON.stringify(m.kind ?? null)}`);
  const version = typeof m.version === "bigint" ? Number(m.version) : m.version;
  if (typeof version !== "number" || !versions.includes(version)) {
    fail(`${prefix}version`, `unsupported ${kind} version ${String(m.version)} (supported: ${versions.join(", ")})`);
  }
  if (m.content === undefined) fail(`${prefix}content`, "required field is missing");
  return { ...m, version };
}

function fail(path: string, problem: string): never {
  throw new ManifestValidationError({ path, problem });
}
