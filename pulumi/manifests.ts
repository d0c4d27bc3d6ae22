/**
 * The operator's install as plain Kubernetes objects: the same objects the Helm chart
 * (charts/govcloud-operator) renders with its default values, less Helm's own labels.
 * Pure: no Pulumi runtime, no I/O besides reading the RBAC list. operator/test/install
 * compares these with `helm template` so the two installs cannot drift apart.
 */
import { SYSTEM_NAMESPACE } from '../operator/src/api/tenancy.ts';
import type { PolicyRule, RbacRequirements } from './rbac.ts';

export interface OperatorOptions {
  /** Name of the ServiceAccount, ClusterRole(Binding), Role(Binding), Deployment, PDB. */
  name: string;
  /** Namespace the operator runs in; it expects govcloud-system. */
  namespace: string;
  /** Create the Namespace (with Pod Security labels). */
  createNamespace: boolean;
  podSecurity: 'restricted' | 'baseline';
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  replicas: number;
  leaderElection: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** NODE_OPTIONS of the operator's Node (heap limits: charts/govcloud-operator/values.yaml). */
  nodeOptions: string;
  /** /healthz, /readyz and /metrics. */
  httpPort: number;
  resources: { requests: Record<string, string>; limits?: Record<string, string> };
  runAsUser: number;
  runAsGroup: number;
  podDisruptionBudget: boolean;
  minAvailable: number | string;
}

/** The chart's default values (charts/govcloud-operator/values.yaml), as options. */
export const DEFAULT_OPERATOR: OperatorOptions = {
  name: 'govcloud-operator',
  namespace: SYSTEM_NAMESPACE,
  createNamespace: true,
  podSecurity: 'restricted',
  image: 'registry.govcloud.local/govcloud/operator:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  replicas: 2,
  leaderElection: true,
  logLevel: 'info',
  nodeOptions: '--max-semi-space-size=2 --max-old-space-size=256',
  httpPort: 8080,
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  runAsUser: 10001,
  runAsGroup: 10001,
  podDisruptionBudget: true,
  minAvailable: 1,
};

/** The Lease the operator leader-elects on (a fixed name the Role is limited to). */
export const LEASE_NAME = 'govcloud-operator';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const SELECTOR_LABELS = {
  'app.kubernetes.io/name': 'govcloud-operator',
  'app.kubernetes.io/component': 'operator',
} as const;

export function labels(extra: Record<string, string> = {}): Record<string, string> {
  return { ...SELECTOR_LABELS, 'app.kubernetes.io/part-of': 'govcloud', 'app.kubernetes.io/managed-by': 'pulumi', ...extra };
}

function copyRules(rules: PolicyRule[]): PolicyRule[] {
  return rules.map((r) => ({
    apiGroups: [...r.apiGroups],
    resources: [...r.resources],
    ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
    verbs: [...r.verbs],
  }));
}

export function namespace(o: OperatorOptions): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: o.namespace,
      labels: labels({
        'pod-security.kubernetes.io/enforce': o.podSecurity,
        'pod-security.kubernetes.io/audit': o.podSecurity,
        'pod-security.kubernetes.io/warn': o.podSecurity,
      }),
    },
  };
}

export function serviceAccount(o: OperatorOptions): K8sObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: o.name, namespace: o.namespace, labels: labels() }, automountServiceAccountToken: true };
}

export function rbac(o: OperatorOptions, req: RbacRequirements): K8sObject[] {
  const subjects = [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }];
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: o.name, labels: labels() }, rules: copyRules(req.clusterRules) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: o.name, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: o.name },
      subjects,
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: o.name, namespace: o.namespace, labels: labels() }, rules: copyRules(req.namespaceRules) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: o.name, namespace: o.namespace, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.name },
      subjects,
    },
  ];
}

export function deployment(o: OperatorOptions): K8sObject {
  const probe = (path: string) => ({ httpGet: { path, port: 'http' } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, labels: labels() },
    spec: {
      replicas: o.replicas,
      revisionHistoryLimit: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { ...SELECTOR_LABELS } },
      template: {
        metadata: { labels: labels() },
        spec: {
          serviceAccountName: o.name,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: o.runAsUser, runAsGroup: o.runAsGroup, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'operator',
              image: o.image,
              imagePullPolicy: o.imagePullPolicy,
              args: ['operator'],
              env: [
                { name: 'GOVCLOUD_LOG_LEVEL', value: o.logLevel },
                { name: 'GOVCLOUD_HTTP_PORT', value: String(o.httpPort) },
                { name: 'GOVCLOUD_LEADER_ELECTION', value: String(o.leaderElection) },
                { name: 'GOVCLOUD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'GOVCLOUD_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                ...(o.nodeOptions ? [{ name: 'NODE_OPTIONS', value: o.nodeOptions }] : []),
              ],
              ports: [{ name: 'http', containerPort: o.httpPort, protocol: 'TCP' }],
              startupProbe: { ...probe('/healthz'), periodSeconds: 2, failureThreshold: 60 },
              livenessProbe: { ...probe('/healthz'), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
              readinessProbe: { ...probe('/readyz'), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              resources: structuredClone(o.resources),
              securityContext: {
                runAsNonRoot: true,
                privileged: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...SELECTOR_LABELS } } } },
              ],
            },
          },
        },
      },
    },
  };
}

export function metricsService(o: OperatorOptions): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${o.name}-metrics`, namespace: o.namespace, labels: labels() },
    spec: {
      type: 'ClusterIP',
      selector: { ...SELECTOR_LABELS },
      ports: [{ name: 'http-metrics', port: o.httpPort, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Only with more than one replica: with one, a PDB would block every node drain. */
export function podDisruptionBudget(o: OperatorOptions): K8sObject | undefined {
  if (!o.podDisruptionBudget || o.replicas < 2) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: o.name, namespace: o.namespace, labels: labels() },
    spec: { minAvailable: o.minAvailable, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: { ...SELECTOR_LABELS } } },
  };
}

/** Everything of the operator's install but the CRDs, in the order to create it. */
export function operatorObjects(o: OperatorOptions, req: RbacRequirements): K8sObject[] {
  const pdb = podDisruptionBudget(o);
  return [
    ...(o.createNamespace ? [namespace(o)] : []),
    serviceAccount(o),
    ...rbac(o, req),
    deployment(o),
    metricsService(o),
    ...(pdb ? [pdb] : []),
  ];
}
