/**
 * Objects every data centre's cluster holds once, shared by all tenants.
 *
 * `govcloud-workspace-admin` (ClusterRole, every data centre), bound by a RoleBinding in each
 * workspace namespace to the agency's admin groups. It gives full control of workloads in
 * that namespace: pods (with logs, exec and port-forward: admins debug their own
 * workloads), deployments, statefulsets, replicasets, jobs, cronjobs, services, configmaps,
 * secrets, persistentvolumeclaims, serviceaccounts, horizontal pod autoscalers, pod
 * disruption budgets and leases, and read access to events, endpoints and endpoint slices.
 *
 * It deliberately grants nothing on networkpolicies, resourcequotas, limitranges, roles,
 * rolebindings or namespaces. A tenant who could write a NetworkPolicy could open its own
 * default-deny (an allow-all policy in its namespace makes the platform's isolation moot);
 * one who could write a ResourceQuota or LimitRange could raise its own quota; one who could
 * write Roles or RoleBindings could grant itself what the platform withholds; namespace
 * labels carry the security level and Pod Security level. Also withheld: daemonsets (they
 * would spread a tenant over every node), ingresses (exposing a workspace beyond the
 * platform is a platform decision; its network policy would block the ingress controller
 * anyway), serviceaccount tokens and ephemeral containers.
 *
 * `govcloud-tenant-requests` and `govcloud-tenant-viewer` (ClusterRoles), bound in each
 * agency's hub namespace `govcloud-<agency>`: admins write NetworkLinks, SharedDataServices,
 * AccessRequests and AccessGrants there and read their status; viewers only read. Neither may
 * write status: the operator alone reports it.
 *
 * These three ClusterRoles are installed with the operator's RBAC (the chart and the Pulumi
 * program, in every cluster: `platformClusterRoles()` is their one definition, and the unit
 * tests of operator/test/install compare both with it). The operator does not write them:
 * writing a role that grants what the writer lacks needs `escalate`, and an operator holding
 * `escalate` on the role every agency admin holds could make that role cluster admin. It only
 * reads them (DataCentre condition when one is missing or differs) and binds them.
 *
 * `govcloud-workspace-pods` (ValidatingAdmissionPolicy and binding, every data centre), for
 * pods in workspace namespaces: no `spec.nodeName` on create (it would skip the scheduler
 * and with it the taints of the dedicated nodes), and outside security level 4 no toleration
 * of the dedicated-node taint (nor a keyless toleration, which tolerates every taint), so
 * only level 4 workloads land on the dedicated nodes. It selects namespaces by the
 * `govcloud.dev/workspace` label, which only the operator writes (tenants cannot write
 * namespaces).
 *
 * `govcloud-workspace-services` and `govcloud-workspace-secrets` (ValidatingAdmissionPolicies
 * and bindings, every data centre), selecting workspace namespaces the same way: a Service is
 * of type ClusterIP and has no externalIPs (NodePort claims a port on every node,
 * LoadBalancer and externalIPs expose the workspace beyond the cluster or intercept traffic to
 * addresses it does not own (CVE-2020-8554), ExternalName points cluster names anywhere); no
 * Secret of type `kubernetes.io/service-account-token` (a token that never expires: workloads
 * get bound, expiring tokens). No agency is allowed a LoadBalancer: other agencies reach a
 * workspace through SharedDataServices and NetworkLinks, which the platform renders and
 * gates; an exposure beyond them is a platform decision, made outside the workspaces. The
 * rules are data (WORKSPACE_OBJECT_POLICIES) so that `govcloud validate` evaluates the same
 * expressions offline.
 */
import { DEDICATED_NODE_KEY, GROUP, LABELS, type DataCentre } from '../api/index.ts';
import { addressPlan } from '../model/addresses.ts';
import { levelsWhere } from '../model/policy.ts';
import { addressPolicy } from './address-policy.ts';
import { denyingPolicy, type Validation } from './admission.ts';
import { hubAdmissionPolicies } from './hub-admission.ts';
import { plainCopy } from './meta.ts';
import type { DesiredObject, OwnerRef } from './types.ts';

