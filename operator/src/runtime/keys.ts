// Queue keys name an object in one cluster: `cluster/namespace/name`, with an empty namespace
// for cluster-scoped objects (`cluster//name`). Kubernetes names never contain '/', so the key
// splits back unambiguously; cluster names must not contain '/' either.
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ObjectRef {
  cluster: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
}

export function makeKey(ref: ObjectRef): string {
  return `${ref.cluster}/${ref.namespace}/${ref.name}`;
}

export function objectKey(cluster: string, obj: KubernetesObject): string {
  return makeKey({ cluster, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
}

export function parseKey(key: string): ObjectRef {
  const parts = key.split('/');
  const [cluster, namespace, name] = parts;
  if (parts.length !== 3 || !cluster || namespace === undefined || !name) {
    throw new Error(`malformed object key ${JSON.stringify(key)}: want cluster/namespace/name`);
  }
  return { cluster, namespace, name };
}

/** `namespace/name`, or `name` for cluster-scoped objects: the form used in logs and caches. */
export function namespacedName(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/**
 * The owner's key for an owned object, read from the owner labels that the applier sets on
 * every child ([] when the object carries none). The owner may live in another cluster than
 * the child, hence `cluster` names the owner's cluster.
 */
export function ownerKeysFromLabels(obj: KubernetesObject, labels: { cluster: string; nameLabel: string; namespaceLabel?: string }): string[] {
  const name = obj.metadata?.labels?.[labels.nameLabel];
  if (!name) return [];
  const namespace = labels.namespaceLabel ? (obj.metadata?.labels?.[labels.namespaceLabel] ?? '') : '';
  return [makeKey({ cluster: labels.cluster, namespace, name })];
}
