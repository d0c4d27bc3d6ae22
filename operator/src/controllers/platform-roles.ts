// The govcloud ClusterRoles a data centre holds, as its probe found them, against their one
// definition (platformClusterRoles): the chart or the Pulumi program installs them, the
// operator only binds them. What is missing or differs becomes the DataCentre's condition,
// because the operator cannot repair them: writing them needs `escalate`, which it does not
// hold (docs/install.md, "RBAC").
import { platformClusterRoles } from '../render/index.ts';

export const PLATFORM_ROLE_NAMES: readonly string[] = platformClusterRoles().map((r) => r.metadata.name);

/** A ClusterRole as read from the API server; null where there is none of that name. */
export type FoundRole = { rules?: unknown; aggregationRule?: unknown } | null;

interface LiveRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs?: string[];
}

/** One line per single permission, so rule lists compare whatever their grouping and order. */
function grants(rules: unknown): Set<string> {
  const out = new Set<string>();
  for (const r of (Array.isArray(rules) ? rules : []) as LiveRule[]) {
    for (const verb of r.verbs ?? []) {
      for (const url of r.nonResourceURLs ?? []) out.add(`${verb} ${url}`);
      for (const group of r.apiGroups ?? []) {
        for (const resource of r.resources ?? []) {
          for (const name of r.resourceNames?.length ? r.resourceNames : ['']) out.add(`${verb} ${group || 'core'}/${resource}${name ? `/${name}` : ''}`);
        }
      }
    }
  }
  return out;
}

const listed = (items: string[]): string => (items.length > 5 ? `${items.slice(0, 5).join(', ')} and ${items.length - 5} more` : items.join(', '));

/** What is wrong with the govcloud ClusterRoles found in one cluster (empty when nothing is). */
export function platformRoleProblems(found: Readonly<Record<string, FoundRole>>): string[] {
  const problems: string[] = [];
  for (const want of platformClusterRoles()) {
    const name = want.metadata.name;
    const live = found[name];
    if (!live) {
      problems.push(`ClusterRole ${name} is missing: install the chart's RBAC in this cluster`);
      continue;
    }
    const wanted = grants(want.rules);
    const have = grants(live.rules);
    const extra = [...have].filter((g) => !wanted.has(g)).sort();
    const lacking = [...wanted].filter((g) => !have.has(g)).sort();
    const parts: string[] = [];
    if (live.aggregationRule !== undefined && live.aggregationRule !== null) parts.push('has an aggregationRule');
    if (extra.length) parts.push(`grants ${listed(extra)}`);
    if (lacking.length) parts.push(`lacks ${listed(lacking)}`);
    if (parts.length) problems.push(`ClusterRole ${name} differs from the platform's: ${parts.join('; ')}`);
  }
  return problems;
}
