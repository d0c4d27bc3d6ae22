// Server-side apply removes a field when the manager that applied it stops setting it. A pure
// "desired is a subset of live" check cannot see that case (the stale field is still on live,
// so desired looks satisfied), and the field would stay forever. This module reads the live
// object's managedFields for our field manager and reports whether it owns anything that the
// desired object no longer sets: then the write must happen. It also says whether a field
// of the live object is owned by one of our managers at all (exact.ts: who made a drift).
import type { KubernetesObject } from '@kubernetes/client-node';

type FieldSet = { [key: string]: FieldSet };

/** A field's place in an object: map keys and list indexes. */
export type FieldPath = readonly (string | number)[];

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  /** As the API server sends it, or as JSON text (what trimmed caches keep, runtime/trim.ts). */
  fieldsV1?: FieldSet | string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * True when `manager`'s applied field set on `live` (for `subresource`, '' for the main
 * resource) contains a field that `desired` does not set. Unknown field-set notations count
 * as owned-but-unset, so doubt leads to a write, never to a skipped one.
 */
export function ownsFieldsNotIn(live: KubernetesObject, desired: unknown, manager: string, subresource = ''): boolean {
  const entries = (live.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  return entries
    .filter((e) => e.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === subresource)
    .some((e) => hasFieldOutside(fieldSet(e.fieldsV1), desired));
}

/**
 * True when an entry of a manager `ours` accepts (main resource, any operation) owns the field
 * at `path` of `live`: map keys by name, list items by their key, value or index. An atomic
 * list (one owned as a whole, with no item entries) owns its items.
 */
export function ownsField(live: KubernetesObject, path: FieldPath, ours: (manager: string) => boolean): boolean {
  const entries = (live.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  return entries
    .filter((e) => e.manager !== undefined && ours(e.manager) && (e.subresource ?? '') === '')
    .some((e) => ownsIn(fieldSet(e.fieldsV1), live, path));
}

function fieldSet(fields: FieldSet | string | undefined): FieldSet {
  if (typeof fields !== 'string') return fields ?? {};
  const parsed = parseJson(fields);
  // Unreadable text: a field nothing desired can hold, so the write happens.
  return isPlainObject(parsed) ? (parsed as FieldSet) : { 'f:\u0000unreadable': {} };
}

function hasFieldOutside(fields: FieldSet, value: unknown): boolean {
  for (const [key, child] of Object.entries(fields)) {
    if (key === '.') continue;
    const target = select(key, value);
    if (target === undefined) return true;
    if (hasFieldOutside(child, target)) return true;
  }
  return false;
}

function ownsIn(fields: FieldSet, live: unknown, path: FieldPath): boolean {
  let node = fields;
  let value = live;
  for (const segment of path) {
    if (typeof segment === 'string') {
      const child = node[`f:${segment}`];
      if (!child) return false;
      node = child;
      value = isPlainObject(value) ? value[segment] : undefined;
      continue;
    }
    const items = Object.keys(node).filter((k) => k.startsWith('k:') || k.startsWith('v:') || k.startsWith('i:'));
    if (items.length === 0) return true;
    const item: unknown = Array.isArray(value) ? value[segment] : undefined;
    const key = items.find((k) => (k.startsWith('i:') ? k === `i:${segment}` : item !== undefined && select(k, [item]) !== undefined));
    if (!key) return false;
    node = node[key]!;
    value = item;
  }
  return true;
}

/** The part of `value` that a fieldsV1 key names, or undefined when desired lacks it. */
function select(key: string, value: unknown): unknown {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  if (kind === 'f:') return isPlainObject(value) ? value[rest] : undefined;
  if (!Array.isArray(value)) return undefined;
  if (kind === 'k:') return value.find((item) => matchesListKey(item, parseJson(rest)));
  if (kind === 'v:') {
    const wanted = JSON.stringify(parseJson(rest));
    return value.some((item) => JSON.stringify(item) === wanted) ? {} : undefined;
  }
  if (kind === 'i:') return value[Number(rest)];
  return undefined;
}

/**
 * A list item matches a map-list key when every key field it sets is equal and at least one
 * is set: key fields the server defaulted (a port's protocol) are absent from desired items.
 */
function matchesListKey(item: unknown, key: unknown): boolean {
  if (!isPlainObject(item) || !isPlainObject(key)) return false;
  let matched = 0;
  for (const [k, v] of Object.entries(key)) {
    if (item[k] === undefined) continue;
    if (JSON.stringify(item[k]) !== JSON.stringify(v)) return false;
    matched++;
  }
  return matched > 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
