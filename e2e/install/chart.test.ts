// The Helm chart against a real API server: everything it renders (CRDs included) is accepted
// by server-side apply in dry-run mode with strict field validation; the operator's pod passes
// the restricted Pod Security Standard; and the RBAC it grants, applied for real under unique
// names, allows exactly what rbac-requirements.yaml lists (SubjectAccessReview).
import * as assert from 'uvu/assert';
import { ApiError, e2eSuite } from '../harness/index.ts';
import type { Cluster } from '../harness/index.ts';
import { find, template, type K8sObject } from '../../operator/test/install/helm.ts';
import { loadRbacRequirements } from '../../operator/src/install/rbac.ts';

const test = e2eSuite('install: helm chart');

/** Cluster-scoped first (CRDs, Namespace, ClusterRoles), then namespaced. */
function ordered(objects: K8sObject[]): K8sObject[] {
  const rank = (o: K8sObject) => (o.kind === 'CustomResourceDefinition' ? 0 : o.kind === 'Namespace' ? 1 : o.metadata.namespace ? 3 : 2);
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

async function dryRunAll(hub: Cluster, objects: K8sObject[]): Promise<string[]> {
  const failures: string[] = [];
  for (const o of ordered(objects)) {
    try {
      await hub.apply(o, { dryRun: true });
    } catch (err) {
      failures.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
    }
  }
  return failures;
}

test('every rendered object, CRDs included, passes server-side apply --dry-run=server', async ({ hub, ns }) => {
  const namespace = await ns.create(hub, 'chart');
  const objects = template(['namespace.create=false', `namespace.name=${namespace}`], ['--include-crds']);
  assert.ok(objects.filter((o) => o.kind === 'CustomResourceDefinition').length >= 6, 'CRDs rendered');
  assert.equal(await dryRunAll(hub, objects), []);
  // The default render's own Namespace object (govcloud-system) too.
  const defaults = template();
  assert.equal(await dryRunAll(hub, [find(defaults, 'Namespace')]), []);
});

test("the operator's pod passes the restricted Pod Security Standard; a weakened one does not", async ({ hub, ns }) => {
  const namespace = await ns.create(hub, 'chart-psa');
  await hub.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  } as K8sObject);
  const deployment = find(template(['namespace.create=false', `namespace.name=${namespace}`]), 'Deployment') as any;
  const pod = (spec: unknown) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'govcloud-operator-psa', namespace, labels: deployment.spec.template.metadata.labels },
    spec,
  });
  const spec = structuredClone(deployment.spec.template.spec);
  // The ServiceAccount is not made in this test; the pod must only pass admission.
  delete spec.serviceAccountName;
  await hub.apply(pod(spec) as K8sObject, { dryRun: true });

  const weak = structuredClone(spec);
  weak.containers[0].securityContext.allowPrivilegeEscalation = true;
  delete weak.containers[0].securityContext.capabilities;
  try {
    await hub.apply(pod(weak) as K8sObject, { dryRun: true });
    assert.unreachable('a pod that may escalate privileges must be refused in a restricted namespace');
  } catch (err) {
    assert.instance(err, ApiError);
    assert.is((err as ApiError).status, 403);
    assert.match((err as Error).message, /violates PodSecurity "restricted/);
  }
});

interface Check {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

async function allowed(hub: Cluster, user: string, c: Check): Promise<boolean> {
  const [resource, subresource] = c.resource.split('/');
  const review = (await hub.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user,
      groups: ['system:serviceaccounts', 'system:authenticated'],
      resourceAttributes: {
        verb: c.verb,
        group: c.group,
        resource,
        ...(subresource ? { subresource } : {}),
        ...(c.namespace ? { namespace: c.namespace } : {}),
        ...(c.name ? { name: c.name } : {}),
      },
    },
  })) as { status?: { allowed?: boolean } };
  return review.status?.allowed === true;
}

