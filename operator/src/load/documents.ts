/**
 * Reads YAML files and folders into documents that remember where each field came from.
 *
 * The CLI runs as a pull-request check on files anyone can write, so reading is defensive:
 * size, depth, documents, nodes, keys per mapping and items per list are bounded before
 * anything is parsed (scan.ts), counted exactly again before anything is converted, aliases cannot expand without
 * bound, duplicate keys and invalid UTF-8 are errors, and every failure becomes a
 * Problem, never an exception.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { expandPaths } from './files.ts';
import { Composer, Lexer, LineCounter, Parser, parseAllDocuments, isMap, isNode, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Place, Problem } from './problem.ts';
import { limitScan, MAX_DEPTH, MAX_ENTRIES_PER_COLLECTION, scanLimits, type ScanProblem } from './scan.ts';

export { MAX_DEPTH, MAX_DOCUMENTS_PER_FILE, MAX_ENTRIES_PER_COLLECTION, MAX_NODES_PER_FILE } from './scan.ts';
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_ALIASES = 100;
const MAX_PROBLEMS_PER_FILE = 20;

export interface LoadedDocument {
  file: string;
  /** 1-based line where the document starts. */
  line: number;
  /** The document as plain data. */
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest ancestor that exists. */
  lineOf(path: readonly (string | number)[]): number;
  /**
   * Where the node at `path` is: its start, and its end when that node exists. For a
   * missing field, the start of its nearest ancestor that exists, without an end (the
   * ancestor is where the field belongs, not the mistake).
   */
  placeOf(path: readonly (string | number)[]): Place;
}

export interface LoadResult {
  documents: LoadedDocument[];
  problems: Problem[];
  files: string[];
}

/**
 * Files parsed by an earlier loadPaths, by the name it gave them (relative to its working
 * folder): a second read of the same tree at another place (`plan --base`) parses again only
 * the files whose bytes differ. The parse is pure, so a file's documents can be shared.
 */
export type ParsedFiles = Map<string, { bytes: Uint8Array; documents: LoadedDocument[]; problems: Problem[] }>;

