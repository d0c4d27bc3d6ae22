// What a cache keeps of an object. A member cluster's caches hold every object the operator
// manages there (tens of thousands at a thousand agencies), and as the API server returns
// them most of their size is bookkeeping no reader needs: other managers' managedFields
// (the controller manager's, for a quota's status), status, timestamps. The applier needs
// the spec, the metadata it compares, and its own managers' field sets, which are kept as
// JSON text and parsed only when compared (managed-fields.ts).
import type { KubernetesObject } from '@kubernetes/client-node';

export interface TrimOptions {
  /** Field managers whose managedFields entries are kept. */
  keepManager: (manager: string) => boolean;
  /** The part of an object's status a reader uses, or undefined to keep none. */
  status?: (obj: KubernetesObject & { status?: unknown }) => unknown;
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
    const { managedFields, creationTimestamp: _created, ...meta } = metadata;
    const kept = ((managedFields ?? []) as ManagedFieldsEntry[])
      .filter((e) => e.manager !== undefined && opts.keepManager(e.manager))
      .map((e) => {
        const entry: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, fieldsV1: typeof e.fieldsV1 === 'string' ? e.fieldsV1 : JSON.stringify(e.fieldsV1 ?? {}) };
        if (e.subresource) entry.subresource = e.subresource;
        return entry;
      });
    const trimmed = { ...rest, metadata: kept.length > 0 ? { ...meta, managedFields: kept } : meta } as T & { status?: unknown };
    const status = opts.status?.(obj);
    if (status !== undefined) trimmed.status = status;
    return trimmed;
  };
}
