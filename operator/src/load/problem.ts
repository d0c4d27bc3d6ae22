/**
 * A problem found in user input. Every message a person sees names the file, the line,
 * the object and the field, so a pull-request author can go straight to the mistake.
 */
/**
 * Where in a file: 1-based line and column (columns in UTF-16 code units, as editors and
 * GitHub count them). The end, when known, is that of the one YAML node at fault: the line
 * of its last character and the column just after it (exclusive, as SARIF counts).
 */
export interface Place {
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface Problem extends Place {
  file: string;
  /** `Kind/name`, or empty when the problem is with the file itself. */
  object: string;
  /** Dotted path of the field, when one field is at fault. */
  field?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}`;
  const what = [p.object, p.field].filter((s) => s && s.length > 0).join(': ');
  return what ? `${where}: ${what}: ${p.message}` : `${where}: ${p.message}`;
}

/** Plain code-unit order: the same on every machine, whatever its locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareProblems(a: Problem, b: Problem): number {
  return byCodeUnits(a.file, b.file) || a.line - b.line || byCodeUnits(a.message, b.message);
}

/** Dotted field path with array indexes in brackets: `spec.quotas[1].cpu`. */
export function fieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}
