/**
 * Field-level differences between two versions of an object, and the objects added,
 * changed and removed between two lists keyed by identity. Pure: values in, changes out.
 */

export interface FieldChange {
  /** Dotted path with list indexes in brackets: `spec.hard["requests.cpu"]`, `spec.ingress[0].ports`. */
  path: string;
  /** Absent when the field is added. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
}

export interface Changed<T> {
  before: T;
  after: T;
  fields: FieldChange[];
}

export interface ListDiff<T> {
  added: T[];
  changed: Changed<T>[];
  removed: T[];
}

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!SIMPLE_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The leaves that differ. Maps are compared key by key; lists item by item (a list that
 * grows or shrinks shows the items added or removed at its end).
 */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const p = join(path, k);
      if (!(k in after)) return [{ path: p, before: before[k] }];
      if (!(k in before)) return [{ path: p, after: after[k] }];
      return fieldChanges(before[k], after[k], p);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = join(path, i);
      if (i >= after.length) out.push({ path: p, before: before[i] });
      else if (i >= before.length) out.push({ path: p, after: after[i] });
      else out.push(...fieldChanges(before[i], after[i], p));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

/** Whether fieldChanges finds no difference, without building paths: most objects of a plan are unchanged. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const k of keys) if (!(k in b) || !same(a[k], b[k])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Objects of the two lists matched by `key`; `added`, `changed` and `removed` keep the order of `key`. */
export function diffLists<T>(before: readonly T[], after: readonly T[], key: (item: T) => string): ListDiff<T> {
  const keyed = (list: readonly T[]) => list.map((item) => ({ key: key(item), item }));
  const order = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const beforeKeyed = keyed(before);
  const afterKeyed = keyed(after);
  const old = new Map(beforeKeyed.map((o) => [o.key, o.item]));
  const now = new Set(afterKeyed.map((o) => o.key));
  // Only what differs is sorted (a stable sort of the few, the same order as filtering the sorted lot).
  const added = afterKeyed
    .filter((o) => !old.has(o.key))
    .sort(order)
    .map((o) => o.item);
  const removed = beforeKeyed
    .filter((o) => !now.has(o.key))
    .sort(order)
    .map((o) => o.item);
  const changed: { key: string; change: Changed<T> }[] = [];
  for (const o of afterKeyed) {
    const b = old.get(o.key);
    if (b === undefined || same(b, o.item)) continue;
    const fields = fieldChanges(b, o.item);
    if (fields.length > 0) changed.push({ key: o.key, change: { before: b, after: o.item, fields } });
  }
  return { added, changed: changed.sort(order).map((c) => c.change), removed };
}

/** A value on one line, for tables and comments: scalars as they are, the rest as JSON. */
export function valueText(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
