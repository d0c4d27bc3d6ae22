// What a cache keeps of an object. A member cluster's caches hold every object the operator
// manages there (tens of thousands at a thousand agencies), and as the API server returns
// them most of their size is bookkeeping no reader needs: other managers' managedFields
// (the controller manager's, for a quota's status), status, timestamps. The applier needs
// the spec, the metadata it compares (not uids, generations or timestamps), and its own managers' field sets, which are kept as
// JSON text and parsed only when compared (managed-fields.ts). What is kept is interned:
// a thousand agencies' objects repeat the same kinds, label values, policy names and field
// sets tens of thousands of times, and JSON.parse gives every occurrence its own copy.
import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * One copy of each string value. Bounded: when full it starts over (strings already shared
 * stay shared), so values of objects long deleted are not kept forever.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= this.limit) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.strings.size;
  }
}

/** Unique per object, never worth a pool entry. */
const UNIQUE = new Set(['resourceVersion']);

/** The metadata a cached object keeps: what identifies it, what an apply body sets, and its state. */
const KEPT_METADATA = ['name', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'resourceVersion', 'deletionTimestamp'] as const;

/** Replaces, in place, every string value of a freshly parsed value with its pooled copy. */
function internAll(value: unknown, pool: StringPool): unknown {
  if (typeof value === 'string') return pool.intern(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = internAll(value[i], pool);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!UNIQUE.has(key)) record[key] = internAll(record[key], pool);
  }
  return value;
}

export interface TrimOptions {
  /** Field managers whose managedFields entries are kept. */
  keepManager: (manager: string) => boolean;
  /** The part of an object's status a reader uses, or undefined to keep none. */
  status?: (obj: KubernetesObject & { status?: unknown }) => unknown;
  /** Shared by the caches whose objects repeat one another (one per process is best). */
  pool?: StringPool;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

export function cacheTrimmer<T extends KubernetesObject>(opts: TrimOptions): (obj: T) => T {
  return (obj) => {
    const { status: _status, metadata = {}, ...rest } = obj as T & { status?: unknown };
    const { managedFields } = metadata;
    const meta: Record<string, unknown> = {};
    for (const field of KEPT_METADATA) if (metadata[field] !== undefined) meta[field] = metadata[field];
    const kept = ((managedFields ?? []) as ManagedFieldsEntry[])
      .filter((e) => e.manager !== undefined && opts.keepManager(e.manager))
      .map((e) => {
        const entry: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, fieldsV1: typeof e.fieldsV1 === 'string' ? e.fieldsV1 : JSON.stringify(e.fieldsV1 ?? {}) };
        if (e.subresource) entry.subresource = e.subresource;
        return entry;
      });
    const trimmed = { ...rest, metadata: kept.length > 0 ? { ...meta, managedFields: kept } : meta } as unknown as T & { status?: unknown };
    const status = opts.status?.(obj);
    if (status !== undefined) trimmed.status = status;
    return opts.pool ? (internAll(trimmed, opts.pool) as T) : trimmed;
  };
}
