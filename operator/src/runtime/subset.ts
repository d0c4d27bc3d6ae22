// The comparison that lets the applier skip writes: an object needs no apply when every field
// the desired object sets already has that value on the live object. Fields the live object
// has beyond those (defaults, status, other managers' fields, metadata the server adds) do not
// count. Comparison is exact on scalars, on purpose: "1" and 1, or "1000m" and "1", differ, so
// desired objects must be written in the canonical form the API server stores (quantities as
// the server normalises them, integers as numbers). A non-canonical value costs one no-op
// write per reconcile; it never hides a needed write.

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The API server omits empty maps and lists, so setting one is satisfied by its absence. */
function isEmptyCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

/**
 * True when `desired` is a deep subset of `live`:
 * - maps: every key desired sets (other than to undefined) is a subset in live;
 * - lists: same length and each element a subset of the element at the same index (list
 *   items get server defaults too, e.g. a container port's protocol; a shorter live list or
 *   a reordered one is a difference);
 * - scalars: strictly equal;
 * - null or an empty map/list in desired: satisfied by an absent field.
 */
export function isDeepSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (live === undefined) return desired === null || isEmptyCollection(desired);
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => isDeepSubset(d, live[i]));
  }
  if (isPlainObject(desired)) {
    return isPlainObject(live) && Object.entries(desired).every(([k, v]) => isDeepSubset(v, live[k]));
  }
  return desired === live;
}
