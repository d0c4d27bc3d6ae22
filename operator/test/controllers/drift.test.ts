// Drift repair over in-memory clusters that keep field ownership as the API server does:
// what someone else adds to or changes in a policy, binding, quota or admission policy is
// undone at once (an update, since the operator's apply cannot remove fields
// another manager owns), a DriftRepaired event names the object and the fields, and the
// repaired objects cost no further write.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agency, dataCentres, harness, type Harness, type Obj } from './fakes.ts';

const ref = (apiVersion: string, kind: string, name: string, namespace?: string) => ({
  apiVersion,
  kind,
  metadata: namespace ? { name, namespace } : { name },
});
const DENY = ref('networking.k8s.io/v1', 'NetworkPolicy', 'govcloud-default-deny', 'vpcp-app');
const QUOTA = ref('v1', 'ResourceQuota', 'govcloud-quota', 'vpcp-app');
const ADMINS = ref('rbac.authorization.k8s.io/v1', 'RoleBinding', 'govcloud-admins', 'vpcp-app');
const POLICY = ref('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'govcloud-workspace-pods');
const BINDING = ref('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'govcloud-workspace-pods');

const content = (o: Obj | undefined) => {
  const { metadata: _m, status: _s, ...rest } = o ?? ({} as Obj);
  return rest;
};
const driftEvents = (h: Harness) => h.events.filter((e) => e.reason === 'DriftRepaired').map((e) => `${e.regarding.kind} ${e.regarding.name}: ${e.note}`);

test('fields someone else adds or changes in the security kinds are removed at once, named in DriftRepaired; then zero writes', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('vpcp', { code: 'G22', dcs: ['dc-hcm'] }));
  await h.run(1000);
  const server = h.cluster('dc-hcm').server;
  const before = new Map([DENY, QUOTA, ADMINS, POLICY, BINDING].map((r) => [r, content(server.get(r))]));
  h.takeWrites();

  server.tamper(DENY, { spec: { ingress: [{}] } });
  server.tamper(QUOTA, { spec: { hard: { pods: '1000' } } });
  server.tamper(ADMINS, {
    subjects: [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'vpcp-admins' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'intruders' },
    ],
  });
  server.tamper(POLICY, { spec: { matchConditions: [{ name: 'never', expression: 'false' }] } });
  server.tamper(BINDING, { spec: { validationActions: ['Deny', 'Audit'] } });
  // The member caches' events alone wake the owners: no time passes beyond settling.
  await h.run(0);

  for (const [r, want] of before) assert.equal(content(server.get(r)), want, `${r.kind} ${r.metadata.name} is exactly as desired again`);
  const writes = h.takeWrites();
  assert.equal(writes.filter((w) => w.startsWith('dc-hcm: replace')).sort(), [
    'dc-hcm: replace NetworkPolicy vpcp-app/govcloud-default-deny',
    'dc-hcm: replace ResourceQuota vpcp-app/govcloud-quota',
    'dc-hcm: replace RoleBinding vpcp-app/govcloud-admins',
    'dc-hcm: replace ValidatingAdmissionPolicy govcloud-workspace-pods',
    'dc-hcm: replace ValidatingAdmissionPolicyBinding govcloud-workspace-pods',
  ]);
  assert.equal(driftEvents(h).sort(), [
    'Agency vpcp: dc-hcm: NetworkPolicy vpcp-app/govcloud-default-deny: spec.ingress added; restored to the desired spec',
    'Agency vpcp: dc-hcm: ResourceQuota vpcp-app/govcloud-quota: spec.hard.pods changed; restored to the desired spec',
    'Agency vpcp: dc-hcm: RoleBinding vpcp-app/govcloud-admins: subjects[1] added; restored to the desired spec',
    'DataCentre dc-hcm: dc-hcm: ValidatingAdmissionPolicy govcloud-workspace-pods: spec.matchConditions added; restored to the desired spec',
    'DataCentre dc-hcm: dc-hcm: ValidatingAdmissionPolicyBinding govcloud-workspace-pods: spec.validationActions[1] added; restored to the desired spec',
  ]);
  assert.ok(h.events.filter((e) => e.reason === 'DriftRepaired').every((e) => e.type === 'Warning'));

  h.core.controllers.Agency.enqueue('hub//vpcp');
  h.core.controllers.DataCentre.enqueue('hub//dc-hcm');
  await h.run(30_000);
  assert.equal(
    h.takeWrites().filter((w) => !w.startsWith('hub:')),
    [],
    'repaired objects cost no further write',
  );
  await h.stop();
});

test('a desired change of a security kind (a quota raised in the Agency) is written without a DriftRepaired event', async () => {
  const h = await harness({ objects: dataCentres() });
  const spec = agency('vpcp', { code: 'G22', dcs: ['dc-hcm'] });
  h.apply(spec);
  await h.run(1000);
  h.apply({ ...spec, spec: { ...spec.spec, quotas: [{ dataCentre: 'dc-hcm', cpu: '16', memory: '32Gi', storage: '100Gi' }] } });
  await h.run(1000);
  assert.is(h.cluster('dc-hcm').server.get(QUOTA)?.spec.hard['requests.cpu'], '16');
  assert.equal(driftEvents(h), []);
  await h.stop();
});

test.run();
