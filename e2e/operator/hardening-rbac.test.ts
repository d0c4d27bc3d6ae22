// A compromised operator is not a cluster admin (issue 11, item 4). As the operator's own
// ServiceAccount, with exactly the chart's RBAC and admission policy (registerDataCentres
// installs them and requests its tokens, on the hub and on a member), the route that used to
// sum its rights to cluster admin is tried step by step against the real API servers: bind
// govcloud-workspace-admin in kube-system and use it there (read a Secret, exec into a pod),
// rewrite that role (which every agency admin holds) to */*/*, rewrite system:kube-scheduler,
// delete kube-system or a namespace that is not govcloud's, label a system namespace as
// govcloud's, bind a system: group, touch its own admission policy, carry a Secret out in a
// Deployment. Every step must be refused. What changes something shared is sent as a dry run
// (authorization and admission run, nothing is stored), so an unfixed platform is not broken
// by the test that shows it. What the operator does legitimately is allowed: the same requests
// on govcloud's own objects (and the operator suites converge under these rights).
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { e2eSuite, type RawResponse } from '../harness/index.ts';
import { asOperator, NAMESPACE, OPERATOR_USER, registerDataCentres } from './platform.ts';

const test = e2eSuite("hardening: the operator under the chart's RBAC");
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const DRY = '?dryRun=All';
const WORKSPACE_ADMIN = 'govcloud-workspace-admin';

const denied = (r: RawResponse) => r.status === 403;
const outcome = (r: RawResponse) => `${r.status} ${(r.body as { message?: string } | undefined)?.message ?? ''}`.slice(0, 240);

test('every step of the route to cluster admin is refused to the operator, on the hub and on a member', async ({ clusters, ns }) => {
  await registerDataCentres(clusters);
  for (const admin of clusters.slice(0, 2)) {
    const op = asOperator(admin);
    const whoami = (await op.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    })) as { status: { userInfo: { username: string } } };
    assert.is(whoami.status.userInfo.username, OPERATOR_USER, 'the test speaks as the operator');
    assert.ok((await admin.call('GET', `${RBAC}/clusterroles/${WORKSPACE_ADMIN}`)) as object, 'the chart installed govcloud-workspace-admin');

    // A namespace that is not govcloud's, with something to steal; a Secret and a pod in kube-system.
    const plain = await ns.create(admin, 'plain');
    const suffix = plain.slice(-12);
    const jewel = `e2e-jewel-${suffix}`;
    const victim = `e2e-victim-${suffix}`;
    const binding = `e2e-attack-${suffix}`;
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: jewel, namespace: 'kube-system' },
      stringData: { password: 'hunter2' },
    } as KubernetesObject);
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: victim, namespace: 'kube-system' },
      spec: { containers: [{ name: 'c', image: 'registry.govcloud.local/e2e/pause:1' }] },
    } as KubernetesObject);
    try {
      const steps: [string, () => Promise<RawResponse>][] = [
        [
          'bind govcloud-workspace-admin in kube-system (to itself)',
          () =>
            op.request('POST', `${RBAC}/namespaces/kube-system/rolebindings`, {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              metadata: { name: binding, labels: { 'app.kubernetes.io/managed-by': 'govcloud' } },
              roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: WORKSPACE_ADMIN },
              subjects: [{ kind: 'ServiceAccount', name: 'govcloud-operator', namespace: NAMESPACE }],
            }),
        ],
        ['read a Secret in kube-system', () => op.request('GET', `/api/v1/namespaces/kube-system/secrets/${jewel}`)],
        ['exec into a pod in kube-system', () => op.request('POST', `/api/v1/namespaces/kube-system/pods/${victim}/exec?command=id&stdout=true`)],
        [
          "bind govcloud-workspace-admin in a namespace that is not govcloud's",
          () =>
            op.request('POST', `${RBAC}/namespaces/${plain}/rolebindings${DRY}`, {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              metadata: { name: binding, labels: { 'app.kubernetes.io/managed-by': 'govcloud' } },
              roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: WORKSPACE_ADMIN },
              subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'e2e-attackers' }],
            }),
        ],
        [
          'rewrite govcloud-workspace-admin to */*/*',
          () =>
            op.request(
              'PATCH',
              `${RBAC}/clusterroles/${WORKSPACE_ADMIN}${DRY}&fieldManager=govcloud-datacentre&force=true`,
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'ClusterRole',
                metadata: { name: WORKSPACE_ADMIN },
                rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
              },
              'application/apply-patch+yaml',
            ),
        ],
        [
          'rewrite system:kube-scheduler',
          () => op.request('PATCH', `${RBAC}/clusterroles/system:kube-scheduler${DRY}`, { rules: [] }, 'application/merge-patch+json'),
        ],
        ['delete kube-system', () => op.request('DELETE', `/api/v1/namespaces/kube-system${DRY}`)],
        ["delete a namespace that is not govcloud's", () => op.request('DELETE', `/api/v1/namespaces/${plain}${DRY}`)],
        [
          "label kube-public as govcloud's",
          () =>
            op.request(
              'PATCH',
              `/api/v1/namespaces/kube-public${DRY}`,
              { metadata: { labels: { 'app.kubernetes.io/managed-by': 'govcloud' } } },
              'application/merge-patch+json',
            ),
        ],
        [
          "label a namespace that is not govcloud's as govcloud's",
          () =>
            op.request(
              'PATCH',
              `/api/v1/namespaces/${plain}${DRY}`,
              { metadata: { labels: { 'app.kubernetes.io/managed-by': 'govcloud' } } },
              'application/merge-patch+json',
            ),
        ],
        [
          'switch off its own admission policy',
          () =>
            op.request(
              'PATCH',
              `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/govcloud-operator-limits${DRY}`,
              { spec: { validationActions: ['Audit'] } },
              'application/merge-patch+json',
            ),
        ],
      ];
      const allowedSteps: string[] = [];
      for (const [what, run] of steps) {
        const r = await run();
        if (!denied(r)) allowedSteps.push(`${admin.name}: ${what}: ${outcome(r)}`);
      }
      assert.equal(allowedSteps, [], 'steps of the route the operator could take');
    } finally {
      await admin.request('DELETE', `${RBAC}/namespaces/kube-system/rolebindings/${binding}`);
      await admin.request('DELETE', `/api/v1/namespaces/kube-system/secrets/${jewel}`);
      await admin.request('DELETE', `/api/v1/namespaces/kube-system/pods/${victim}?gracePeriodSeconds=0`);
    }
  }
});

