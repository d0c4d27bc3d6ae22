/**
 * A first pass over YAML text with the `yaml` package's Lexer, before anything is parsed.
 *
 * Parsing builds a tree of several hundred bytes to a few kilobytes per node, and the
 * parser recurses on flow collections: a hostile 4 MB file could cost gigabytes, or the
 * stack. The lexer streams tokens without building anything and without recursion, so
 * counting here refuses such a file in time linear in its size and constant memory, at
 * the line where it crosses a limit.
 */
import { Lexer } from 'yaml';

/** Documents in one file: more than any GitOps folder needs in one file, and refused at document 5,001. */
export const MAX_DOCUMENTS_PER_FILE = 5000;
/** Flow collections (`[...`, `{...`) nested deeper than this are refused; the deepest govcloud object needs 8. */
export const MAX_DEPTH = 64;
/**
 * Nodes and entries in one file: each scalar, alias, flow collection, sequence item and
 * mapping entry counts. An Agency counts about 90, so a file may hold 5,000 of them;
 * parsed, the densest file under this limit (lists of one-digit numbers) takes about 800 MB.
 */
export const MAX_NODES_PER_FILE = 500_000;

/**
 * Keys in one mapping and items in one sequence. The largest list in a govcloud object
 * holds 256; a `v1 List` may hold as many objects as a file may hold documents.
 */
export const MAX_ENTRIES_PER_COLLECTION = 5000;

export interface ScanProblem {
  /** Offset in the text where the limit was crossed. */
  offset: number;
  message: string;
}

const DOCUMENT_MODE = '\x02';
const FLOW_ERROR_END = '\x18';
const SCALAR = '\x1f';
/** Tokens that open content: seen outside a document, they start one without a `---`. */
const CONTENT = /^[^\s#%]/;

/**
 * An open collection, to count its entries while streaming. Flow collections count their
 * separators. Block collections are known by the column their entries start at: an entry
 * at a column closes every deeper collection, and a sequence may sit at its parent key's
 * column (`key:` then `- item` lines). The count after parsing (documents.ts) stays exact
 * whatever this one misses; this one refuses a long collection before it is built.
 */
interface Open {
  kind: 'list' | 'mapping';
  column: number;
  entries: number;
}

const tooManyEntries = (kind: Open['kind'], offset: number): ScanProblem => ({
  offset,
  message: kind === 'list' ? `more than ${MAX_ENTRIES_PER_COLLECTION} items in one list` : `more than ${MAX_ENTRIES_PER_COLLECTION} keys in one mapping`,
});

export function scanLimits(text: string): ScanProblem | undefined {
  const scan = limitScan();
  for (const token of new Lexer().lex(text)) {
    const problem = scan(token);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The same count one token at a time, for a caller that hands the lexer's tokens on to the
 * parser (load/documents.ts: one lexing pass for both). Returns the problem at the token
 * that crosses a limit.
 */
export function limitScan(): (token: string) => ScanProblem | undefined {
  let offset = 0;
  let documents = 0;
  let inDocument = false;
  let nodes = 0;
  let scalarFollows = false;
  const flow: Pick<Open, 'kind' | 'entries'>[] = [];
  let block: Open[] = [];
  let lineStart = 0;
  /** Column where the node being read on this line began (its anchor, tag, quote or first character). */
  let nodeColumn: number | undefined;

  const startDocument = (at: number): ScanProblem | undefined => {
    inDocument = true;
    block = [];
    if (++documents > MAX_DOCUMENTS_PER_FILE)
      return { offset: at, message: `more than ${MAX_DOCUMENTS_PER_FILE} documents in one file: document ${documents} starts here` };
    return undefined;
  };
  const countNode = (at: number): ScanProblem | undefined =>
    ++nodes > MAX_NODES_PER_FILE ? { offset: at, message: `more than ${MAX_NODES_PER_FILE} YAML nodes in one file: split it` } : undefined;
  const blockEntry = (kind: Open['kind'], column: number, at: number): ScanProblem | undefined => {
    while (block.length > 0 && block.at(-1)!.column > column) block.pop();
    // A key at the column of a sequence ends that sequence: it was the value of the previous key.
    if (kind === 'mapping' && block.at(-1)?.column === column && block.at(-1)!.kind === 'list') block.pop();
    const top = block.at(-1);
    if (top?.column === column && top.kind === kind) {
      if (++top.entries > MAX_ENTRIES_PER_COLLECTION) return tooManyEntries(kind, at);
    } else block.push({ kind, column, entries: 1 });
    return undefined;
  };
  const scanToken = (token: string, at: number, column: number): ScanProblem | undefined => {
    const isScalar = scalarFollows;
    scalarFollows = false;
    if (!isScalar && token === '---') return startDocument(at);
    if (!isScalar && token === '...') {
      inDocument = false;
      return undefined;
    }
    if (!isScalar && !CONTENT.test(token)) return undefined;
    if (!inDocument) {
      const problem = startDocument(at);
      if (problem) return problem;
    }
    if (!isScalar) {
      if (flow.length === 0 && (token === '-' || token === '?' || token === ':')) {
        // Block indicators: an item, an explicit key, a key's value. A `:` that starts its
        // line answers a `?` key, already counted.
        const keyColumn = nodeColumn;
        nodeColumn = undefined;
        const kind = token === '-' ? 'list' : 'mapping';
        const entryColumn = token === ':' ? keyColumn : column;
        return (entryColumn === undefined ? undefined : blockEntry(kind, entryColumn, at)) ?? countNode(at);
      }
      if (token === '[' || token === '{') {
        if (flow.length === 0) nodeColumn ??= column;
        if (flow.length >= MAX_DEPTH) return { offset: at, message: `document is nested more than ${MAX_DEPTH} levels deep` };
        flow.push({ kind: token === '[' ? 'list' : 'mapping', entries: 0 });
        return countNode(at);
      }
      if (token === ']' || token === '}') {
        flow.pop();
        return undefined;
      }
      if (token === ',') {
        // Separators: the item after the limit's separator is one too many.
        const open = flow.at(-1);
        return open && ++open.entries >= MAX_ENTRIES_PER_COLLECTION ? tooManyEntries(open.kind, at) : undefined;
      }
      if (token[0] === '&' || token[0] === '!' || token[0] === '|' || token[0] === '>') {
        // Anchors, tags and block scalar headers are not nodes of their own.
        if (flow.length === 0) nodeColumn ??= column;
        return undefined;
      }
    }
    if (flow.length === 0) nodeColumn ??= column;
    return countNode(at);
  };

  return (token) => {
    const at = offset;
    if (token === DOCUMENT_MODE || token === FLOW_ERROR_END) return undefined;
    if (token === SCALAR) {
      // The marker takes no room in the text; the scalar's source comes next.
      scalarFollows = true;
      return undefined;
    }
    offset += token.length;
    const column = at - lineStart;
    const newline = token.lastIndexOf('\n');
    if (newline >= 0) lineStart = at + newline + 1;
    const problem = scanToken(token, at, column);
    // A key never spans lines: what follows a line break starts afresh.
    if (newline >= 0 && flow.length === 0) nodeColumn = undefined;
    return problem;
  };
}
