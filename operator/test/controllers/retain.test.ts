// Retained namespaces belong to the tenant they were made for: a new Agency that reuses the
// name adopts them only with the same code (or once a platform engineer releases them to
// it); until then they are held back, named in its status and events. While retained, they
// keep their quota and LimitRange, frozen at the last values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkPair } from '../render/fixtures.ts';
import { agency, condition, dataCentres, harness, type Harness, type Obj } from './fakes.ts';

const NS = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const QUOTA = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'govcloud-quota', namespace: 'sxd-app' } };
const LIMITS = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'govcloud-defaults', namespace: 'sxd-app' } };
const ADMINS = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'govcloud-admins', namespace: 'sxd-app' } };

async function retainedAgency(h: Harness, code: string): Promise<{ quota: unknown; limits: unknown; uid: string }> {
  h.apply(agency('sxd', { code, dcs: ['dc-hcm'] }));
  await h.run(1000);
  const server = h.cluster('dc-hcm').server;
  const kept = { quota: server.get(QUOTA)!.spec, limits: server.get(LIMITS)!.spec, uid: h.agency('sxd')!.metadata!.uid! };
  h.remove(h.agency('sxd')!);
  await h.run(1000);
  assert.is(h.agency('sxd'), undefined);
  return kept;
}

function withAdmins(obj: Obj, group: string): Obj {
  return { ...obj, spec: { ...obj.spec, groups: { admins: [group] } } };
}

test('retained: the namespace keeps its quota and LimitRange, frozen and orphaned, and records the code and uid', async () => {
  const h = await harness({ objects: dataCentres() });
  const kept = await retainedAgency(h, 'G50');
  const server = h.cluster('dc-hcm').server;
  for (const [ref, spec] of [
    [QUOTA, kept.quota],
    [LIMITS, kept.limits],
  ] as const) {
    const live = server.get(ref);
    assert.ok(live, `${ref.kind} kept`);
    assert.equal(live!.spec, spec, `${ref.kind} at its last values`);
    assert.is(live!.metadata?.labels?.['govcloud.dev/orphaned'], 'true');
    assert.is(live!.metadata?.labels?.['govcloud.dev/owner'], undefined);
  }
  assert.not.ok(server.get(ADMINS), 'the admins binding goes');
  const labels = server.get(NS('sxd-app'))!.metadata!.labels!;
  assert.is(labels['govcloud.dev/agency'], 'G50');
  assert.is(labels['govcloud.dev/agency-uid'], kept.uid);
  await h.stop();
});

test('a new Agency of the same name and another code is held back from the retained namespaces until released to it', async () => {
  const h = await harness({ objects: dataCentres() });
  await retainedAgency(h, 'G50');
  const server = h.cluster('dc-hcm').server;
  h.takeWrites();

  h.apply(withAdmins(agency('sxd', { code: 'H07', dcs: ['dc-hcm'] }), 'newcomers'));
  await h.run(1000);
  const held = h.agency('sxd')!;
  const degraded = condition(held, 'Degraded');
  assert.is(degraded?.reason, 'NamespaceConflict');
  assert.match(
    degraded!.message,
    /dc-hcm: namespace sxd-app was retained from agency code G50, this agency's code is H07: held back until a platform engineer releases it \(annotation govcloud\.dev\/release-to=<uid of this Agency>\)/,
  );
  assert.match(degraded!.message, /namespace govcloud-sxd was retained from agency code G50/, 'the hub namespace too');
  assert.equal(held.status.dataCentres[0].namespaces, [], 'status names no namespace as the agency’s');
  assert.match(held.status.dataCentres[0].message, /sxd-app/);
  assert.ok(
    h.events.some((e) => e.type === 'Warning' && e.reason === 'NamespaceConflict' && e.regarding.name === 'sxd' && /sxd-app was retained/.test(e.note)),
  );
  assert.not.ok(server.get(ADMINS), 'no binding for the new admins in the old tenant’s namespace');
  assert.equal(
    h.takeWrites().filter((w) => w.includes('sxd-app') || w.includes('govcloud-sxd')),
    [],
    'nothing written into the held namespaces',
  );
  assert.is(server.get(QUOTA)?.metadata?.labels?.['govcloud.dev/orphaned'], 'true', 'the frozen quota stays as it was');

  // A platform engineer releases the namespace to the new Agency: adopted at once.
  const ns = server.get(NS('sxd-app'))!;
  server.put({ ...ns, metadata: { ...ns.metadata, annotations: { ...ns.metadata?.annotations, 'govcloud.dev/release-to': held.metadata!.uid! } } });
  await h.run(1000);
  const adopted = server.get(NS('sxd-app'))!;
  assert.is(adopted.metadata?.labels?.['govcloud.dev/owner'], 'Agency..sxd');
  assert.is(adopted.metadata?.labels?.['govcloud.dev/agency'], 'H07');
  assert.is(adopted.metadata?.labels?.['govcloud.dev/agency-uid'], held.metadata!.uid);
  assert.equal(
    (server.get(ADMINS)?.subjects as { name: string }[]).map((s) => s.name),
    ['newcomers'],
  );
  assert.is(server.get(QUOTA)?.metadata?.labels?.['govcloud.dev/owner'], 'Agency..sxd', 'the quota is the agency’s again');
  assert.match(condition(h.agency('sxd'), 'Degraded')!.message, /govcloud-sxd was retained/, 'the hub namespace was not released: still held');
  await h.stop();
});

