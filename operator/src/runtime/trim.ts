// What a cache keeps of an object. A member cluster's caches hold every object the operator
// manages there (tens of thousands at a thousand agencies), and as the API server returns
// them most of their size is bookkeeping no reader needs: other managers' managedFields
// (the controller manager's, for a quota's status), status, uids, timestamps. The applier
// needs every field but status (the security kinds are compared exactly, exact.ts), the
// metadata an apply body sets, the resourceVersion (the precondition of a repair), and its
// own managers' field sets (what govcloud wrote, to tell drift from its own changes), kept
// as JSON text and parsed only when compared (managed-fields.ts).
//
// What is kept is shared: a thousand agencies' objects repeat the same specs (every
// namespace's default-deny policy), label sets (every object of a namespace) and field sets
// tens of thousands of times, and JSON.parse gives each its own copy. With a pool, equal
// values are kept once, frozen: the caches are read-only, and now a write to one throws.
import type { KubernetesObject } from '@kubernetes/client-node';

/** Values whose JSON texts hash alike (a class, so that no pooled value is mistaken for it). */
class Collisions {
  readonly values: unknown[];
  constructor(values: unknown[]) {
    this.values = values;
  }
}

/**
 * FNV-1a over the UTF-16 code units, cut to 30 bits: a small integer is kept in the table's
 * entry itself, where a larger number would cost an allocation of its own.
 */
function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/** Equality of two JSON values, key order included (as their texts would compare). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * One copy of each string, and of each JSON value (deep-frozen). Values are found by a hash of
 * their JSON text, not by the text itself: most values are unique to one object (a binding's
 * subjects, a namespace's field set), and a text key per value would cost as much as the value.
 * Bounded: when a table is full it starts over (values already shared stay shared), so the
 * values of objects long deleted are not kept forever.
 */
export class ValuePool {
  private readonly strings = new Map<string, string>();
  /** By hash: one value, or the values whose texts share it. */
  private readonly trees = new Map<number, unknown>();
  private treeCount = 0;
  private readonly limit: number;

  /** 500,000 values: the distinct values of 5,000 agencies' objects, and room for their churn. */
  constructor(limit = 500_000) {
    this.limit = limit;
  }

  string(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= this.limit) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }

  /** The pooled, frozen copy of a JSON value equal to `value`. */
  tree<T>(value: T): T {
    if (typeof value === 'string') return this.string(value) as T;
    if (typeof value !== 'object' || value === null) return value;
    const hash = textHash(JSON.stringify(value));
    const known = this.heldTree(hash, value);
    if (known !== undefined) return known as T;
    if (this.treeCount >= this.limit) {
      this.trees.clear();
      this.treeCount = 0;
    }
    const shared = this.freeze(value);
    const slot = this.trees.get(hash);
    if (slot === undefined) this.trees.set(hash, shared);
    else if (slot instanceof Collisions) slot.values.push(shared);
    else this.trees.set(hash, new Collisions([slot, shared]));
    this.treeCount++;
    return shared;
  }

  /** The pooled value under `hash` equal to `value`, if any. */
  private heldTree(hash: number, value: unknown): unknown {
    const slot = this.trees.get(hash);
    if (slot instanceof Collisions) return slot.values.find((v) => jsonEqual(v, value));
    return slot !== undefined && jsonEqual(slot, value) ? slot : undefined;
  }

  /** Strings and values held. */
  get size(): number {
    return this.strings.size + this.treeCount;
  }

  private freeze<T>(value: T): T {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.leaf(value[i]);
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = this.leaf(record[key]);
    }
    return Object.freeze(value);
  }

  private leaf(value: unknown): unknown {
    if (typeof value === 'string') return this.string(value);
    return typeof value === 'object' && value !== null ? this.freeze(value) : value;
  }
}

/** The metadata a cached object keeps: what identifies it, what an apply body sets, and its state. */
const KEPT_METADATA = ['name', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'resourceVersion', 'deletionTimestamp'] as const;
/** Metadata unique to each object: never worth a pool entry. */
const UNPOOLED = new Set<string>(['resourceVersion', 'deletionTimestamp']);

export interface TrimOptions {
  /** Field managers whose managedFields entries are kept. */
  keepManager: (manager: string) => boolean;
  /** The part of an object's status a reader uses, or undefined to keep none. */
  status?: (obj: KubernetesObject & { status?: unknown }) => unknown;
  /** Shared by the caches whose objects repeat one another (one per process is best). */
  pool?: ValuePool;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

export function cacheTrimmer<T extends KubernetesObject>(opts: TrimOptions): (obj: T) => T {
  const share = <V>(value: V): V => (opts.pool ? opts.pool.tree(value) : value);
  return (obj) => {
    const source = obj as T & { status?: unknown };
    const metadata = (source.metadata ?? {}) as Record<string, unknown>;
    const trimmed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(source)) if (key !== 'metadata' && key !== 'status') trimmed[key] = share(value);
    const meta: Record<string, unknown> = {};
    for (const field of KEPT_METADATA) {
      const value = metadata[field];
      if (value !== undefined) meta[field] = UNPOOLED.has(field) ? value : share(value);
    }
    const kept = ((metadata.managedFields ?? []) as ManagedFieldsEntry[])
      .filter((e) => e.manager !== undefined && opts.keepManager(e.manager))
      .map((e) => {
        const entry: ManagedFieldsEntry = {
          manager: e.manager,
          operation: e.operation,
          fieldsV1: typeof e.fieldsV1 === 'string' ? e.fieldsV1 : JSON.stringify(e.fieldsV1 ?? {}),
        };
        if (e.subresource) entry.subresource = e.subresource;
        return entry;
      });
    if (kept.length > 0) meta.managedFields = share(kept);
    trimmed.metadata = meta;
    const status = opts.status?.(source);
    if (status !== undefined) trimmed.status = share(status);
    return trimmed as T;
  };
}

/** What kubectl's client-side apply writes: the whole object again, as text. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What a cache of objects people write keeps: all but the field bookkeeping (managedFields,
 * kubectl's last-applied copy), which no reader of those objects uses and which is often
 * larger than the object's spec and status together.
 */
export function withoutFieldBookkeeping<T extends KubernetesObject>(obj: T): T {
  const metadata = obj.metadata;
  if (!metadata || (metadata.managedFields === undefined && metadata.annotations?.[LAST_APPLIED] === undefined)) return obj;
  const { managedFields: _managedFields, ...kept } = metadata;
  if (kept.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = kept.annotations;
    kept.annotations = annotations;
  }
  return { ...obj, metadata: kept };
}
