/**
 * The operator's install as plain Kubernetes objects: the same objects the Helm chart
 * (charts/govcloud-operator) renders with its default values, less Helm's own labels.
 * Pure: no Pulumi runtime, no I/O. The Pulumi program (pulumi/) installs them, labelled
 * managed-by pulumi; `govcloud join` installs the member's share on a joining cluster
 * (relabelled as its own). operator/test/install compares these with `helm template` so the
 * installs cannot drift apart.
 */
import { SYSTEM_NAMESPACE } from '../api/tenancy.ts';
import { platformClusterRoles } from '../render/index.ts';
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
  /** Leader-election timings in whole seconds, retry < renew deadline < lease (the chart's leaderElection.*). */
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
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
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
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
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: o.name, namespace: o.namespace, labels: labels() },
      rules: copyRules(req.namespaceRules),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: o.name, namespace: o.namespace, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.name },
      subjects,
    },
    ...gatewayRbac(o, req),
  ];
}

/** The exchange gateway's objects in govcloud-system: in every data centre, hub and members. */
export function gatewayRbac(o: OperatorOptions, req: RbacRequirements): K8sObject[] {
  const name = `${o.name}-gateway`;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: o.namespace, labels: labels() },
      rules: copyRules(req.systemNamespaceRules),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: o.namespace, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }],
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
                { name: 'GOVCLOUD_LEADER_ELECT_LEASE_DURATION', value: String(o.leaseDurationSeconds) },
                { name: 'GOVCLOUD_LEADER_ELECT_RENEW_DEADLINE', value: String(o.renewDeadlineSeconds) },
                { name: 'GOVCLOUD_LEADER_ELECT_RETRY_PERIOD', value: String(o.retryPeriodSeconds) },
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

/** The ClusterRoles the operator binds for agencies (it may not write them: no escalate). */
export function platformRoles(): K8sObject[] {
  return platformClusterRoles().map((r) => ({ ...r, metadata: { name: r.metadata.name, labels: labels() }, rules: copyRules(r.rules) }));
}

/** The exchange gateway's configuration ConfigMaps, govcloud-gateway-0, -1, … (render/gateway.ts): exactly these names. */
const GATEWAY_CONFIG_NAME = '^govcloud-gateway-(0|[1-9][0-9]*)$';

const MANAGED = (o: string) =>
  `(has(${o}.metadata.labels) && (('app.kubernetes.io/managed-by' in ${o}.metadata.labels && ${o}.metadata.labels['app.kubernetes.io/managed-by'] == 'govcloud') || ` +
  `('govcloud.dev/orphaned' in ${o}.metadata.labels && ${o}.metadata.labels['govcloud.dev/orphaned'] == 'true')))`;

/**
 * The admission policy `<name>-limits` (govcloud-operator-limits) and its binding: what RBAC
 * cannot say about the operator's own requests. Why each rule: charts/govcloud-operator/templates/operator-limits.yaml.
 */
