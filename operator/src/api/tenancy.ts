/**
 * Where tenants live, and how an object's acting agency is found.
 *
 * The acting agency of a NetworkLink, SharedDataService, AccessRequest or AccessGrant is
 * the agency whose hub namespace holds it: the namespace is the identity, never a field the
 * tenant writes. Hub namespaces are `govcloud-<agency>`; Agency names may not start with
 * `govcloud`, so no workspace namespace can take that shape.
 */
import type { Agency } from './agency.ts';

export const HUB_NAMESPACE_PREFIX = 'govcloud-';
/** Namespace the operator itself runs in on the hub. */
export const SYSTEM_NAMESPACE = 'govcloud-system';

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
