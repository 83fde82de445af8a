import { promises as fs } from "node:fs";
import path from "node:path";
import { NoFilesMatchedError } from "./errors";

/** A file matched by a glob, with its modification time (RFC 3339 via `Date`). */
export type GlobMatch = { path: string; mtime: Date; size: number };

function globToRegExp(pattern: string): RegExp {
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
      const end = pattern.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(",")
          .map((s) => s.replace(/[.+^$()|\\]/g, "\\$&"))
          .join("|")})`;
        i = end;
      }
    } else re += ch.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
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
 * Lists the files matching a glob (`*`, `?`, `**`, `[abc]`, `{a,b}`), sorted by path. Relative
 * patterns resolve against `cwd`. Throws `NoFilesMatchedError` when nothing matches.
 */
export async function fetchGlob(pattern: string, cwd: string): Promise<GlobMatch[]> {
  const absolute = path.resolve(cwd, pattern).split(path.sep).join("/");
  const parts = absolute.split("/");
  const firstWild = parts.findIndex((p) => /[*?[{]/.test(p));
  const base = firstWild < 0 ? absolute : parts.slice(0, firstWild).join("/") || "/";
  const candidates: string[] = [];
  if (firstWild < 0) {
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (stat?.isFile()) candidates.push(absolute);
  } else {
    const rest = parts.slice(firstWild);
    await walk(base, candidates, rest.length > 1 || rest.some((p) => p.includes("**")));
  }
  const re = globToRegExp(absolute);
  const matched = candidates.filter((c) => re.test(c.split(path.sep).join("/"))).sort();
  if (matched.length === 0) throw new NoFilesMatchedError(pattern);
  const out: GlobMatch[] = [];
  for (const file of matched) {
    const stat = await fs.stat(file);
    out.push({ path: file, mtime: stat.mtime, size: stat.size });
  }
  return out;
}
