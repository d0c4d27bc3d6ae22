// Inherited data centres and draining, against the real API servers of the local platform.
//
// dc-danang becomes an inherited data centre owned by a ministry made for the test: the
// ministry, its department and the department's unit (spec.parent) are placed there; another
// agency is not. Its admins (impersonated) can neither place it there nor claim the data
// centre, and when a platform engineer writes the placement anyway the operator refuses it
// (RuleViolation, the message saying what to do) and nothing of it appears in dc-danang.
//
// Then dc-danang is drained: cordoned, a newcomer refused, every agency moved to dc-hcm. The
// data in the old namespaces (a ConfigMap) is still there after the move and before the
// platform engineer confirms it (DataCentre spec.confirmedMoves, which a tenant cannot write);
// after confirmation the old namespaces go as each agency's deletionPolicy says.
import * as assert from 'uvu/assert';
import { waitFor, type Cluster } from '../harness/index.ts';
import { agency, clusterOf, condition, convergedAgency, get, uniqueAgency, waitCondition, waitConverged, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const DC_PATH = '/apis/govcloud.dev/v1alpha1/datacentres/dc-danang';
const agencyPath = (name: string) => `/apis/govcloud.dev/v1alpha1/agencies/${name}`;
const MERGE = 'application/merge-patch+json';

const test = operatorSuite('operator: inherited data centres and draining', {
  // What the tests wrote on dc-danang goes: the next suite registers the sample as it is.
  tearDown: async ({ hub }) => {
    await hub.call('PATCH', DC_PATH, { spec: { ownedBy: null, cordoned: null, confirmedMoves: null } }, MERGE);
  },
});

async function patchDataCentre(hub: Cluster, spec: Record<string, unknown>): Promise<void> {
  await hub.call('PATCH', DC_PATH, { spec }, MERGE);
}

async function namespaceOf(cluster: Cluster, name: string): Promise<Obj | undefined> {
  const r = await cluster.request('GET', `/api/v1/namespaces/${name}`);
  return r.status === 200 ? (r.body as Obj) : undefined;
}

async function drain(hub: Cluster): Promise<Record<string, unknown> | undefined> {
  return ((await get(hub, 'DataCentre', undefined, 'dc-danang'))?.status as { drain?: Record<string, unknown> } | undefined)?.drain;
}

/** A placement the admin writes (quotas follow the data centres). */
function placedIn(obj: Obj, dcs: string[]): Obj {
  return {
    ...obj,
    spec: { ...obj.spec, placement: { dataCentres: dcs }, quotas: dcs.map((dataCentre) => ({ dataCentre, cpu: '4', memory: '8Gi', storage: '20Gi' })) },
  };
}

test('an inherited data centre hosts its owner and the agencies under it alone; another agency is refused, however it tries', async (ctx) => {
  const { hub, clusters } = ctx;
  const danang = clusterOf(clusters, 'dc-danang');
  const ministry = await convergedAgency(ctx, 'bo', { dcs: ['dc-hanoi'] });
  await patchDataCentre(hub, { ownedBy: ministry.name });

  // The ministry's department and the department's unit: its line, placed in its data centre.
  const dept = uniqueAgency('cuc');
  const unit = uniqueAgency('chicuc');
  ctx.agencies.push(dept.name, unit.name);
  await hub.apply({
    ...agency(dept.name, dept.code, { dcs: ['dc-danang'] }),
    spec: { ...agency(dept.name, dept.code, { dcs: ['dc-danang'] }).spec, parent: ministry.name },
  });
  await hub.apply({
    ...agency(unit.name, unit.code, { dcs: ['dc-danang'] }),
    spec: { ...agency(unit.name, unit.code, { dcs: ['dc-danang'] }).spec, parent: dept.name },
  });
  for (const a of [dept, unit]) {
    await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');
    await waitConverged(hub, clusters, a.name);
    assert.ok(await namespaceOf(danang, `${a.name}-app`), `${a.name} has its workspace in its ministry's data centre`);
  }

  // Another agency, with its admins.
  const other = await convergedAgency(ctx, 'khac', { dcs: ['dc-hcm'] });
  const admins = clusterOf(clusters, 'dc-hanoi').as('other-admin', [`${other.name}-admins`]);
  const theirs = placedIn((await get(hub, 'Agency', undefined, other.name))!, ['dc-hcm', 'dc-danang']);
  assert.is((await admins.request('PATCH', agencyPath(other.name), { spec: theirs.spec }, MERGE)).status, 403, 'a tenant cannot write its placement');
  assert.is((await admins.request('PATCH', DC_PATH, { spec: { ownedBy: other.name } }, MERGE)).status, 403, 'nor claim the data centre');
  const memberAdmins = danang.as('other-admin', [`${other.name}-admins`]);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  assert.is((await memberAdmins.request('POST', `/api/v1/namespaces/${other.name}-app/configmaps`, cm)).status, 403, 'nor write there');

  // The placement written anyway (by whoever may write Agencies): refused, saying what to do.
  await hub.call('PATCH', agencyPath(other.name), { spec: theirs.spec }, MERGE);
  const refused = await waitCondition(hub, 'Agency', undefined, other.name, 'Degraded', 'True');
  const degraded = condition(refused, 'Degraded')!;
  assert.is(degraded.reason, 'RuleViolation');
  assert.match(degraded.message, `DataCentre/dc-danang is Agency/${ministry.name}'s own and hosts only it and the agencies under it`);
  assert.match(degraded.message, 'choose a shared data centre');
  await new Promise((r) => setTimeout(r, 2000));
  assert.is(await namespaceOf(danang, `${other.name}-app`), undefined, 'nothing of it in the inherited data centre');
  assert.is((await memberAdmins.request('POST', `/api/v1/namespaces/${other.name}-app/configmaps`, cm)).status, 403, 'and its admins still cannot write there');
  await patchDataCentre(hub, { ownedBy: null });
});

test('a drain moves every agency off dc-danang, keeps their data until a platform engineer confirms, then follows each deletion policy', async (ctx) => {
  const { hub, clusters } = ctx;
  const danang = clusterOf(clusters, 'dc-danang');
  const gone = await convergedAgency(ctx, 'xoa', { dcs: ['dc-danang'], deletionPolicy: 'Delete' });
  const kept = await convergedAgency(ctx, 'giu', { dcs: ['dc-danang'], deletionPolicy: 'Retain' });
  const data = { 'ho-so': 'Hồ sơ công dân, không được mất' };
  for (const a of [gone, kept]) {
    await danang.call('POST', `/api/v1/namespaces/${a.name}-app/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'du-lieu' }, data });
  }

  await patchDataCentre(hub, { cordoned: true });
  await waitFor('the DataCentre lists who is still there', async () => {
    const d = await drain(hub);
    return Array.isArray(d?.agencies) && [gone.name, kept.name].every((n) => (d.agencies as string[]).includes(n));
  });
  // Those there stay Ready; a newcomer is refused.
  await waitCondition(hub, 'Agency', undefined, kept.name, 'Ready', 'True');
  const late = uniqueAgency('moi');
  ctx.agencies.push(late.name);
  await hub.apply(agency(late.name, late.code, { dcs: ['dc-danang'] }));
  const refused = await waitCondition(hub, 'Agency', undefined, late.name, 'Degraded', 'True');
  assert.match(condition(refused, 'Degraded')!.message, 'DataCentre/dc-danang is cordoned (draining): it takes no new agency; choose another data centre');
  assert.is(await namespaceOf(danang, `${late.name}-app`), undefined);
  await hub.call('DELETE', agencyPath(late.name));

  // Every agency moves to dc-hcm.
  for (const a of [gone, kept])
    await hub.call('PATCH', agencyPath(a.name), { spec: placedIn((await get(hub, 'Agency', undefined, a.name))!, ['dc-hcm']).spec }, MERGE);
  for (const a of [gone, kept]) {
    await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');
    await waitFor(`${a.name}-app in dc-hcm`, async () => (await namespaceOf(clusterOf(clusters, 'dc-hcm'), `${a.name}-app`)) !== undefined);
  }
  await waitFor('nothing placed in dc-danang, two moves awaiting confirmation', async () => {
    const d = await drain(hub);
    return d?.agencyCount === 0 && d.awaitingConfirmationCount === 2;
  });
  // Before confirmation: the old namespaces and their data are there, whatever the policy.
  await new Promise((r) => setTimeout(r, 2000));
  for (const a of [gone, kept]) {
    const live = (await danang.call('GET', `/api/v1/namespaces/${a.name}-app/configmaps/du-lieu`)) as Obj & { data?: Record<string, string> };
    assert.equal(live.data, data, `${a.name}: the data is kept until the move is confirmed`);
  }

  // A tenant cannot confirm its own move.
  const tenant = hub.as('gone-admin', [`${gone.name}-admins`]);
  assert.is((await tenant.request('PATCH', DC_PATH, { spec: { confirmedMoves: [gone.name] } }, MERGE)).status, 403, 'a tenant cannot confirm a move');
  assert.is((await namespaceOf(danang, `${gone.name}-app`)) !== undefined, true);

  // The platform engineer confirms: Delete deletes, Retain keeps (orphaned).
  await patchDataCentre(hub, { confirmedMoves: [gone.name, kept.name] });
  await waitFor(`${gone.name}-app deleted from dc-danang`, async () => {
    const ns = await namespaceOf(danang, `${gone.name}-app`);
    return ns === undefined || ns.metadata?.deletionTimestamp !== undefined;
  });
  await waitFor(
    `${kept.name}-app orphaned in dc-danang`,
    async () => (await namespaceOf(danang, `${kept.name}-app`))?.metadata?.labels?.['govcloud.dev/orphaned'] === 'true',
  );
  const still = (await danang.call('GET', `/api/v1/namespaces/${kept.name}-app/configmaps/du-lieu`)) as Obj & { data?: Record<string, string> };
  assert.equal(still.data, data, 'Retain keeps the data after confirmation too');
  await waitFor('dc-danang drained', async () => {
    const d = await drain(hub);
    return d?.agencyCount === 0 && d.serviceCount === 0 && d.awaitingConfirmationCount === 0;
  });
});

test.run();