export function operatorLimits(o: OperatorOptions): K8sObject[] {
  const rule = (apiGroup: string, resources: string[]) => ({
    apiGroups: [apiGroup],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE', 'DELETE'],
    resources,
  });
  const forbidden = (expression: string, message: string) => ({ expression, message, reason: 'Forbidden' });
  const name = `${o.name}-limits`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels: labels() },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            rule('', ['namespaces', 'resourcequotas', 'limitranges', 'serviceaccounts', 'services', 'configmaps']),
            rule('rbac.authorization.k8s.io', ['rolebindings']),
            rule('networking.k8s.io', ['networkpolicies']),
            rule('apps', ['deployments']),
            rule('policy', ['poddisruptionbudgets']),
            rule('cert-manager.io', ['certificates']),
            { ...rule('', ['secrets']), operations: ['DELETE'] },
          ],
        },
        matchConditions: [{ name: 'the-govcloud-operator', expression: `request.userInfo.username == 'system:serviceaccount:${o.namespace}:${o.name}'` }],
        variables: [
          { name: 'isNamespace', expression: "request.resource.resource == 'namespaces'" },
          { name: 'target', expression: 'variables.isNamespace ? request.name : request.namespace' },
          { name: 'newManaged', expression: `request.operation == 'DELETE' || ${MANAGED('object')}` },
          { name: 'oldManaged', expression: `request.operation == 'CREATE' || ${MANAGED('oldObject')}` },
          { name: 'namespaceManaged', expression: `variables.isNamespace || (namespaceObject != null && ${MANAGED('namespaceObject')})` },
          {
            name: 'gatewayObject',
            expression:
              `request.namespace == '${o.namespace}' && ((request.resource.resource in ['networkpolicies', 'serviceaccounts', 'deployments'] && request.name == 'govcloud-gateway') || ` +
              `(request.resource.resource == 'configmaps' && (request.name.matches('${GATEWAY_CONFIG_NAME}') || (request.operation == 'DELETE' && request.name == 'govcloud-gateway'))) || ` +
              "(request.resource.resource == 'certificates' && request.name.startsWith('gw-')))",
          },
          {
            name: 'showbackObject',
            expression: `request.namespace == '${o.namespace}' && request.resource.resource == 'configmaps' && request.name.startsWith('govcloud-showback-')`,
          },
          {
            name: 'gatewaySecret',
            expression: `request.resource.resource == 'secrets' && request.operation == 'DELETE' && request.namespace == '${o.namespace}' && request.name.startsWith('gw-')`,
          },
        ],
        validations: [
          forbidden(
            "request.resource.resource != 'secrets' || variables.gatewaySecret",
            `the govcloud operator deletes only the exchange gateway's Secrets (gw-*) in ${o.namespace}, and no other Secret`,
          ),
          {
            expression: `variables.gatewayObject || variables.showbackObject || variables.gatewaySecret || !(variables.target.startsWith('kube-') || variables.target in ['default', '${o.namespace}'])`,
            messageExpression: `'the govcloud operator may not touch the namespace ' + variables.target + ': kube-*, default and ${o.namespace} are off limits'`,
            reason: 'Forbidden',
          },
          {
            expression:
              'variables.gatewaySecret || ((variables.namespaceManaged || variables.gatewayObject || variables.showbackObject) && variables.oldManaged && variables.newManaged)',
            messageExpression:
              "'the govcloud operator may only touch govcloud namespaces and the objects it manages in them (app.kubernetes.io/managed-by: govcloud): not ' + " +
              "request.resource.resource + ' ' + (variables.isNamespace ? '' : request.namespace + '/') + request.name",
            reason: 'Forbidden',
          },
          forbidden(
            "!variables.isNamespace || request.operation == 'DELETE' || (has(object.metadata.labels) && 'pod-security.kubernetes.io/enforce' in object.metadata.labels && " +
              "object.metadata.labels['pod-security.kubernetes.io/enforce'] in ['baseline', 'restricted'])",
            'a namespace the govcloud operator makes or changes enforces Pod Security baseline or restricted',
          ),
          forbidden(
            "request.resource.resource != 'rolebindings' || request.operation == 'DELETE' || (object.roleRef.kind == 'ClusterRole' && " +
              "object.roleRef.name in ['govcloud-workspace-admin', 'govcloud-tenant-requests', 'govcloud-tenant-viewer', 'view'] && " +
              "(!has(object.subjects) || object.subjects.all(s, s.kind == 'Group' && !s.name.startsWith('system:'))))",
            'the govcloud operator binds only the govcloud ClusterRoles (and view), only to groups, never to a system: group',
          ),
          forbidden(
            "request.resource.resource != 'deployments' || request.operation == 'DELETE' || (has(object.spec.template.spec.automountServiceAccountToken) && " +
              'object.spec.template.spec.automountServiceAccountToken == false && !has(object.spec.template.spec.initContainers) && ' +
              '!has(object.spec.template.spec.ephemeralContainers) && (!has(object.spec.template.spec.volumes) || object.spec.template.spec.volumes.all(v, has(v.emptyDir) || ' +
              `(variables.gatewayObject && has(v.projected) && v.projected.sources.all(s, (has(s.configMap) && s.configMap.name.matches('${GATEWAY_CONFIG_NAME}')) || ` +
              "(has(s.secret) && s.secret.name.startsWith('gw-')))))) && " +
              'object.spec.template.spec.containers.all(c, !has(c.envFrom) && (!has(c.env) || c.env.all(e, !has(e.valueFrom)))))',
            "a Deployment of the govcloud operator mounts no Secret, no service-account token and no volume but emptyDir (the exchange gateway's: also its ConfigMaps govcloud-gateway-<n> and its Certificates' Secrets, projected)",
          ),
          forbidden(
            "request.resource.resource != 'certificates' || request.operation == 'DELETE' || object.spec.secretName == request.name",
            'a Certificate of the govcloud operator writes only the Secret of its own name',
          ),
          forbidden(
            "request.resource.resource != 'services' || request.operation == 'DELETE' || ((!has(object.spec.type) || object.spec.type == 'ClusterIP') && !has(object.spec.externalIPs))",
            'a Service of the govcloud operator is a ClusterIP Service without external IPs',
          ),
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels: labels() },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}

/** Everything of the operator's install on the hub but the CRDs, in the order to create it. */
export function operatorObjects(o: OperatorOptions, req: RbacRequirements): K8sObject[] {
  const pdb = podDisruptionBudget(o);
  return [
    ...(o.createNamespace ? [namespace(o)] : []),
    serviceAccount(o),
    ...platformRoles(),
    ...rbac(o, req),
    ...operatorLimits(o),
    deployment(o),
    metricsService(o),
    ...(pdb ? [pdb] : []),
  ];
}

/**
 * What a member data centre's cluster needs for the hub's operator (the chart's `mode:
 * member`): its ServiceAccount (the hub's kubeconfig Secret holds a token of it), the
 * ClusterRole and binding, the govcloud ClusterRoles and the admission policy. No Deployment,
 * and no Role: the operator reads no Secret and holds no Lease there.
 */
export function memberObjects(o: OperatorOptions, req: RbacRequirements): K8sObject[] {
  return [
    ...(o.createNamespace ? [namespace(o)] : []),
    serviceAccount(o),
    ...platformRoles(),
    ...rbac(o, req).filter((r) => r.kind === 'ClusterRole' || r.kind === 'ClusterRoleBinding'),
    ...gatewayRbac(o, req),
    ...operatorLimits(o),
  ];
}
