// The operator's mutating calls, each one bounded in time: server-side apply and delete of
// child objects in a data centre, and on the hub the status subresource and the finalizer.
// Paths come from the static resource table (no discovery). A data centre that stops
// answering costs one timeout per request, never a stuck worker.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isNotFound, withDeadline, type ClusterClient, type ObjectWriter, type StatusClient } from '../runtime/index.ts';
import { objectPath } from './resources.ts';

export interface WriteOptions {
  /** Aborts every request (shutdown, loss of leadership, the data centre's deadline). */
  signal?: AbortSignal;
  /** Each request's own limit. */
  timeoutMs: number;
  /** Called after every successful write (metrics). */
  onWrite?: (action: 'apply' | 'replace' | 'delete' | 'status', obj: KubernetesObject) => void;
}

function bounded<T>(opts: WriteOptions, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(opts.timeoutMs, opts.signal, request);
}

const APPLY = 'application/apply-patch+yaml';

/** Server-side apply (forced, under `fieldManager`), update and delete through raw requests. */
export function requestWriter(client: ClusterClient, opts: WriteOptions): ObjectWriter {
  return {
    async apply(obj, fieldManager) {
      await bounded(opts, (signal) =>
        client.request('PATCH', objectPath(obj), { contentType: APPLY, query: { fieldManager, force: true }, body: obj, signal }),
      );
      opts.onWrite?.('apply', obj);
    },
    async replace(obj, fieldManager) {
      await bounded(opts, (signal) => client.request('PUT', objectPath(obj), { query: { fieldManager }, body: obj, signal }));
      opts.onWrite?.('replace', obj);
    },
    async delete(obj) {
      try {
        await bounded(opts, (signal) => client.request('DELETE', objectPath(obj), { query: { propagationPolicy: 'Background' }, signal }));
        opts.onWrite?.('delete', obj);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

/** What the controllers write on the hub besides child objects. */
export interface HubWriter extends StatusClient {
  /**
   * Sets the object's whole finalizer list, on the resourceVersion read (a merge patch that
   * fails with 409 when the object changed meanwhile: the caller retries on fresh data).
   */
  setFinalizers(
    target: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; resourceVersion?: string } },
    finalizers: string[],
  ): Promise<void>;
}

export function requestHubWriter(client: ClusterClient, opts: WriteOptions): HubWriter {
  return {
    async applyStatus(target, status, fieldManager) {
      const body = { apiVersion: target.apiVersion, kind: target.kind, metadata: target.metadata, status };
      await bounded(opts, (signal) =>
        client.request('PATCH', `${objectPath(body)}/status`, { contentType: APPLY, query: { fieldManager, force: true }, body, signal }),
      );
      opts.onWrite?.('status', body);
    },
    async setFinalizers(target, finalizers) {
      const metadata: Record<string, unknown> = { finalizers };
      if (target.metadata.resourceVersion) metadata.resourceVersion = target.metadata.resourceVersion;
      await bounded(opts, (signal) => client.request('PATCH', objectPath(target), { contentType: 'application/merge-patch+json', body: { metadata }, signal }));
      opts.onWrite?.('apply', target);
    },
  };
}