/** Reads the files and folders named (folders walked as expandPaths walks them); `parsed` is read and filled. */
export async function loadPaths(paths: readonly string[], cwd = process.cwd(), parsed?: ParsedFiles): Promise<LoadResult> {
  const listed = await expandPaths(paths, cwd);
  const result: LoadResult = { documents: [], problems: [...listed.problems], files: [] };
  for (const path of listed.files) {
    // Relative to the working folder, unless that climbs out of it: then as given.
    const rel = relative(cwd, path);
    const file = rel && !rel.startsWith('..') ? rel : path;
    result.files.push(file);
    let bytes: Buffer;
    // Synchronous: the files are read one after another anyway, and a promise per file costs
    // more CPU than the read at thousands of files (only the CLI reads files).
    try {
      const info = statSync(path);
      if (info.size > MAX_FILE_BYTES) {
        result.problems.push({ file, line: 0, object: '', message: `file is ${info.size} bytes, more than the ${MAX_FILE_BYTES} allowed` });
        continue;
      }
      bytes = readFileSync(path);
    } catch (err) {
      result.problems.push({ file, line: 0, object: '', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    const known = parsed?.get(file);
    let read: { documents: LoadedDocument[]; problems: Problem[] };
    if (known !== undefined && Buffer.compare(known.bytes, bytes) === 0) read = known;
    else {
      read = parseYamlText(file, bytes);
      parsed?.set(file, { bytes, ...read });
    }
    for (const d of read.documents) result.documents.push(d);
    for (const p of read.problems) result.problems.push(p);
  }
  return result;
}

/** Parses one file's bytes. Pure: usable on text that never touched a disk. */
export function parseYamlText(file: string, bytes: Uint8Array): { documents: LoadedDocument[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const documents: LoadedDocument[] = [];
  const fileProblem = (place: number | Place, message: string) =>
    problems.push({ file, ...(typeof place === 'number' ? { line: place } : place), object: '', message });

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

  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const placeAt = (start: number, end?: number): Place => {
    const from = lineCounter.linePos(start);
    // A block collection's range runs past its last line break: the node ends at its last character.
    while (end !== undefined && end > start && /\s/.test(text[end - 1]!)) end--;
    if (end === undefined || end <= start) return { line: from.line, column: from.col };
    // The end column is exclusive: linePos of the offset just past the last character.
    const to = lineCounter.linePos(end);
    return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
  };
  let docs: Document.Parsed[];
  try {
    const parsed = withPlainEnv(() => parseWithinLimits(text, lineCounter));
    if (!Array.isArray(parsed)) {
      fileProblem(placeAtOffset(text, parsed.offset), parsed.message);
      return { documents, problems };
    }
    docs = parsed;
  } catch (err) {
    // The limits come first, as when they were checked before parsing: the rest of the text may cross one.
    const tooLarge = scanLimits(text);
    if (tooLarge) fileProblem(placeAtOffset(text, tooLarge.offset), tooLarge.message);
    else fileProblem(1, err instanceof RangeError ? 'document is nested too deeply to read' : `cannot parse YAML: ${(err as Error).message}`);
    return { documents, problems };
  }

  // The parsed documents and their syntax trees weigh kilobytes per node: they are dropped
  // once converted, and parsed again (once per file) only where a problem needs a place.
  let reparsed: Document.Parsed[] | undefined;
  const nodeAt = (index: number, path: readonly (string | number)[]): unknown => {
    reparsed ??= withPlainEnv(() => parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false })) as Document.Parsed[];
    return reparsed[index]?.getIn(path, true);
  };
  for (const [index, doc] of docs.entries()) {
    const start = doc.contents && isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : doc.range[0];
    const docLine = lineAt(start);
    const firstError = doc.errors[0];
    if (firstError) {
      // Later errors in a broken document are mostly echoes of the first one.
      fileProblem(placeAt(firstError.pos[0]), yamlMessage(firstError.message));
      if (problems.length >= MAX_PROBLEMS_PER_FILE) break;
      continue;
    }
    // Empty documents (a trailing `---`, or only comments) hold nothing: skipped, as kubectl does.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) continue;
    const badCollection = checkCollections(doc.contents);
    if (badCollection) {
      fileProblem(placeAt(badCollection.offset), badCollection.message);
      if (problems.length >= MAX_PROBLEMS_PER_FILE) break;
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      const message =
        err instanceof RangeError
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
    const placeOf = (path: readonly (string | number)[]): Place => {
      for (let n = path.length; n >= 0; n--) {
        const node = nodeAt(index, path.slice(0, n));
        if (isNode(node) && node.range) return n === path.length ? placeAt(node.range[0], node.range[1]) : placeAt(node.range[0]);
      }
      return placeAt(start);
    };
    documents.push({ file, line: docLine, value, placeOf, lineOf: (path) => placeOf(path).line });
  }
  return { documents, problems };
}

/**
 * parseAllDocuments, with the limits (scan.ts) counted on the same lexer's tokens before the
 * parser takes each: one lexing pass, and a file that crosses a limit is refused at that
 * token, its partial parse dropped. The tokens and their order are the parser's own
 * (`Parser.parse` feeds `next` from its lexer the same way).
 */
function parseWithinLimits(text: string, lineCounter: LineCounter): Document.Parsed[] | ScanProblem {
  // Duplicate keys are found by checkCollections: the parser's own check is quadratic in the keys of a mapping.
  const options = { lineCounter, uniqueKeys: false, prettyErrors: false };
  const parser = new Parser(lineCounter.addNewLine);
  const scan = limitScan();
  let tooLarge: ScanProblem | undefined;
  function* tokens() {
    lineCounter.addNewLine(0);
    for (const token of new Lexer().lex(text)) {
      tooLarge = scan(token);
      if (tooLarge) return;
      yield* parser.next(token);
    }
    yield* parser.end();
  }
  const docs = Array.from(new Composer(options).compose(tokens()));
  return tooLarge ?? docs;
}

/**
 * Runs `parse` with process.env a plain object holding the variables the `yaml` package
 * reads (its debug switches). Its parser reads `process.env.LOG_TOKENS` once per token,
 * and every read of the real process.env asks the C library: a fifth of the parse at
 * 5,000 files (a whole copy of the environment per file costs as much again). The parse is
 * synchronous, so nothing else sees the stand-in.
 */
function withPlainEnv<T>(parse: () => T): T {
  const env = process.env;
  process.env = { LOG_TOKENS: env.LOG_TOKENS, LOG_STREAM: env.LOG_STREAM };
  try {
    return parse();
  } finally {
    process.env = env;
  }
}

function yamlMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  if (/call stack/i.test(firstLine)) return 'document is nested too deeply to read';
  return `YAML syntax: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/**
 * The first mapping with a repeated key or too many keys, or sequence with too many items,
 * in one pass: a Set per mapping keeps it linear in the keys. Keys are the same when their
 * scalar values are, as the parser's own `uniqueKeys` check compares them.
 */
function checkCollections(root: Node): { offset: number; message: string } | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      if (node.items.length > MAX_ENTRIES_PER_COLLECTION) {
        return { offset: offsetOf(node.items[MAX_ENTRIES_PER_COLLECTION]!.key, node), message: `more than ${MAX_ENTRIES_PER_COLLECTION} keys in one mapping` };
      }
      const keys = new Set<unknown>();
      for (const { key, value } of node.items) {
        if (isScalar(key)) {
          if (keys.has(key.value)) return { offset: offsetOf(key, node), message: duplicateKeyMessage(key.value) };
          keys.add(key.value);
        } else stack.push(key);
        stack.push(value);
      }
    } else if (isSeq(node)) {
      if (node.items.length > MAX_ENTRIES_PER_COLLECTION) {
        return { offset: offsetOf(node.items[MAX_ENTRIES_PER_COLLECTION], node), message: `more than ${MAX_ENTRIES_PER_COLLECTION} items in one list` };
      }
      for (const item of node.items) stack.push(item);
    }
  }
  return undefined;
}

function offsetOf(node: unknown, parent: Node): number {
  const range = isNode(node) && node.range ? node.range : parent.range;
  return range ? range[0] : 0;
}

function duplicateKeyMessage(key: unknown): string {
  const text = typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean' ? String(key) : '';
  const named = text.length > 0 && text.length <= 80 ? ` ${JSON.stringify(text)}` : '';
  return `duplicate key${named}: a key may appear only once in a mapping`;
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

/** 1-based line and column (UTF-16 code units) of an offset, without a LineCounter's pass over the whole text. */
function placeAtOffset(text: string, offset: number): Place {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
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
