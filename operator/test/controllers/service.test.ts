// The service controller with requests and grants: no request, no path; request and grant,
// a path; the grant's validUntil closes it on time (requeueAfter, no resync) with a history
// line and Events; a grant written in another agency's namespace opens nothing and says why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agency, condition, dataCentres, harness, populationService, type Harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';
const USE_POLICY = 'govcloud-use-bca.population';

function request(namespace = 'govcloud-hanoi'): Obj {
  return {
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'population-for-dvc', namespace },
    spec: { provider: 'bca', service: 'population', workspaces: ['dvc'], purpose: 'Xác thực công dân', legalBasis: 'Nghị định 47/2024' },
  };
}

function grant(until: Date, namespace = 'govcloud-bca', name = 'hanoi-dvc'): Obj {
  return {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name, namespace },
    spec: {
      service: 'population',
      consumer: 'hanoi',
      purpose: 'Xác thực công dân',
      legalBasis: 'Nghị định 47/2024',
      validUntil: until.toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  };
}

async function platform(): Promise<Harness> {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('bca', { code: 'G04', dcs: ['dc-hanoi'], workspaces: ['dancu'] }));
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi', 'dc-hcm'], workspaces: ['dvc', 'web'] }));
  h.apply(populationService());
  await h.run(1000);
  return h;
}

const get = (h: Harness, kind: string, namespace: string, name: string) => h.hub.get({ apiVersion: API, kind, metadata: { namespace, name } });

test('onRequest: no request, no consumer policy; request and grant, a path; expiry closes it on time', async () => {
  const h = await platform();
  const hanoi = h.cluster('dc-hanoi').server;
  const hcm = h.cluster('dc-hcm').server;
  assert.ok(h.cluster('dc-hanoi').has('Deployment', 'bca-dancu', 'svc-population'));
  assert.equal(
    hanoi.list('NetworkPolicy', 'hanoi-dvc').filter((p) => p.metadata?.name === USE_POLICY),
    [],
    'no request: no path',
  );

  h.apply(grant(new Date(h.clock.now() + 60_000)));
  await h.run(500);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY), 'a grant alone opens nothing');
  assert.is(get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc')?.status?.active, false);
  assert.is(condition(get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc'), 'Progressing')?.reason, 'WaitingForRequest');

  h.apply(request());
  await h.run(500);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY), 'request + grant: path in dc-hanoi');
  assert.not.ok(h.cluster('dc-hcm').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY), 'not across data centres (fails closed)');
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-web', USE_POLICY), 'only the requested workspace');
  const ingress = hanoi.get({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'bca-dancu', name: 'govcloud-svc-population' },
  });
  assert.match(JSON.stringify(ingress?.spec), /hanoi-dvc/);
  const g = get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc')!;
  assert.equal([g.status.active, g.status.agency, g.status.matchedBy, g.status.workspaces], [true, 'bca', 'govcloud-hanoi/population-for-dvc', ['dvc']]);
  const r = get(h, 'AccessRequest', 'govcloud-hanoi', 'population-for-dvc')!;
  assert.equal([r.status.active, r.status.agency, r.status.matchedBy], [true, 'hanoi', 'govcloud-bca/hanoi-dvc']);
  let svc = get(h, 'SharedDataService', 'govcloud-bca', 'population')!;
  assert.equal(
    svc.status.history.map((e: { event: string }) => e.event),
    ['Granted'],
  );
  assert.equal(svc.status.consumers, ['hanoi/dvc']);
  assert.ok(h.events.some((e) => e.reason === 'AccessGranted' && e.regarding.kind === 'SharedDataService'));
  assert.ok(h.events.some((e) => e.reason === 'AccessGranted' && e.regarding.kind === 'AccessGrant'));

  // Nothing happens until the grant's validUntil; then the path closes within the second.
  h.takeWrites();
  await h.run(58_000);
  assert.equal(h.takeWrites(), [], 'no resync before the expiry');
  assert.ok(hanoi.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'hanoi-dvc', name: USE_POLICY } }));
  await h.run(2_100);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY), 'expired: path closed');
  assert.not.ok(hcm.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'hanoi-dvc', name: USE_POLICY } }));
  svc = get(h, 'SharedDataService', 'govcloud-bca', 'population')!;
  assert.equal(
    svc.status.history.map((e: { event: string }) => e.event),
    ['Granted', 'Expired'],
  );
  assert.equal(svc.status.consumers, []);
  assert.is(get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc')!.status.active, false);
  assert.is(condition(get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc'), 'Ready')?.reason, 'Expired');
  assert.ok(h.events.some((e) => e.reason === 'AccessExpired'));
  await h.stop();
});

test('at exactly validUntil the grant and the request are Expired, one millisecond before they are Active', async () => {
  const h = await platform();
  const until = h.clock.now() + 1;
  const exact = new Date(until).toISOString();
  h.apply({ ...request(), spec: { ...request().spec, validUntil: exact } });
  h.apply({ ...grant(new Date(until)), spec: { ...grant(new Date(until)).spec, validUntil: exact } });
  await h.run(0);
  assert.is(condition(get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc'), 'Ready')?.reason, 'Active', 'open at validUntil - 1 ms');
  assert.is(condition(get(h, 'AccessRequest', 'govcloud-hanoi', 'population-for-dvc'), 'Ready')?.reason, 'Active');

  // The window is [validFrom, validUntil): at validUntil itself it is over. The boundary timer
  // fires later (50 ms after), so an edit of the request makes the reconcile land exactly there.
  await h.run(1);
  assert.is(h.clock.now(), until);
  h.apply({ ...request(), spec: { ...request().spec, purpose: 'Xác thực công dân (sửa)', validUntil: exact } });
  await h.run(0);
  assert.is(h.clock.now(), until, 'the reconcile ran at validUntil');
  for (const [kind, ns, name] of [
    ['AccessGrant', 'govcloud-bca', 'hanoi-dvc'],
    ['AccessRequest', 'govcloud-hanoi', 'population-for-dvc'],
  ] as const) {
    const o = get(h, kind, ns, name)!;
    assert.is(o.status.active, false, `${kind} closed at validUntil`);
    assert.is(condition(o, 'Ready')?.reason, 'Expired', `${kind}: Expired at validUntil, not waiting for a match`);
  }
  await h.stop();
});

test('requeueAfter is the time to the next window boundary', async () => {
  const h = await platform();
  h.apply(request());
  const until = Math.floor((h.clock.now() + 3_600_000) / 1000) * 1000;
  h.apply(grant(new Date(until)));
  await h.run(500);
  const queue = h.core.controllers.SharedDataService.queue as unknown as { waiting: Map<string, { readyAt: number }> };
  const pending = queue.waiting.get('hub/govcloud-bca/population');
  assert.ok(pending, 'a timer is armed for the service');
  const delta = pending!.readyAt - until;
  assert.ok(delta > 0 && delta <= 100, `armed for the grant's validUntil (off by ${delta} ms)`);
  await h.stop();
});

test('more open pairs than the history holds: a later reconcile writes no Granted line twice', async () => {
  const h = await platform();
  const consumers = Array.from({ length: 105 }, (_, i) => `c${String(i).padStart(3, '0')}`);
  for (const [i, c] of consumers.entries()) {
    h.apply(
      agency(c, { code: `K11.${String(Math.floor(i / 100)).padStart(2, '0')}.${String(i % 100).padStart(2, '0')}`, dcs: ['dc-hanoi'], workspaces: ['dvc'] }),
    );
    h.apply({ ...request(`govcloud-${c}`), metadata: { name: 'population-for-dvc', namespace: `govcloud-${c}` } });
    const g = grant(new Date(h.clock.now() + 3_600_000), 'govcloud-bca', `${c}-dvc`);
    h.apply({ ...g, spec: { ...g.spec, consumer: c } });
  }
  await h.run(3000);
  const svc = () => get(h, 'SharedDataService', 'govcloud-bca', 'population')!;
  assert.is(svc().status.consumerCount, 105);
  assert.is(svc().status.history.length, 100, 'the history keeps the last 100 lines');
  // Another agency arrives: every service is reconciled again.
  const later = h.clock.now() + 1000;
  await h.run(1000);
  h.apply(agency('late', { code: 'K12.00.00', dcs: ['dc-hanoi'], workspaces: ['web'] }));
  await h.run(3000);
  const again = svc().status.history.filter((e: { time: string }) => Date.parse(e.time) >= later);
  assert.equal(
    again.map((e: { event: string; consumer: string }) => `${e.event} ${e.consumer}`),
    [],
    'no pair is granted twice',
  );
  await h.stop();
});

test('revoking (deleting) the grant closes the path and writes a Revoked line', async () => {
  const h = await platform();
  h.apply(request());
  h.apply(grant(new Date(h.clock.now() + 3_600_000)));
  await h.run(500);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY));
  h.remove(get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-dvc')!);
  await h.run(500);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY));
  const history = get(h, 'SharedDataService', 'govcloud-bca', 'population')!.status.history;
  assert.equal(
    history.map((e: { event: string }) => e.event),
    ['Granted', 'Revoked'],
  );
  assert.is(history[1].grant, 'govcloud-bca/hanoi-dvc');
  assert.is(get(h, 'AccessRequest', 'govcloud-hanoi', 'population-for-dvc')!.status.active, false);
  await h.stop();
});

