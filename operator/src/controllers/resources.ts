// Every kind the operator reads or writes, with its REST resource, known up front: the
// operator never needs discovery (one request less per cluster, and one less thing that can
// hang when a data centre goes dark). The child kinds and their apply order are the
// renderers' table (render/kinds.ts); here they join the govcloud kinds and the few the
// operator only reads.
import type { KubernetesObject } from '@kubernetes/client-node';
import { KINDS, API_VERSION } from '../api/index.ts';
import { CHILD_RESOURCES, childResource, type ResourceType } from '../render/index.ts';
import { collectionPath } from '../runtime/index.ts';

export type { ResourceType } from '../render/index.ts';
export { CHILD_RESOURCES } from '../render/index.ts';

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({ apiVersion: 'v1', kind, plural, namespaced });

export const NAMESPACE: ResourceType = childResource('Namespace');
export const DEPLOYMENT: ResourceType = childResource('Deployment');
export const SECRET: ResourceType = core('Secret', 'secrets');
export const NODE: ResourceType = core('Node', 'nodes', false);

/** The govcloud.dev kinds on the hub (api/index.ts KINDS), by kind. */
export const GOVCLOUD_RESOURCES: Readonly<Record<string, ResourceType>> = Object.fromEntries(
  KINDS.map((k) => [k.kind, { apiVersion: API_VERSION, kind: k.kind, plural: k.plural, namespaced: k.scope === 'Namespaced' }]),
);

export function govcloudResource(kind: string): ResourceType {
  const r = GOVCLOUD_RESOURCES[kind];
  if (!r) throw new Error(`not a govcloud kind: ${kind}`);
  return r;
}

const group = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

const ALL = [...CHILD_RESOURCES, ...Object.values(GOVCLOUD_RESOURCES), SECRET, NODE];

/** The resource of an object's kind (any version of its group), or undefined. */
export function resourceOf(obj: { apiVersion?: string; kind?: string }): ResourceType | undefined {
  const g = group(obj.apiVersion ?? 'v1');
  return ALL.find((r) => r.kind === obj.kind && group(r.apiVersion) === g);
}

/** `group/Kind`, the key of a kind whatever its version. */
export function kindKey(r: { apiVersion?: string; kind?: string }): string {
  return `${group(r.apiVersion ?? 'v1')}/${r.kind ?? ''}`;
}

/** The REST path of one object (its collection's path plus the name). */
export function objectPath(obj: KubernetesObject): string {
  const r = resourceOf(obj);
  if (!r) throw new Error(`the operator does not manage ${obj.apiVersion}/${obj.kind}`);
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind} without a name`);
  const namespace = r.namespaced ? obj.metadata?.namespace : undefined;
  if (r.namespaced && !namespace) throw new Error(`${obj.kind} ${name} is namespaced but has no namespace`);
  const base = collectionPath(
    namespace ? { ...r, apiVersion: obj.apiVersion ?? r.apiVersion, namespace } : { ...r, apiVersion: obj.apiVersion ?? r.apiVersion },
  );
  return `${base}/${encodeURIComponent(name)}`;
}
