/**
 * Kubernetes label selectors (metav1.LabelSelector): matchLabels and matchExpressions, ANDed.
 * An empty selector `{}` selects everything; a selector that is absent is the caller's
 * business (in a NetworkPolicy peer it means "not constrained by this field").
 */

export type Labels = Readonly<Record<string, string>>;

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  key: string;
  operator: Operator;
  values: readonly string[];
}

export interface Selector {
  matchLabels: Labels;
  matchExpressions: readonly Requirement[];
}

export const EVERYTHING: Selector = { matchLabels: {}, matchExpressions: [] };

export type SelectorResult = { ok: true; selector: Selector } | { ok: false; field: string; message: string };

const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Reads a selector as the API server validates it: In and NotIn need values, Exists and
 * DoesNotExist take none, values are strings. A selector the API server would refuse is an
 * error here too, never a selector that silently matches something.
 */
export function parseSelector(raw: unknown, field: string): SelectorResult {
  if (raw === null || raw === undefined) return { ok: true, selector: EVERYTHING };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, field, message: 'a label selector must be a mapping' };
  const r = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  const matchLabels: Record<string, string> = {};
  if (r.matchLabels !== undefined && r.matchLabels !== null) {
    if (typeof r.matchLabels !== 'object' || Array.isArray(r.matchLabels)) {
      return { ok: false, field: `${field}.matchLabels`, message: 'matchLabels must be a mapping of label to value' };
    }
    for (const [k, v] of Object.entries(r.matchLabels as Record<string, unknown>)) {
      if (typeof v !== 'string')
        return { ok: false, field: `${field}.matchLabels.${k}`, message: 'a label value must be a string (quote numbers and booleans)' };
      matchLabels[k] = v;
    }
  }
  const matchExpressions: Requirement[] = [];
  if (r.matchExpressions !== undefined && r.matchExpressions !== null) {
    if (!Array.isArray(r.matchExpressions)) return { ok: false, field: `${field}.matchExpressions`, message: 'matchExpressions must be a list' };
    for (const [i, e] of (r.matchExpressions as unknown[]).entries()) {
      const f = `${field}.matchExpressions[${i}]`;
      if (e === null || typeof e !== 'object') return { ok: false, field: f, message: 'an expression must be a mapping with key, operator and values' };
      const { key, operator, values } = e as { key?: unknown; operator?: unknown; values?: unknown };
      if (typeof key !== 'string' || key === '') return { ok: false, field: `${f}.key`, message: 'key is required' };
      if (typeof operator !== 'string' || !OPERATORS.includes(operator as Operator)) {
        return { ok: false, field: `${f}.operator`, message: `operator must be one of ${OPERATORS.join(', ')}` };
      }
      const list = values === undefined || values === null ? [] : values;
      if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
        return { ok: false, field: `${f}.values`, message: 'values must be a list of strings' };
      }
      const op = operator as Operator;
      if ((op === 'In' || op === 'NotIn') && list.length === 0) {
        return { ok: false, field: `${f}.values`, message: `${op} needs at least one value` };
      }
      if ((op === 'Exists' || op === 'DoesNotExist') && list.length > 0) {
        return { ok: false, field: `${f}.values`, message: `${op} takes no values` };
      }
      matchExpressions.push({ key, operator: op, values: list as string[] });
    }
  }
  return { ok: true, selector: { matchLabels, matchExpressions } };
}

export function matches(selector: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        // As in Kubernetes: a pod without the label is "not in" any set of values.
        if (has && req.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function isEverything(selector: Selector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/** kubectl's way of writing a selector: `app=web,tier in (a,b),!legacy`; `{}` for everything. */
export function formatSelector(selector: Selector): string {
  const parts = Object.entries(selector.matchLabels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions) {
    switch (r.operator) {
      case 'In':
        parts.push(`${r.key} in (${r.values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${r.key} notin (${r.values.join(',')})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}
