/**
 * Where tenants live, and how an object's acting agency is found.
 *
 * The acting agency of a NetworkLink, SharedDataService, AccessRequest or AccessGrant is
 * the agency whose hub namespace holds it: the namespace is the identity, never a field the
 * tenant writes. Hub namespaces are `govcloud-<agency>`; Agency names may not start with
 * `govcloud`, so no workspace namespace can take that shape.
 *
 * No namespace of an agency may be one of the platform's own: the operator's namespace (the
 * members' kubeconfig Secrets live there), Kubernetes' `default` and `kube-*`. An agency
 * given one would get its RoleBindings, quota and default-deny policy written into it.
 */
import type { Agency } from './agency.ts';

export const HUB_NAMESPACE_PREFIX = 'govcloud-';
/** Namespace the operator itself runs in on the hub. */
export const SYSTEM_NAMESPACE = 'govcloud-system';

/** Namespaces of the platform itself: no agency's namespace may be one of them. */
export const PLATFORM_NAMESPACES: readonly string[] = ['default', SYSTEM_NAMESPACE];
/** Prefixes Kubernetes keeps for itself (kube-system, kube-public, kube-node-lease, ...). */
export const PLATFORM_NAMESPACE_PREFIXES: readonly string[] = ['kube-'];

/**
 * Why an agency may not have this namespace, or undefined when it may. `extra` names more
 * namespaces of the platform (the operator's own, where it runs under another name).
 */
export function platformNamespaceClash(namespace: string, extra: readonly string[] = []): string | undefined {
  if (PLATFORM_NAMESPACES.includes(namespace) || extra.includes(namespace)) return `${namespace} is a namespace of the platform itself`;
  const prefix = PLATFORM_NAMESPACE_PREFIXES.find((p) => namespace.startsWith(p));
  return prefix === undefined ? undefined : `${prefix}* namespaces belong to Kubernetes itself`;
}

export function hubNamespaceOf(agencyName: string): string {
  return HUB_NAMESPACE_PREFIX + agencyName;
}

/** The agency name a hub namespace belongs to, or undefined for any other namespace. */
export function agencyNameOfHubNamespace(namespace: string | undefined): string | undefined {
  if (!namespace || !namespace.startsWith(HUB_NAMESPACE_PREFIX) || namespace === SYSTEM_NAMESPACE) return undefined;
  const name = namespace.slice(HUB_NAMESPACE_PREFIX.length);
  return name.length > 0 ? name : undefined;
}

export function workspaceNamespace(agencyName: string, workspace: string): string {
  return `${agencyName}-${workspace}`;
}

export function workspaceNamespaces(agency: Agency): string[] {
  return agency.spec.workspaces.map((w) => workspaceNamespace(agency.metadata.name, w.name));
}
