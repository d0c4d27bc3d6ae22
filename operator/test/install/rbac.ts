// RBAC rules as sets of single permissions, so two rule lists can be compared whatever their
// grouping and order: one line per (scope, apiGroup, resource, resourceName, verb).
import type { PolicyRule, RbacRequirements } from '../../src/install/rbac.ts';

export type Scope = 'cluster' | `namespace:${string}`;

export function permissions(scope: Scope, rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups) {
      for (const res of r.resources) {
        for (const name of r.resourceNames?.length ? r.resourceNames : ['(any)']) {
          for (const v of r.verbs) out.add(`${scope} ${g || 'core'} ${res} ${name} ${v}`);
        }
      }
    }
  }
  return [...out].sort();
}

export function requiredPermissions(req: RbacRequirements, namespace: string): string[] {
  return [
    ...new Set([
      ...permissions('cluster', req.clusterRules),
      ...permissions(`namespace:${namespace}`, req.namespaceRules),
      ...permissions(`namespace:${namespace}`, req.systemNamespaceRules),
    ]),
  ].sort();
}

/** Every wildcard or non-resource rule in a rule list (there must be none). */
export function wildcards(rules: readonly (PolicyRule & { nonResourceURLs?: string[] })[]): string[] {
  const bad: string[] = [];
  for (const r of rules) {
    for (const field of ['apiGroups', 'resources', 'resourceNames', 'verbs'] as const) {
      for (const v of r[field] ?? []) if (v.includes('*')) bad.push(`${field}: ${v}`);
    }
    if (r.nonResourceURLs?.length) bad.push(`nonResourceURLs: ${r.nonResourceURLs.join(',')}`);
  }
  return bad;
}
