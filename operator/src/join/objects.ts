// What `govcloud join NAME` creates, as plain objects (pure: settings in, objects out).
//
// On the member: what the chart's `mode: member` installs (the same objects: install/manifests.ts's
// memberObjects, built from charts/govcloud-operator/rbac-requirements.yaml, the one list of
// the operator's rights) and a Role that lets the operator's ServiceAccount request tokens for
// itself only (memberNamespaceRules). On the hub: the kubeconfig Secret, a Role that lets the
// operator patch that one Secret (credentialSecretRules, by name), and the DataCentre.
// Everything carries JOINED_LABEL, which `govcloud unjoin` deletes by, and nothing else.
import type { DataCentre } from '../api/index.ts';
import { SYSTEM_NAMESPACE } from '../api/tenancy.ts';
import { DEFAULT_OPERATOR, memberObjects, type K8sObject } from '../install/manifests.ts';
import type { PolicyRule, RbacRequirements } from '../install/rbac.ts';
import { credentialRoleName, KUBECONFIG_KEY, kubeconfigSecretName, OPERATOR_SERVICE_ACCOUNT, RENEWED_TOKEN_ANNOTATION } from './credentials.ts';

/** On every object join creates: the data centre it joined. */
export const JOINED_LABEL = 'govcloud.dev/joined-as';
export const JOIN_MANAGER = 'govcloud-join';

export type Spec = DataCentre['spec'];

function mark(obj: K8sObject, name: string): K8sObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...obj.metadata.labels, 'app.kubernetes.io/part-of': 'govcloud', 'app.kubernetes.io/managed-by': JOIN_MANAGER, [JOINED_LABEL]: name },
    },
  };
}

function boundRole(name: string, namespace: string, rules: PolicyRule[], resourceNames?: string[]): K8sObject[] {
  const subjects = [{ kind: 'ServiceAccount', name: OPERATOR_SERVICE_ACCOUNT, namespace: SYSTEM_NAMESPACE }];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: rules.map((r) => ({ ...r, ...(resourceNames ? { resourceNames } : {}) })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects,
    },
  ];
}

/** The member's objects, in the order to create them (namespace first). */
export function memberJoinObjects(name: string, req: RbacRequirements): K8sObject[] {
  return [...memberObjects(DEFAULT_OPERATOR, req), ...boundRole(`${OPERATOR_SERVICE_ACCOUNT}-token`, SYSTEM_NAMESPACE, req.memberNamespaceRules)].map((o) =>
    mark(o, name),
  );
}

/**
 * The hub's objects; the Secret only when a kubeconfig is given (never in a dry run's output).
 * Without a spec, the DataCentre is named only (what unjoin deletes).
 */
export function hubJoinObjects(name: string, req: RbacRequirements, o: { spec?: Omit<Spec, 'connection'>; kubeconfig?: string } = {}): K8sObject[] {
  const { spec, kubeconfig } = o;
  const secretName = kubeconfigSecretName(name);
  const secret: K8sObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretName,
      namespace: SYSTEM_NAMESPACE,
      annotations: { [RENEWED_TOKEN_ANNOTATION]: `${SYSTEM_NAMESPACE}/${OPERATOR_SERVICE_ACCOUNT}` },
    },
    type: 'Opaque',
    data: { [KUBECONFIG_KEY]: Buffer.from(kubeconfig ?? '', 'utf8').toString('base64') },
  };
  const dataCentre: K8sObject = {
    apiVersion: 'govcloud.dev/v1alpha1',
    kind: 'DataCentre',
    metadata: { name },
    ...(spec ? { spec: { ...spec, connection: { kubeconfigSecretRef: { namespace: SYSTEM_NAMESPACE, name: secretName, key: KUBECONFIG_KEY } } } } : {}),
  };
  return [
    ...(kubeconfig !== undefined || !spec ? [secret] : []),
    ...boundRole(credentialRoleName(name), SYSTEM_NAMESPACE, req.credentialSecretRules, [secretName]),
    dataCentre,
  ].map((o) => mark(o, name));
}
