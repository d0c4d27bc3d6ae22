/**
 * The YAML files named on the command line: files as given, folders walked (sorted,
 * hidden entries skipped, symlink loops refused). A folder may hold a `.govcloudignore`
 * naming entries to skip, one per line relative to that folder (`*` matches within a
 * name; `#` starts a comment), e.g. fixtures that are invalid on purpose. Files named
 * explicitly are always read.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Problem } from './problem.ts';

export const IGNORE_FILE = '.govcloudignore';
/** A walk of more files than this is refused rather than read for minutes. */
export const MAX_FILES = 20000;
const YAML_FILE = /\.(ya?ml|json)$/i;

export interface Expanded {
  /** Absolute paths, in the order to read them. */
  files: string[];
  problems: Problem[];
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`);
}

async function readIgnore(dir: string): Promise<RegExp[]> {
  let text: string;
  try {
    text = await readFile(join(dir, IGNORE_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/(^|\s)#.*$/, '')
        .trim()
        .replace(/^\.\//, '')
        .replace(/\/+$/, ''),
    )
    .filter((l) => l.length > 0)
    .map(globToRegExp);
}

export async function expandPaths(paths: readonly string[], cwd: string): Promise<Expanded> {
  const files: string[] = [];
  const problems: Problem[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const add = (file: string) => {
    if (!seenFiles.has(file)) {
      seenFiles.add(file);
      files.push(file);
    }
  };

  async function walk(dir: string, ignores: { base: string; patterns: RegExp[] }[]): Promise<void> {
    const real = await realpath(dir).catch(() => dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const own = await readIgnore(dir);
    const active = own.length > 0 ? [...ignores, { base: dir, patterns: own }] : ignores;
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((e) => !e.startsWith('.')).sort();
    } catch (err) {
      problems.push({
        file: relative(cwd, dir) || dir,
        line: 0,
        object: '',
        message: `cannot read folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      });
      return;
    }
    for (const entry of entries) {
      if (files.length > MAX_FILES) return;
      const path = join(dir, entry);
      const ignored = active.some(({ base, patterns }) => {
        const rel = relative(base, path).split(sep).join('/');
        return patterns.some((p) => p.test(rel));
      });
      if (ignored) continue;
      let info;
      try {
        info = await lstat(path);
        if (info.isSymbolicLink()) info = await stat(path);
      } catch {
        continue; // a dangling symlink
      }
      if (info.isDirectory()) await walk(path, active);
      else if (info.isFile() && YAML_FILE.test(entry)) add(path);
    }
  }

  for (const p of paths) {
    const path = resolve(cwd, p);
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push({ file: p, line: 0, object: '', message: 'no such file or folder' });
      continue;
    }
    if (info.isDirectory()) await walk(path, []);
    else add(path);
  }
  if (files.length > MAX_FILES) {
    problems.push({ file: paths.join(' '), line: 0, object: '', message: `more than ${MAX_FILES} files to read: name a smaller folder` });
    files.length = MAX_FILES;
  }
  return { files, problems };
}
