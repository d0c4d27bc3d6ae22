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
  let flowDepth = 0;
  let scalarFollows = false;
  return (token) => {
    const at = offset;
    if (token === DOCUMENT_MODE || token === FLOW_ERROR_END) return undefined;
    if (token === SCALAR) {
      // The marker takes no room in the text; the scalar's source comes next.
      scalarFollows = true;
      return undefined;
    }
    offset += token.length;
    if (token === '---' && !scalarFollows) {
      inDocument = true;
      if (++documents > MAX_DOCUMENTS_PER_FILE)
        return { offset: at, message: `more than ${MAX_DOCUMENTS_PER_FILE} documents in one file: document ${documents} starts here` };
      return undefined;
    }
    if (token === '...' && !scalarFollows) {
      inDocument = false;
      return undefined;
    }
    const isScalar = scalarFollows;
    scalarFollows = false;
    if (!isScalar && !CONTENT.test(token)) return undefined;
    if (!inDocument) {
      inDocument = true;
      if (++documents > MAX_DOCUMENTS_PER_FILE)
        return { offset: at, message: `more than ${MAX_DOCUMENTS_PER_FILE} documents in one file: document ${documents} starts here` };
    }
    if (!isScalar) {
      if (token === '[' || token === '{') {
        if (++flowDepth > MAX_DEPTH) return { offset: at, message: `document is nested more than ${MAX_DEPTH} levels deep` };
      } else if (token === ']' || token === '}') {
        if (flowDepth > 0) flowDepth--;
        return undefined;
      } else if (token === ',' || token[0] === '&' || token[0] === '!' || token[0] === '|' || token[0] === '>') {
        // Separators, anchors, tags and block scalar headers are not nodes of their own.
        return undefined;
      }
    }
    if (++nodes > MAX_NODES_PER_FILE) return { offset: at, message: `more than ${MAX_NODES_PER_FILE} YAML nodes in one file: split it` };
    return undefined;
  };
}
