// The informer's data source over a real API server: paginated list through a raw JSON
// request (objects stay plain JSON, as watch events are, so cached objects compare cleanly
// with desired ones) and client-node's Watch with bookmarks enabled.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterClient } from './clusters.ts';
import type { ListPage, ListWatchSource, WatchHandle } from './informer.ts';
import { selectorToString, type LabelSelector } from './labels.ts';

export interface ResourceDescriptor {
  apiVersion: string;
  kind: string;
  /** The resource's plural name; looked up through discovery when omitted. */
  plural?: string;
  /** Watch one namespace only; all namespaces (or a cluster-scoped kind) when omitted. */
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: string;
}

export function collectionPath(r: ResourceDescriptor & { plural: string }): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  const ns = r.namespace ? `/namespaces/${encodeURIComponent(r.namespace)}` : '';
  return `${base}${ns}/${r.plural}`;
}

export function kubeListWatch<T extends KubernetesObject>(
  client: ClusterClient,
  resource: ResourceDescriptor,
  opts: { watchTimeoutSeconds?: () => number } = {},
): ListWatchSource<T> {
  let path: Promise<string> | undefined;
  const pathOnce = (): Promise<string> => {
    path ??= resource.plural
      ? Promise.resolve(collectionPath({ ...resource, plural: resource.plural }))
      : client.resourcePath(
          resource.namespace === undefined
            ? { apiVersion: resource.apiVersion, kind: resource.kind }
            : { apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace },
        );
    // A failed discovery is retried on the informer's next attempt.
    path.catch(() => (path = undefined));
    return path;
  };
  const selectors = {
    labelSelector: resource.labelSelector ? selectorToString(resource.labelSelector) || undefined : undefined,
    fieldSelector: resource.fieldSelector,
  };
  // Like client-go's reflector: server-side watch timeouts spread over 5 to 10 minutes, so
  // replicas do not all reconnect at the same moment.
  const timeoutSeconds = opts.watchTimeoutSeconds ?? (() => 300 + Math.floor(Math.random() * 300));

  return {
    async list({ limit, continue: cont, signal }) {
      const page = await client.request<ListPage<T>>('GET', await pathOnce(), {
        query: { ...selectors, limit, continue: cont },
        signal,
      });
      // List items of built-in kinds come without apiVersion and kind; watch events have them.
      for (const item of page.items ?? []) {
        item.apiVersion ??= resource.apiVersion;
        item.kind ??= resource.kind;
      }
      return { items: page.items ?? [], ...(page.metadata ? { metadata: page.metadata } : {}) };
    },
    async watch(resourceVersion, onEvent, onDone): Promise<WatchHandle> {
      const query = { ...selectors, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: timeoutSeconds() };
      return client.watch.watch(await pathOnce(), query, (type, obj) => onEvent(type, obj), onDone);
    },
  };
}
