/**
 * The kinds the renderers put into data centres: one table, in apply order. The renderers
 * hand their objects out sorted by it (meta.ts) and the applier takes them in that order
 * (cluster-scoped first); the operator keeps one informer per row (controllers/members.ts)
 * and finds each child's REST path by its row (controllers/resources.ts). A kind a renderer
 * emits that is not here fails operator/test/render/kinds.test.ts.
 *
 * Order: namespaces and cluster-wide objects first, then what lives in namespaces; a
 * ServiceAccount before the Deployment that runs as it, the quota and defaults before any
 * workload they bound, the policies before the Service that a pod could be reached through.
 */

import { SYSTEM_NAMESPACE } from '../api/tenancy.ts';

/** A kind with its REST resource: all the operator needs to read and write it, without discovery. */
export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Rendered in this namespace only: the operator watches it alone, and its RBAC is a Role there. */
  namespace?: string;
  /** An API an add-on installs (its CRD), which a data centre may lack: what to install. */
  installedBy?: string;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({ apiVersion: 'v1', kind, plural, namespaced });

/** What the renderers put into data centres, in apply order. */
export const CHILD_RESOURCES: readonly ResourceType[] = [
  core('Namespace', 'namespaces', false),
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', namespaced: false },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', namespaced: false },
  core('ServiceAccount', 'serviceaccounts'),
  core('ResourceQuota', 'resourcequotas'),
  core('LimitRange', 'limitranges'),
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  // The exchange gateway's configuration and certificates (render/gateway.ts), before the gateway that reads them.
  { ...core('ConfigMap', 'configmaps'), namespace: SYSTEM_NAMESPACE },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespaced: true, namespace: SYSTEM_NAMESPACE, installedBy: 'cert-manager' },
  core('Service', 'services'),
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
];

/** The row of a child kind; throws for a kind that is not one (a programming error). */
export function childResource(kind: string): ResourceType {
  const row = CHILD_RESOURCES.find((r) => r.kind === kind);
  if (!row) throw new Error(`${kind} is not a child kind (render/kinds.ts)`);
  return row;
}

/** Position in apply order; a kind not in the table comes after all that are. */
/** Each kind's first row: compareObjects asks twice per comparison, millions of times in a national plan's sort. */
const RANKS = new Map<string, number>();
for (const [i, r] of CHILD_RESOURCES.entries()) if (!RANKS.has(r.kind)) RANKS.set(r.kind, i);

export function applyRank(kind: string): number {
  return RANKS.get(kind) ?? CHILD_RESOURCES.length;
}