test("in govcloud's own namespaces: only govcloud's bindings, for tenant groups; no Secret carried out; the legitimate writes pass", async ({
  clusters,
  hub,
  ns,
}) => {
  await registerDataCentres(clusters);
  const op = asOperator(hub);
  const gov = await ns.create(hub, 'gov');
  await hub.request(
    'PATCH',
    `/api/v1/namespaces/${gov}`,
    { metadata: { labels: { 'app.kubernetes.io/managed-by': 'govcloud', 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    'application/merge-patch+json',
  );
  const managed = { 'app.kubernetes.io/managed-by': 'govcloud' };
  const rb = (group: string, role = WORKSPACE_ADMIN) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'govcloud-admins', labels: managed },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
  });
  const deployment = (volumes: unknown[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'svc-x', labels: managed },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'registry.govcloud.local/x:1' }], volumes },
      },
    },
  });
  const post = (collection: string, body: unknown) => op.request('POST', `${collection}${DRY}`, body);
  const refused: [string, RawResponse][] = [
    ['a binding for a system: group', await post(`${RBAC}/namespaces/${gov}/rolebindings`, rb('system:authenticated'))],
    ["a binding without govcloud's label", await post(`${RBAC}/namespaces/${gov}/rolebindings`, { ...rb('e2e-agency-admins'), metadata: { name: 'x' } })],
    [
      'a Deployment mounting a Secret',
      await post(`/apis/apps/v1/namespaces/${gov}/deployments`, deployment([{ name: 's', secret: { secretName: 'tenant-db' } }])),
    ],
    [
      'a namespace without Pod Security',
      await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${gov}-x`, labels: managed } }),
    ],
    [
      'a NodePort Service',
      await post(`/api/v1/namespaces/${gov}/services`, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x', labels: managed },
        spec: { type: 'NodePort', ports: [{ port: 80 }] },
      }),
    ],
  ];
  const wronglyAllowed = refused.filter(([, r]) => !denied(r)).map(([what, r]) => `${what}: ${outcome(r)}`);
  assert.equal(wronglyAllowed, [], 'refused to the operator');
  for (const [what, r] of refused) assert.match(JSON.stringify(r.body), /govcloud-operator-limits/, `${what}: refused by the admission policy`);

  const legit: [string, RawResponse][] = [
    ['bind govcloud-workspace-admin for an agency group', await post(`${RBAC}/namespaces/${gov}/rolebindings`, rb('e2e-agency-admins'))],
    ['bind view for an agency group', await post(`${RBAC}/namespaces/${gov}/rolebindings`, rb('e2e-agency-viewers', 'view'))],
    ['a gateway Deployment with an emptyDir', await post(`/apis/apps/v1/namespaces/${gov}/deployments`, deployment([{ name: 'tmp', emptyDir: {} }]))],
    [
      'a workspace namespace',
      await post('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `${gov}-x`, labels: { ...managed, 'pod-security.kubernetes.io/enforce': 'restricted' } },
      }),
    ],
  ];
  assert.equal(
    legit.filter(([, r]) => r.status >= 300).map(([what, r]) => `${what}: ${outcome(r)}`),
    [],
    'allowed to the operator',
  );
});

test.run();
