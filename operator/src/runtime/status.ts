// Writes an object's status subresource, and only when the computed status differs from the
// live one: a steady-state reconcile must not bump resourceVersion (that would wake every
// watcher and the controller itself in a loop). Writes are server-side applies of the status
// alone, under the controller's field manager, so other writers' status fields are kept.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterClient } from './clusters.ts';
import { ownsFieldsNotIn } from './managed-fields.ts';
import { isDeepSubset } from './subset.ts';

export interface StatusTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export interface StatusClient {
  applyStatus(target: StatusTarget, status: Record<string, unknown>, fieldManager: string): Promise<void>;
}

export function kubeStatusClient(client: ClusterClient): StatusClient {
  return {
    async applyStatus(target, status, fieldManager) {
      const ref = { apiVersion: target.apiVersion, kind: target.kind, name: target.metadata.name };
      const path = await client.resourcePath(target.metadata.namespace ? { ...ref, namespace: target.metadata.namespace } : ref);
      await client.request('PATCH', `${path}/status`, {
        // Typed and raw patches need the Content-Type said explicitly.
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager, force: true },
        body: { apiVersion: target.apiVersion, kind: target.kind, metadata: target.metadata, status },
      });
    },
  };
}

export type LiveObject = KubernetesObject & { status?: unknown };

export interface StatusWriterOptions {
  client: StatusClient;
  fieldManager: string;
}

export class StatusWriter {
  private readonly client: StatusClient;
  private readonly fieldManager: string;

  constructor(opts: StatusWriterOptions) {
    this.client = opts.client;
    this.fieldManager = opts.fieldManager;
  }

  needsWrite(live: LiveObject, status: Record<string, unknown>): boolean {
    return !isDeepSubset(status, live.status) || ownsFieldsNotIn(live, { status }, this.fieldManager, 'status');
  }

  /** Applies `status` to `live`'s status subresource unless it already holds it; true when written. */
  async write(live: LiveObject, status: Record<string, unknown>): Promise<boolean> {
    if (!this.needsWrite(live, status)) return false;
    const { name, namespace } = live.metadata ?? {};
    if (!live.apiVersion || !live.kind || !name) throw new Error('status target needs apiVersion, kind and metadata.name');
    await this.client.applyStatus(
      { apiVersion: live.apiVersion, kind: live.kind, metadata: namespace ? { name, namespace } : { name } },
      status,
      this.fieldManager,
    );
    return true;
  }
}
