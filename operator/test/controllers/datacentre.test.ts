// The govcloud ClusterRoles come with the chart: the DataCentre controller only checks them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { platformRoleProblems } from '../../src/controllers/platform-roles.ts';
import { platformClusterRoles } from '../../src/render/index.ts';
import { agency, condition, dataCentres, harness } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';

const asInstalled = () => Object.fromEntries(platformClusterRoles().map((r) => [r.metadata.name, { rules: structuredClone(r.rules) }]));

test('platformRoleProblems: equal whatever the grouping and order of rules; extra, missing and aggregated roles named', () => {
  const roles = asInstalled();
  assert.equal(platformRoleProblems(roles), []);
  const admin = roles['govcloud-workspace-admin']!.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  const split = admin.flatMap((r) => r.verbs.map((v) => ({ ...r, verbs: [v] }))).reverse();
  assert.equal(platformRoleProblems({ ...roles, 'govcloud-workspace-admin': { rules: split } }), []);

  const widened = { rules: [...admin, { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
  assert.equal(platformRoleProblems({ ...roles, 'govcloud-workspace-admin': widened }), [
    "ClusterRole govcloud-workspace-admin differs from the platform's: grants * */*",
  ]);
  const aggregated = { rules: admin, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } };
  assert.match(platformRoleProblems({ ...roles, 'govcloud-workspace-admin': aggregated })[0]!, /has an aggregationRule/);
  const narrowed = { rules: admin.slice(1) };
  assert.match(platformRoleProblems({ ...roles, 'govcloud-workspace-admin': narrowed })[0]!, /lacks create core\/configmaps/);
  assert.equal(platformRoleProblems({ ...roles, 'govcloud-tenant-viewer': null }), [
    "ClusterRole govcloud-tenant-viewer is missing: install the chart's RBAC in this cluster",
  ]);
});

test('a govcloud ClusterRole changed or missing in a data centre degrades its DataCentre, and the operator writes no ClusterRole', async () => {
  const h = await harness({ objects: dataCentres() });
  try {
    const dc = () => h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } });
    await h.run(3000);
    assert.is(condition(dc(), 'Ready')?.status, 'True');

    const cluster = h.cluster('dc-hcm');
    const admin = cluster.platformRoles['govcloud-workspace-admin']!;
    cluster.platformRoles['govcloud-workspace-admin'] = { rules: [...(admin.rules as unknown[]), { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
    cluster.platformRoles['govcloud-tenant-viewer'] = null;
    h.takeWrites();
    await h.run(2500);
    const degraded = condition(dc(), 'Degraded');
    assert.is(degraded?.status, 'True');
    assert.is(degraded?.reason, 'PlatformRolesDiffer');
    assert.match(degraded!.message, /ClusterRole govcloud-workspace-admin differs from the platform's: grants \* \*\/\*/);
    assert.match(degraded!.message, /ClusterRole govcloud-tenant-viewer is missing/);
    assert.is(condition(dc(), 'Ready')?.status, 'False');
    assert.is(
      condition(h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-danang' } }), 'Ready')?.status,
      'True',
      'other data centres unaffected',
    );
    assert.equal(
      h.takeWrites().filter((w) => w.includes('ClusterRole')),
      [],
      'the operator does not repair them: it may not write ClusterRoles',
    );

    cluster.platformRoles = asInstalled();
    await h.run(2500);
    assert.is(condition(dc(), 'Ready')?.status, 'True');
  } finally {
    await h.stop();
  }
});

test('each data centre reports the agencies placed there and their quotas, and follows changes', async () => {
  const h = await harness({ objects: dataCentres() });
  try {
    const status = (name: string) =>
      h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name } })?.status as { agencies?: number; allocated?: unknown };
    h.apply(agency('mof', { code: 'G01', dcs: ['dc-hanoi', 'dc-hcm'] }));
    h.apply(agency('moh', { code: 'G02', dcs: ['dc-hcm'] }));
    await h.run(3000);
    assert.equal([status('dc-hanoi').agencies, status('dc-hanoi').allocated], [1, { cpu: '8', memory: '32Gi', storage: '100Gi' }]);
    assert.equal([status('dc-hcm').agencies, status('dc-hcm').allocated], [2, { cpu: '16', memory: '64Gi', storage: '200Gi' }]);
    assert.equal([status('dc-danang').agencies, status('dc-danang').allocated], [0, { cpu: '0', memory: '0', storage: '0' }]);

    h.apply(agency('moh', { code: 'G02', dcs: ['dc-danang'] }));
    await h.run(3000);
    assert.is(status('dc-hcm').agencies, 1, 'moved away');
    assert.equal(status('dc-danang').allocated, { cpu: '8', memory: '32Gi', storage: '100Gi' });
  } finally {
    await h.stop();
  }
});

test('a cordoned data centre keeps who is there, refuses a newcomer, and its status lists what the drain waits for, to the end', async () => {
  const dcs = dataCentres();
  const h = await harness({ objects: dcs });
  try {
    const dc = () => h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } });
    h.apply(agency('cu', { code: 'G40', dcs: ['dc-hcm'], deletionPolicy: 'Delete' }));
    await h.run(2000);
    const hcm = dcs.find((d) => d.metadata?.name === 'dc-hcm')!;
    h.apply({ ...hcm, spec: { ...hcm.spec, cordoned: true } });
    h.apply(agency('moi', { code: 'G41', dcs: ['dc-hcm'] }));
    await h.run(3000);
    assert.is(condition(h.agency('cu'), 'Ready')?.status, 'True', 'an agency already there stays');
    const refused = condition(h.agency('moi'), 'Degraded');
    assert.is(refused?.reason, 'RuleViolation');
    assert.match(refused?.message ?? '', 'DataCentre/dc-hcm is cordoned (draining): it takes no new agency; choose another data centre');
    assert.not.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'moi-app'), 'nothing of the newcomer there');
    const drain = () => (dc()?.status as { drain?: Record<string, unknown> } | undefined)?.drain;
    assert.equal(drain(), { agencies: ['cu'], agencyCount: 1, services: [], serviceCount: 0, awaitingConfirmation: [], awaitingConfirmationCount: 0 });

    h.apply(agency('cu', { code: 'G40', dcs: ['dc-danang'], deletionPolicy: 'Delete' }));
    await h.run(3000);
    assert.equal(drain(), { agencies: [], agencyCount: 0, services: [], serviceCount: 0, awaitingConfirmation: ['cu'], awaitingConfirmationCount: 1 });
    assert.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'cu-app'), 'kept until confirmed');

    h.apply({ ...hcm, spec: { ...hcm.spec, cordoned: true, confirmedMoves: ['cu'] } });
    await h.run(3000);
    assert.not.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'cu-app'), 'confirmed: Delete deletes');
    assert.equal(drain(), { agencies: [], agencyCount: 0, services: [], serviceCount: 0, awaitingConfirmation: [], awaitingConfirmationCount: 0 });
    assert.match(condition(dc(), 'Ready')?.message ?? '', 'cordoned: drained, nothing left here');
  } finally {
    await h.stop();
  }
});

test.run();