test('a grant written in the wrong namespace grants nothing, and says why', async () => {
  const h = await platform();
  h.apply(request());
  // The consumer "grants" itself access from its own namespace.
  h.apply(grant(new Date(h.clock.now() + 3_600_000), 'govcloud-hanoi', 'self-service'));
  await h.run(500);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY), 'no path');
  const g = get(h, 'AccessGrant', 'govcloud-hanoi', 'self-service')!;
  assert.is(g.status.active, false);
  assert.is(g.status.agency, 'hanoi', 'the acting agency comes from the namespace');
  const degraded = condition(g, 'Degraded');
  assert.is(degraded?.reason, 'ServiceNotFound');
  assert.match(
    degraded!.message,
    /agency hanoi has no SharedDataService "population" in govcloud-hanoi; an agency grants access only to its own services, from its own namespace: this grant opens nothing/,
  );
  assert.ok(h.events.some((e) => e.type === 'Warning' && e.regarding.name === 'self-service'));
  assert.is(condition(get(h, 'AccessRequest', 'govcloud-hanoi', 'population-for-dvc'), 'Progressing')?.reason, 'WaitingForGrant');

  // Not a hub namespace at all.
  h.apply(grant(new Date(h.clock.now() + 3_600_000), 'default', 'stray'));
  await h.run(500);
  assert.is(condition(get(h, 'AccessGrant', 'default', 'stray'), 'Degraded')?.reason, 'NotInHubNamespace');
  await h.stop();
});

test('default sharing: every other workspace gets a path without requests', async () => {
  const h = await platform();
  const svc = populationService();
  svc.spec.sharing = 'default';
  h.apply(svc);
  await h.run(500);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', USE_POLICY));
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-web', USE_POLICY));
  // Deleting the service prunes its objects in every data centre.
  h.remove(get(h, 'SharedDataService', 'govcloud-bca', 'population')!);
  await h.run(500);
  for (const dc of ['dc-hanoi', 'dc-hcm']) assert.equal(h.cluster(dc).ownedBy('SharedDataService.govcloud-bca.population'), []);
  await h.stop();
});

test.run();
