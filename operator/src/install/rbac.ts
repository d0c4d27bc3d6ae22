/**
 * The operator's RBAC, read from the one list of what it may do:
 * charts/govcloud-operator/rbac-requirements.yaml. The chart's templates, the Pulumi program
 * (pulumi/) and `govcloud join` all grant exactly that list (operator/test/install checks the
 * first two, operator/test/join the third).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const RELATIVE = path.join('charts', 'govcloud-operator', 'rbac-requirements.yaml');

/** The checkout's copy, found upwards from this module: the sources (operator/src/install) and the bundle (dist/) both sit in it. */
function requirementsFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, RELATIVE))) return path.join(dir, RELATIVE);
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(RELATIVE);
    dir = up;
  }
}

export const RBAC_REQUIREMENTS_FILE = requirementsFile();

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

export interface RbacRequirements {
  /** Name of the operator's ServiceAccount. */
  serviceAccount: string;
  /** Granted cluster-wide (ClusterRole + ClusterRoleBinding). */
  clusterRules: PolicyRule[];
  /** Granted in the operator's namespace only (Role + RoleBinding). */
  namespaceRules: PolicyRule[];
  /** Granted in govcloud-system of every data centre, hub and members (Role + RoleBinding `<name>-gateway`): the exchange gateway's objects. */
  systemNamespaceRules: PolicyRule[];
  /** Granted by `govcloud join` in govcloud-system of a joined member: renewing its own token. */
  memberNamespaceRules: PolicyRule[];
  /** Granted by `govcloud join` on the hub, limited by name to one DataCentre's kubeconfig Secret. */
  credentialSecretRules: PolicyRule[];
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new Error(`${RBAC_REQUIREMENTS_FILE}: ${where} must be a list of strings`);
  }
  return value as string[];
}

function rules(value: unknown, where: string): PolicyRule[] {
  if (!Array.isArray(value)) throw new Error(`${RBAC_REQUIREMENTS_FILE}: ${where} must be a list of rules`);
  return value.map((r: Record<string, unknown>, i) => {
    const at = `${where}[${i}]`;
    const unknown = Object.keys(r).filter((k) => !['apiGroups', 'resources', 'resourceNames', 'verbs'].includes(k));
    if (unknown.length) throw new Error(`${RBAC_REQUIREMENTS_FILE}: ${at} has unknown fields ${unknown.join(', ')}`);
    const rule: PolicyRule = {
      apiGroups: strings(r.apiGroups, `${at}.apiGroups`),
      resources: strings(r.resources, `${at}.resources`),
      verbs: strings(r.verbs, `${at}.verbs`),
    };
    if (r.resourceNames !== undefined) rule.resourceNames = strings(r.resourceNames, `${at}.resourceNames`);
    return rule;
  });
}

export function loadRbacRequirements(file = RBAC_REQUIREMENTS_FILE): RbacRequirements {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (typeof doc.serviceAccount !== 'string') throw new Error(`${file}: serviceAccount must be a string`);
  return {
    serviceAccount: doc.serviceAccount,
    clusterRules: rules(doc.clusterRules, 'clusterRules'),
    namespaceRules: rules(doc.namespaceRules, 'namespaceRules'),
    systemNamespaceRules: rules(doc.systemNamespaceRules ?? [], 'systemNamespaceRules'),
    memberNamespaceRules: rules(doc.memberNamespaceRules ?? [], 'memberNamespaceRules'),
    credentialSecretRules: rules(doc.credentialSecretRules ?? [], 'credentialSecretRules'),
  };
}
