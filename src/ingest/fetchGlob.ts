import { promises as fs } from "node:fs";
import path from "node:path";
import { NoFilesMatchedError } from "./errors";

/**
 * A file matched by a glob, with its modification time. `relativePath` is its path below the
 * glob's fixed directory (the part before the first wildcard), with `/` separators.
 */
export type GlobMatch = { path: string; relativePath: string; mtime: Date; size: number };

/** Index of the `}` closing the `{` at `open`, counting nested braces; -1 when there is none. */
function closingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === "{") depth++;
    else if (pattern[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/** Splits a brace body at its top-level commas (`a,{b,c}*` is `a` and `{b,c}*`). */
function alternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "{") depth++;
    else if (body[i] === "}") depth--;
    else if (body[i] === "," && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

/** Regex source for a glob; brace alternatives are globs themselves (`{2024*,2025*}`). */
function globSource(pattern: string): string {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "*" && pattern[i + 1] === "*") {
      re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (ch === "{") {
      const end = closingBrace(pattern, i);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${alternatives(pattern.slice(i + 1, end))
          .map(globSource)
          .join("|")})`;
        i = end;
      }
    } else re += ch.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return re;
}

async function walk(dir: string, out: string[], recursive: boolean): Promise<void> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) await walk(full, out, recursive);
    } else if (e.isFile()) out.push(full);
  }
}

/**
 * Lists the files matching a glob (`*`, `?`, `**`, `[abc]`, `{a,b}` whose alternatives may hold
 * wildcards), sorted by path. Relative patterns resolve against `baseDir`. Throws
 * `NoFilesMatchedError` when nothing matches.
 */
export async function fetchGlob(pattern: string, baseDir: string): Promise<GlobMatch[]> {
  const absolute = path.resolve(baseDir, pattern).split(path.sep).join("/");
  const parts = absolute.split("/");
  const firstWild = parts.findIndex((p) => /[*?[{]/.test(p));
  const base = parts.slice(0, firstWild < 0 ? -1 : firstWild).join("/") || "/";
  const candidates: string[] = [];
  if (firstWild < 0) {
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (stat?.isFile()) candidates.push(absolute);
  } else {
    const rest = parts.slice(firstWild);
    await walk(base, candidates, rest.length > 1 || rest.some((p) => p.includes("**")));
  }
  const re = new RegExp(`^${globSource(absolute)}$`);
  const matched = candidates.filter((c) => re.test(c.split(path.sep).join("/"))).sort();
  if (matched.length === 0) throw new NoFilesMatchedError(pattern);
  const out: GlobMatch[] = [];
  for (const file of matched) {
    const stat = await fs.stat(file);
    const relativePath = path.relative(base, file).split(path.sep).join("/");
    out.push({ path: file, relativePath, mtime: stat.mtime, size: stat.size });
  }
  return out;
}
