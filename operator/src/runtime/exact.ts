// The security-relevant kinds are compared exactly. For them "live has every field desired
// sets" is not enough: a field someone added (an allow-all `ingress: [{}]` in a default-deny
// policy, `matchConditions` that switch an admission policy off, an `aggregationRule` that
// grows a ClusterRole, an `Audit` next to `Deny`) changes what the object does, and server-side
// apply never removes a field another manager owns. So the content of these objects (every
// top-level field but apiVersion, kind, metadata and status) must equal the desired content
// as the API server would store it (server-defaults.ts), and any difference is listed with
// its path so that the repair can say what it undid.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ownsField, type FieldPath } from './managed-fields.ts';
import { withServerDefaults } from './server-defaults.ts';

/** group/Kind of the kinds whose content must equal the desired content. */
const EXACT_KINDS = new Set([
  'networking.k8s.io/NetworkPolicy',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  '/ResourceQuota',
  '/LimitRange',
]);

export function isExactKind(obj: { apiVersion?: string; kind?: string }): boolean {
  const apiVersion = obj.apiVersion ?? 'v1';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return EXACT_KINDS.has(`${group}/${obj.kind ?? ''}`);
}

export interface FieldDifference {
  path: FieldPath;
  /** added: live has it, desired not; removed: the reverse; changed: both, with other values. */
  change: 'added' | 'removed' | 'changed';
}

const NOT_CONTENT = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** Every top-level field but apiVersion, kind, metadata and status. */
export function contentOf(obj: KubernetesObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!NOT_CONTENT.has(k)) out[k] = v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The API server omits empty lists (and null) when it serialises: they are the same as an
 * absent field. Empty maps are not: `namespaceSelector: {}` (every namespace) is stored and
 * means something other than no selector.
 */
function absent(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return differences(a, b, []).length === 0;
}

function differences(desired: unknown, live: unknown, path: FieldPath): FieldDifference[] {
  if (absent(desired) && absent(live)) return [];
  if (absent(desired)) return [{ path, change: 'added' }];
  if (absent(live)) return [{ path, change: 'removed' }];
  if (Array.isArray(desired) && Array.isArray(live)) {
    if (desired.length === live.length) return desired.flatMap((d, i) => differences(d, live[i], [...path, i]));
    // Items in another number: name the items that are not wanted (or missing) by position.
    const added = live.flatMap((l, i) => (desired.some((d) => deepEqual(d, l)) ? [] : [{ path: [...path, i], change: 'added' as const }]));
    const removed = desired.flatMap((d, i) => (live.some((l) => deepEqual(d, l)) ? [] : [{ path: [...path, i], change: 'removed' as const }]));
    const all = [...added, ...removed];
    return all.length > 0 ? all : [{ path, change: 'changed' }];
  }
  if (isPlainObject(desired) && isPlainObject(live)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(live)])].sort();
    return keys.flatMap((k) => differences(desired[k], live[k], [...path, k]));
  }
  return desired === live ? [] : [{ path, change: 'changed' }];
}

/**
 * Where the live content differs from the desired content as the API server would store it;
 * empty when they are equal. Sorted by path.
 */
export function contentDifferences(desired: KubernetesObject, live: KubernetesObject): FieldDifference[] {
  return differences(contentOf(withServerDefaults(desired)), contentOf(live), []);
}

/**
 * The differences someone else made: a field live holds that no manager `ours` accepts owns
 * (the API server moves a field's ownership to whoever writes a new value into it). A field
 * that is only missing cannot be told from one desired has just started to set; it is
 * repaired all the same, but not counted here.
 */
export function foreignDifferences(differences: readonly FieldDifference[], live: KubernetesObject, ours: (manager: string) => boolean): FieldDifference[] {
  return differences.filter((d) => d.change !== 'removed' && !ownsField(live, d.path, ours));
}