export const WORKSPACE_ADMIN_ROLE = 'govcloud-workspace-admin';
export const WORKSPACE_VIEWER_ROLE = 'view';
export const TENANT_REQUESTS_ROLE = 'govcloud-tenant-requests';
export const TENANT_VIEWER_ROLE = 'govcloud-tenant-viewer';
export const WORKSPACE_POD_POLICY = 'govcloud-workspace-pods';
export const WORKSPACE_SERVICE_POLICY = 'govcloud-workspace-services';
export const WORKSPACE_SECRET_POLICY = 'govcloud-workspace-secrets';

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];
const TENANT_KINDS = ['networklinks', 'shareddataservices', 'accessrequests', 'accessgrants', 'migrationplans'];

export function dataCentreOwner(dataCentre: DataCentre): OwnerRef {
  return { kind: 'DataCentre', name: dataCentre.metadata.name };
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface PlatformClusterRole {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRole';
  metadata: { name: string };
  rules: PolicyRule[];
}

function clusterRole(name: string, rules: PolicyRule[]): PlatformClusterRole {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules };
}

export function workspaceAdminRole(): PlatformClusterRole {
  return clusterRole(WORKSPACE_ADMIN_ROLE, [
    { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts'], verbs: ALL },
    { apiGroups: [''], resources: ['pods/log', 'pods/status', 'services/status', 'persistentvolumeclaims/status'], verbs: READ },
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: ['get', 'create'] },
    { apiGroups: [''], resources: ['events', 'endpoints'], verbs: READ },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'replicasets', 'deployments/scale', 'statefulsets/scale', 'replicasets/scale'],
      verbs: ALL,
    },
    { apiGroups: ['apps'], resources: ['deployments/status', 'statefulsets/status', 'replicasets/status'], verbs: READ },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ALL },
    { apiGroups: ['batch'], resources: ['jobs/status', 'cronjobs/status'], verbs: READ },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ALL },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ALL },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ALL },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  ]);
}

export function tenantRequestsRole(): PlatformClusterRole {
  return clusterRole(TENANT_REQUESTS_ROLE, [
    { apiGroups: [GROUP], resources: TENANT_KINDS, verbs: ALL },
    { apiGroups: [GROUP], resources: TENANT_KINDS.map((k) => `${k}/status`), verbs: READ },
    { apiGroups: [''], resources: ['events'], verbs: READ },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  ]);
}

export function tenantViewerRole(): PlatformClusterRole {
  return clusterRole(TENANT_VIEWER_ROLE, [
    { apiGroups: [GROUP], resources: [...TENANT_KINDS, ...TENANT_KINDS.map((k) => `${k}/status`)], verbs: READ },
    { apiGroups: [''], resources: ['events'], verbs: READ },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  ]);
}

/** A policy and its binding for objects in workspace namespaces: every validation must hold, or the request is refused. */
function workspaceAdmissionPolicy(owner: OwnerRef, name: string, resources: readonly string[], validations: readonly Validation[]): DesiredObject[] {
  return denyingPolicy(owner, name, {
    matchConstraints: {
      namespaceSelector: { matchExpressions: [{ key: LABELS.workspace, operator: 'Exists' }] },
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: [...resources] }],
    },
    validations: validations.map((v) => ({ expression: v.expression, message: v.message, reason: 'Forbidden' })),
  });
}