test('the RBAC, applied for real, allows what rbac-requirements.yaml lists and nothing around it', async ({ hub, ns }) => {
  const namespace = await ns.create(hub, 'chart-rbac');
  const other = await ns.create(hub, 'chart-rbac-other');
  const objects = template(['namespace.create=false', `namespace.name=${namespace}`]);
  // Cluster-scoped names made unique for this run, so nothing shared is touched.
  const unique = `${namespace}-operator`;
  // The govcloud ClusterRoles and the admission policy are shared by name: the platform's
  // registration installs them (e2e/operator/platform.ts); only the operator's own are made here.
  const rbac = objects
    .filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind))
    .filter((o) => o.kind !== 'ClusterRole' || o.metadata.name === 'govcloud-operator')
    .map((o) => {
      const c = structuredClone(o) as any;
      if (c.kind === 'ClusterRole' || c.kind === 'ClusterRoleBinding') c.metadata.name = unique;
      if (c.kind === 'ClusterRoleBinding') c.roleRef.name = unique;
      return c as K8sObject;
    });
  const user = `system:serviceaccount:${namespace}:govcloud-operator`;
  try {
    for (const o of ordered(rbac)) await hub.apply(o);
    const req = loadRbacRequirements();
    const expectAllowed: Check[] = [];
    for (const [rules, where] of [
      [req.clusterRules, other],
      [req.namespaceRules, namespace],
    ] as const) {
      for (const r of rules) {
        for (const group of r.apiGroups) {
          for (const resource of r.resources) {
            for (const verb of r.verbs) {
              for (const name of r.resourceNames ?? [undefined]) expectAllowed.push({ verb, group, resource, namespace: where, ...(name ? { name } : {}) });
            }
          }
        }
      }
    }
    const expectDenied: Check[] = [
      { verb: 'get', group: '', resource: 'secrets', namespace: other }, // secrets only in its own namespace
      { verb: 'list', group: '', resource: 'secrets' },
      { verb: 'create', group: '', resource: 'secrets', namespace },
      { verb: 'create', group: '', resource: 'pods', namespace: other },
      { verb: 'create', group: '', resource: 'pods/exec', namespace: other },
      { verb: 'delete', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'govcloud-workspace-admin' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
      { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' },
      { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin' },
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'view' },
      // The govcloud ClusterRoles come with the chart: no ClusterRole is written or escalated.
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'govcloud-workspace-admin' },
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      { verb: 'patch', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'govcloud-workspace-admin' },
      { verb: 'update', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'system:kube-scheduler' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      // Admission policies only by the names the operator renders: never its own limits.
      { verb: 'patch', group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies', name: 'govcloud-operator-limits' },
      { verb: 'update', group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicybindings', name: 'govcloud-operator-limits' },
      { verb: 'delete', group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies', name: 'govcloud-workspace-pods' },
      { verb: 'impersonate', group: '', resource: 'users' },
      { verb: 'delete', group: 'govcloud.dev', resource: 'agencies' },
      { verb: 'create', group: 'govcloud.dev', resource: 'accessgrants', namespace: other },
      { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace, name: 'someone-elses-lease' },
      { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: other, name: 'govcloud-operator' },
      { verb: 'delete', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
      { verb: 'update', group: '', resource: 'nodes' },
    ];
    // The RBAC authorizer sees new bindings within a moment; wait for the first allowed check.
    const deadline = Date.now() + 30_000;
    while (!(await allowed(hub, user, expectAllowed[0]!)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const wrongDenied: string[] = [];
    for (const c of expectAllowed) if (!(await allowed(hub, user, c))) wrongDenied.push(JSON.stringify(c));
    const wrongAllowed: string[] = [];
    for (const c of expectDenied) if (await allowed(hub, user, c)) wrongAllowed.push(JSON.stringify(c));
    assert.equal(wrongDenied, [], 'required but denied');
    assert.equal(wrongAllowed, [], 'not required but allowed');
  } finally {
    for (const kind of ['clusterrolebindings', 'clusterroles']) {
      await hub.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/${kind}/${unique}`);
    }
  }
});

test.run();