test('a new Agency of the same name and the same code adopts the retained namespaces directly', async () => {
  const h = await harness({ objects: dataCentres() });
  await retainedAgency(h, 'G50');
  h.apply(agency('sxd', { code: '000.00.00.G50', dcs: ['dc-hcm'] }));
  await h.run(1000);
  assert.is(condition(h.agency('sxd'), 'Ready')?.status, 'True', JSON.stringify(h.agency('sxd')!.status));
  const server = h.cluster('dc-hcm').server;
  assert.is(server.get(NS('sxd-app'))?.metadata?.labels?.['govcloud.dev/owner'], 'Agency..sxd');
  assert.is(h.cluster('dc-hanoi').server.get(NS('govcloud-sxd'))?.metadata?.labels?.['govcloud.dev/owner'], 'Agency..sxd');
  assert.ok(server.get(ADMINS));
  await h.stop();
});

test('the old tenant’s links in its retained hub namespace do not act for a new Agency of another code, unless the namespace is released to it', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('sxd', { code: 'G50', dcs: ['dc-hanoi'] }));
  h.apply(agency('bkhcn', { code: 'G09', dcs: ['dc-hanoi'], workspaces: ['ndxp'] }));
  await h.run(1000);
  for (const link of linkPair({ agency: 'sxd', workspace: 'app' }, { agency: 'bkhcn', workspace: 'ndxp' })) h.apply(link as unknown as Obj);
  await h.run(1000);
  const hanoi = h.cluster('dc-hanoi');
  assert.ok(hanoi.has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-link-from-sxd'), 'the link is open while sxd exists');
  h.remove(h.agency('sxd')!);
  await h.run(1000);
  assert.not.ok(hanoi.has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-link-from-sxd'), 'closed when sxd goes');

  h.apply(agency('sxd', { code: 'H07', dcs: ['dc-hanoi'] }));
  await h.run(1000);
  assert.not.ok(hanoi.has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-link-from-sxd'), 'the stale link does not reopen the peer for the newcomer');

  const hubNs = hanoi.server.get(NS('govcloud-sxd'))!;
  hanoi.server.put({ ...hubNs, metadata: { ...hubNs.metadata, annotations: { 'govcloud.dev/release-to': h.agency('sxd')!.metadata!.uid! } } });
  await h.run(2000);
  assert.is(hanoi.server.get(NS('govcloud-sxd'))?.metadata?.labels?.['govcloud.dev/owner'], 'Agency..sxd', 'the hub namespace adopted');
  assert.ok(hanoi.has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-link-from-sxd'), 'released: the link is the new Agency’s and acts');
  await h.stop();
});

test('an agency’s hub namespace made again changes no verdict: the platform is not judged again for it; a hub namespace retained is', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('sxd', { code: 'G50', dcs: ['dc-hanoi'] }));
  await h.run(1000);
  const hanoi = h.cluster('dc-hanoi').server;
  const judged = h.hubCache.platform();
  const hubNs = hanoi.get(NS('govcloud-sxd'))!;
  hanoi.delete(hubNs);
  await h.run(1000);
  assert.ok(hanoi.get(NS('govcloud-sxd')), 'the hub namespace made again');
  assert.is(h.hubCache.platform(), judged, 'the same platform, not computed again');
  const again = hanoi.get(NS('govcloud-sxd'))!;
  hanoi.put({ ...again, metadata: { ...again.metadata, labels: { ...again.metadata!.labels, 'govcloud.dev/orphaned': 'true' } } });
  await h.run(1000);
  assert.is.not(h.hubCache.platform(), judged, 'retained: the objects in it stop acting, the platform is computed again');
  await h.stop();
});

test('the old tenant’s AccessRequest in its retained hub namespace does not act for a new Agency of another code', async () => {
  const API = 'govcloud.dev/v1alpha1';
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('bca', { code: 'G04', dcs: ['dc-hanoi'], workspaces: ['dancu'] }));
  h.apply(agency('sxd', { code: 'G50', dcs: ['dc-hanoi'], workspaces: ['dvc'] }));
  h.apply({
    apiVersion: API,
    kind: 'SharedDataService',
    metadata: { name: 'population', namespace: 'govcloud-bca' },
    spec: {
      displayName: 'Dân cư',
      subsystem: 'csdldc',
      serviceCode: 'population',
      version: 'v1',
      workspace: 'dancu',
      image: 'registry.local/population@sha256:1',
      port: 8443,
      placement: { dataCentres: ['dc-hanoi'] },
      dataClass: 'shared',
      sharing: 'onRequest',
    },
  });
  const terms = { purpose: 'Xác thực công dân', legalBasis: 'Nghị định 47/2024' };
  h.apply({
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'population-for-dvc', namespace: 'govcloud-sxd' },
    spec: { provider: 'bca', service: 'population', workspaces: ['dvc'], ...terms },
  });
  h.apply({
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'sxd-dvc', namespace: 'govcloud-bca' },
    spec: { service: 'population', consumer: 'sxd', ...terms, validUntil: '2027-01-01T00:00:00Z' },
  });
  await h.run(1000);
  const consumers = () =>
    h.hub.get({ apiVersion: API, kind: 'SharedDataService', metadata: { namespace: 'govcloud-bca', name: 'population' } })?.status?.consumers;
  const providerIngress = () =>
    JSON.stringify(
      h
        .cluster('dc-hanoi')
        .server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'bca-dancu', name: 'govcloud-svc-population' } })
        ?.spec ?? {},
    );
  assert.equal(consumers(), ['sxd/dvc'], 'granted to the old tenant');
  assert.match(providerIngress(), /sxd-dvc/);

  h.remove(h.agency('sxd')!);
  await h.run(1000);
  h.apply(agency('sxd', { code: 'H07', dcs: ['dc-hanoi'], workspaces: ['dvc'] }));
  await h.run(2000);
  assert.equal(consumers(), [], 'the stale request matches the grant for no one');
  assert.not.match(providerIngress(), /sxd-dvc/, 'the provider is not opened to the retained namespace');
  await h.stop();
});

test.run();
