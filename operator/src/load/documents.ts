/**
 * Reads YAML files and folders into documents that remember where each field came from.
 *
 * The CLI runs as a pull-request check on files anyone can write, so reading is defensive:
 * size and depth are bounded, aliases cannot expand without bound, duplicate keys and
 * invalid UTF-8 are errors, and every failure becomes a Problem, never an exception.
 */
import { readFile, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { expandPaths } from './files.ts';
import { LineCounter, parseAllDocuments, isNode, isScalar, type Document } from 'yaml';
import type { Problem } from './problem.ts';

export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIASES = 100;
export const MAX_DOCUMENTS_PER_FILE = 5000;
const MAX_PROBLEMS_PER_FILE = 20;

export interface LoadedDocument {
  file: string;
  /** 1-based line where the document starts. */
  line: number;
  /** The document as plain data. */
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest ancestor that exists. */
  lineOf(path: readonly (string | number)[]): number;
}

export interface LoadResult {
  documents: LoadedDocument[];
  problems: Problem[];
  files: string[];
}

/** Reads the files and folders named (folders walked as expandPaths walks them). */
export async function loadPaths(paths: readonly string[], cwd = process.cwd()): Promise<LoadResult> {
  const listed = await expandPaths(paths, cwd);
  const result: LoadResult = { documents: [], problems: [...listed.problems], files: [] };
  for (const path of listed.files) {
    // Relative to the working folder, unless that climbs out of it: then as given.
    const rel = relative(cwd, path);
    const file = rel && !rel.startsWith('..') ? rel : path;
    result.files.push(file);
    let bytes: Buffer;
    try {
      const info = await stat(path);
      if (info.size > MAX_FILE_BYTES) {
        result.problems.push({ file, line: 0, object: '', message: `file is ${info.size} bytes, more than the ${MAX_FILE_BYTES} allowed` });
        continue;
      }
      bytes = await readFile(path);
    } catch (err) {
      result.problems.push({ file, line: 0, object: '', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    const parsed = parseYamlText(file, bytes);
    result.documents.push(...parsed.documents);
    result.problems.push(...parsed.problems);
  }
  return result;
}

/** Parses one file's bytes. Pure: usable on text that never touched a disk. */
export function parseYamlText(file: string, bytes: Uint8Array): { documents: LoadedDocument[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const documents: LoadedDocument[] = [];
  const fileProblem = (line: number, message: string) => problems.push({ file, line, object: '', message });

  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    fileProblem(lineAtByte(bytes, nul), 'file holds binary data (a NUL byte), not YAML');
    return { documents, problems };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fileProblem(lineAtByte(bytes, firstInvalidUtf8(bytes)), 'file is not valid UTF-8');
    return { documents, problems };
  }

  if (flowDepth(text) > MAX_DEPTH) {
    fileProblem(1, `document is nested more than ${MAX_DEPTH} levels deep`);
    return { documents, problems };
  }

  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  let docs: Document.Parsed[];
  try {
    const all = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    docs = Array.isArray(all) ? all : [all];
  } catch (err) {
    fileProblem(1, err instanceof RangeError ? 'document is nested too deeply to read' : `cannot parse YAML: ${(err as Error).message}`);
    return { documents, problems };
  }
  if (docs.length > MAX_DOCUMENTS_PER_FILE) {
    fileProblem(1, `file holds ${docs.length} documents, more than the ${MAX_DOCUMENTS_PER_FILE} allowed`);
    return { documents, problems };
  }

  for (const doc of docs) {
    const start = doc.contents && isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : doc.range[0];
    const docLine = lineAt(start);
    const firstError = doc.errors[0];
    if (firstError) {
      // Later errors in a broken document are mostly echoes of the first one.
      fileProblem(lineAt(firstError.pos[0]), yamlMessage(firstError.code, firstError.message, text.slice(firstError.pos[0], text.indexOf('\n', firstError.pos[0]) >>> 0)));
      if (problems.length >= MAX_PROBLEMS_PER_FILE) break;
      continue;
    }
    // Empty documents (a trailing `---`, or only comments) hold nothing: skipped, as kubectl does.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      const message = err instanceof RangeError
        ? 'document is nested too deeply to read'
        : /alias/i.test((err as Error).message)
          ? `aliases expand too far (more than ${MAX_ALIASES} uses): refusing a possible alias bomb`
          : `cannot read document: ${(err as Error).message}`;
      fileProblem(docLine, message);
      continue;
    }
    if (depthOf(value) > MAX_DEPTH) {
      fileProblem(docLine, `document is nested more than ${MAX_DEPTH} levels deep`);
      continue;
    }
    documents.push({
      file,
      line: docLine,
      value,
      lineOf(path) {
        for (let n = path.length; n >= 0; n--) {
          const node = doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) return lineAt(node.range[0]);
          if (n === 0) break;
        }
        return docLine;
      },
    });
  }
  return { documents, problems };
}

function yamlMessage(code: string, message: string, source = ''): string {
  const firstLine = message.split('\n')[0] ?? message;
  if (/call stack/i.test(firstLine)) return 'document is nested too deeply to read';
  if (code === 'DUPLICATE_KEY') {
    // `source` runs from the repeated key to the end of its line.
    const m = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^:#{}[\],\n]+?)\s*:/.exec(source);
    const key = m ? m[1]!.replace(/^["']|["']$/g, '') : '';
    const named = key.length > 0 && key.length <= 80 ? ` ${JSON.stringify(key)}` : '';
    return `duplicate key${named}: a key may appear only once in a mapping`;
  }
  return `YAML syntax: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** Iterative, so a hostile document cannot overflow the stack here. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > MAX_DEPTH) return d;
    if (v !== null && typeof v === 'object') {
      for (const child of Object.values(v as object)) stack.push([child, d + 1]);
    }
  }
  return max;
}

/**
 * Deepest nesting of flow collections, outside quoted scalars and comments. The parser
 * recurses on them, so a hostile `[[[[...` must be refused before it is parsed.
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
    } else if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      comment = true;
    } else if (c === '[' || c === '{') {
      if (++depth > max) max = depth;
    } else if (c === ']' || c === '}') {
      if (depth > 0) depth--;
    } else if (c === '\n' && depth === 0) {
      quote = '';
    }
  }
  return max;
}

function lineAtByte(bytes: Uint8Array, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1));
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}
