// Drift repair against the real API servers: someone with write access (a cluster admin, a
// compromised component) adds fields to the objects that hold a tenant in: an allow-all rule
// in the default-deny policy, matchConditions that switch the pod admission policy off, an
// Audit next to Deny, a second subject in the admins' RoleBinding, a raised quota. (The
// govcloud ClusterRoles come with the chart and the operator cannot write them: a changed one
// is reported on its DataCentre, e2e/operator/platform-roles.test.ts.) Server-side apply alone never removed them (another
// manager owns them); the operator must put each object back to exactly its desired content
// at once, say so in a DriftRepaired event, and then write nothing more.
import * as assert from 'uvu/assert';
import { waitFor, type Cluster } from '../harness/index.ts';
import { clusterOf, convergedAgency, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: drift of security objects');

const INTRUDER = 'intruder';

const content = (o: Obj) => {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
};

/** A merge patch as another manager, the way `kubectl patch --type merge` writes. */
async function tamper(cluster: Cluster, path: string, patch: object): Promise<void> {
  await cluster.call('PATCH', `${path}?fieldManager=${INTRUDER}`, patch, 'application/merge-patch+json');
}

interface DriftEvent {
  note: string;
  reason: string;
  type: string;
  regarding: { kind: string; name: string };
}

async function driftEvents(hub: Cluster): Promise<DriftEvent[]> {
  const list = (await hub.call('GET', '/apis/events.k8s.io/v1/namespaces/default/events')) as { items: DriftEvent[] };
  return list.items.filter((e) => e.reason === 'DriftRepaired');
}

test('fields added to policies, admission policies, roles, bindings and quotas are removed at once, with DriftRepaired; then no writes', async (ctx) => {
  const { hub, clusters, op } = ctx;
  const { name } = await convergedAgency(ctx, 'drift', { dcs: ['dc-hcm'] });
  const hcm = clusterOf(clusters, 'dc-hcm');
  const ns = `${name}-app`;
  const attacks: { what: string; path: string; patch: object; field: string; owner: string }[] = [
    {
      what: 'an allow-all ingress rule in the default-deny policy',
      path: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/govcloud-default-deny`,
      patch: { spec: { ingress: [{}] } },
      field: 'spec.ingress added',
      owner: `Agency ${name}`,
    },
    {
      what: 'a raised pod quota',
      path: `/api/v1/namespaces/${ns}/resourcequotas/govcloud-quota`,
      patch: { spec: { hard: { pods: '1000' } } },
      field: 'spec.hard.pods changed',
      owner: `Agency ${name}`,
    },
    {
      what: 'another group in the admins binding',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/govcloud-admins`,
      patch: {
        subjects: [
          { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `${name}-admins` },
          { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'intruders' },
        ],
      },
      field: 'subjects[1] added',
      owner: `Agency ${name}`,
    },
    {
      what: 'matchConditions that switch the pod policy off',
      path: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/govcloud-workspace-pods',
      patch: { spec: { matchConditions: [{ name: 'never', expression: 'false' }] } },
      field: 'spec.matchConditions added',
      owner: 'DataCentre dc-hcm',
    },
    {
      what: 'Audit next to Deny',
      path: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/govcloud-workspace-pods',
      patch: { spec: { validationActions: ['Deny', 'Audit'] } },
      field: 'spec.validationActions[1] added',
      owner: 'DataCentre dc-hcm',
    },
  ];
  for (const attack of attacks) {
    const desired = content((await hcm.call('GET', attack.path)) as Obj);
    const started = Date.now();
    await tamper(hcm, attack.path, attack.patch);
    await waitFor(
      `${attack.what}: repaired to exactly the desired content`,
      async () => JSON.stringify(content((await hcm.call('GET', attack.path)) as Obj)) === JSON.stringify(desired),
      {
        timeoutMs: 15_000,
        intervalMs: 50,
      },
    );
    console.log(`      ${attack.what}: repaired after ${Date.now() - started} ms`);
    const event = await waitFor(`a DriftRepaired event for ${attack.what}`, async () =>
      (await driftEvents(hub)).find(
        (e) => `${e.regarding.kind} ${e.regarding.name}` === attack.owner && e.note.includes(attack.path.split('/').pop()!) && e.note.includes(attack.field),
      ),
    );
    assert.is(event.type, 'Warning');
    assert.match(event.note, /^dc-hcm: /);
  }

  // The repaired pod policy holds again: a tenant pod tolerating the dedicated nodes is refused
  // (the API server reloads a changed policy within a moment; one admitted meanwhile is removed).
  const admin = { user: 'can-bo@e2e.gov.vn', groups: [`${name}-admins`] };
  const sneaky = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'sneaky' },
    spec: {
      tolerations: [{ key: 'govcloud.dev/dedicated', operator: 'Equal', value: 'level4', effect: 'NoSchedule' }],
      containers: [
        {
          name: 'app',
          image: 'registry.gov.vn/app:1.0',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  };
  const refusal = await waitFor(
    'a tenant pod tolerating the dedicated nodes refused',
    async () => {
      const res = await hcm.as(admin.user, admin.groups).request('POST', `/api/v1/namespaces/${ns}/pods`, sneaky);
      if (res.status === 201) await hcm.request('DELETE', `/api/v1/namespaces/${ns}/pods/sneaky?gracePeriodSeconds=0`);
      return res.status === 201 ? undefined : res;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  const text = (refusal.body as { message?: string }).message ?? '';
  assert.is(refusal.status, 403, text);
  assert.match(text, /ValidatingAdmissionPolicy 'govcloud-workspace-pods' .*denied request: only security level 4 workspaces run on the dedicated nodes/);

  // Steady state: a reconcile of the agency and of the data centre writes nothing.
  const writes = async () =>
    (await op!.metric('govcloud_object_writes_total', { controller: 'agency' })) +
    (await op!.metric('govcloud_object_writes_total', { controller: 'datacentre', cluster: 'dc-hcm' }));
  const before = await writes();
  const reconciles = await op!.metric('controller_runtime_reconcile_total', { controller: 'agency' });
  await hcm.call(
    'PATCH',
    `/api/v1/namespaces/${ns}`,
    { metadata: { annotations: { 'e2e.govcloud.dev/touch': String(Date.now()) } } },
    'application/merge-patch+json',
  );
  await waitFor(
    'a reconcile of the repaired agency',
    async () => (await op!.metric('controller_runtime_reconcile_total', { controller: 'agency' })) > reconciles,
    { timeoutMs: 10_000 },
  );
  await new Promise((r) => setTimeout(r, 3000));
  assert.is(await writes(), before, 'no write once repaired');
});

test.run();