export function workspacePodPolicy(owner: OwnerRef): DesiredObject[] {
  const level = `namespaceObject.metadata.labels['${LABELS.securityLevel}']`;
  const dedicated = levelsWhere((p) => p.dedicatedNodes);
  return workspaceAdmissionPolicy(
    owner,
    WORKSPACE_POD_POLICY,
    ['pods'],
    [
      {
        expression: "request.operation != 'CREATE' || !has(object.spec.nodeName) || object.spec.nodeName == ''",
        message: 'pods in govcloud workspaces are placed by the scheduler: spec.nodeName is not allowed',
      },
      {
        expression:
          `(has(namespaceObject.metadata.labels) && '${LABELS.securityLevel}' in namespaceObject.metadata.labels && ${dedicated.map((l) => `${level} == '${l}'`).join(' || ')}) || ` +
          `!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && t.key != '' && t.key != '${DEDICATED_NODE_KEY}')`,
        message: `only security level ${dedicated.join(' and ')} workspaces run on the dedicated nodes: no toleration of ${DEDICATED_NODE_KEY}, and none without a key`,
      },
    ],
  );
}

/** A rule of a workspace admission policy, with the field it judges (the offline check reports its line). */
export interface WorkspaceRule extends Validation {
  field: readonly string[];
}

/** A core (v1) kind tenants write in workspaces, judged by one admission policy. */
export interface WorkspaceObjectPolicy {
  name: string;
  kind: string;
  resource: string;
  rules: readonly WorkspaceRule[];
}

/**
 * The rules read only `object`, never the namespace or the request: the same in every
 * workspace, so the offline check needs nothing but the document. `has` guards each step,
 * as a document in a pull request has no defaults filled in (the API server defaults a
 * Service's type to ClusterIP and a Secret's to Opaque).
 */
export const WORKSPACE_OBJECT_POLICIES: readonly WorkspaceObjectPolicy[] = [
  {
    name: WORKSPACE_SERVICE_POLICY,
    kind: 'Service',
    resource: 'services',
    rules: [
      {
        expression: "!has(object.spec) || !has(object.spec.type) || object.spec.type == 'ClusterIP'",
        message:
          'Services in govcloud workspaces stay inside the cluster: type must be ClusterIP (NodePort, LoadBalancer and ExternalName are refused; ' +
          'other agencies reach a workspace through SharedDataServices and NetworkLinks)',
        field: ['spec', 'type'],
      },
      {
        expression: '!has(object.spec) || !has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0',
        message: 'Services in govcloud workspaces have no externalIPs: they would intercept traffic to those addresses (CVE-2020-8554)',
        field: ['spec', 'externalIPs'],
      },
    ],
  },
  {
    name: WORKSPACE_SECRET_POLICY,
    kind: 'Secret',
    resource: 'secrets',
    rules: [
      {
        expression: "!has(object.type) || object.type != 'kubernetes.io/service-account-token'",
        message:
          'Secrets of type kubernetes.io/service-account-token are refused in govcloud workspaces: their tokens never expire; ' +
          'bound tokens only (a projected volume or the TokenRequest API)',
        field: ['type'],
      },
    ],
  },
];

/** The Service and Secret policies of every data centre. */
export function workspaceObjectPolicies(owner: OwnerRef): DesiredObject[] {
  return WORKSPACE_OBJECT_POLICIES.flatMap((p) => workspaceAdmissionPolicy(owner, p.name, [p.resource], p.rules));
}

/** The govcloud ClusterRoles, as the chart and the Pulumi program install them in every cluster. */
export function platformClusterRoles(): PlatformClusterRole[] {
  return [workspaceAdminRole(), tenantRequestsRole(), tenantViewerRole()];
}

/**
 * The shared objects of one data centre the operator writes, owned by its DataCentre
 * (`DataCentre..<name>`): the pod, Service and Secret admission policies everywhere, and on
 * the hub the address policy (render/address-policy.ts, from every DataCentre's ranges) and
 * the admission policies of the tenants' kinds (hub-admission.ts).
 */
export function platformObjects(dataCentre: DataCentre, dataCentres: readonly DataCentre[] = [dataCentre]): DesiredObject[] {
  const owner = dataCentreOwner(dataCentre);
  const objects = [...workspacePodPolicy(owner), ...workspaceObjectPolicies(owner)];
  if (dataCentre.spec.connection.thisCluster === true) objects.push(...addressPolicy(owner, addressPlan(dataCentres)), ...hubAdmissionPolicies(owner));
  return objects.map(plainCopy);
}
