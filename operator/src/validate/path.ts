/** Field paths as lists of keys and indexes, and the problems found at them. */

export type Path = readonly (string | number)[];

/** A problem at one field of one document, before it is given a file and a line. */
export interface FieldProblem {
  path: Path;
  message: string;
}

export function pathKey(path: Path): string {
  return JSON.stringify(path);
}

/** `a` is `b` or lies under it. */
export function isWithin(a: Path, b: Path): boolean {
  if (a.length < b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A CEL `fieldPath` such as `.validUntil`, `.metadata.name` or `.ports[0]` as path parts.
 * Undefined when it cannot be read (then the problem stays at the rule's own node).
 */
export function parseFieldPath(fieldPath: string): (string | number)[] | undefined {
  const parts: (string | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]/y;
  let at = 0;
  while (at < fieldPath.length) {
    re.lastIndex = at;
    const m = re.exec(fieldPath);
    if (!m) return undefined;
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push(m[3]!);
    at = re.lastIndex;
  }
  return parts;
}

/** A short, safe rendering of a value for a message. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  return typeof value;
}

/** Quotes a string for a message, shortened and with control characters escaped. */
export function quote(value: string, max = 60): string {
  const short = [...value].length > max ? [...value].slice(0, max).join('') + '…' : value;
  return JSON.stringify(short);
}
