// A data centre going dark while nothing changes on the hub: what is placed there (agencies,
// their links, services) stops saying Ready within seconds, Degraded DataCentreUnreachable;
// what is placed elsewhere is not written to; all is Ready again once it answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkPair, service } from '../render/fixtures.ts';
import { agency, condition, dataCentres, harness, type Harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';

const get = (h: Harness, kind: string, namespace: string | undefined, name: string) =>
  h.hub.get({ apiVersion: API, kind, metadata: { ...(namespace ? { namespace } : {}), name } });

/** Two agencies, a link pair and a service in dc-hcm; one agency each in dc-hanoi and dc-danang. */
async function platform(): Promise<Harness> {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('south', { code: 'H79', dcs: ['dc-hanoi', 'dc-hcm'] }));
  h.apply(agency('hcmc', { code: 'H80', dcs: ['dc-hcm'], workspaces: ['app', 'data'] }));
  h.apply(agency('north', { code: 'H01', dcs: ['dc-hanoi'] }));
  h.apply(agency('central', { code: 'H48', dcs: ['dc-danang'] }));
  await h.run(1000);
  for (const l of linkPair({ agency: 'south', workspace: 'app' }, { agency: 'hcmc', workspace: 'app' })) h.apply(l as unknown as Obj);
  h.apply(service('hcmc', 'registry', { workspace: 'data', placement: { dataCentres: ['dc-hcm'] }, replicas: 2, sharing: 'default' }) as unknown as Obj);
  await h.run(1000);
  const hcm = h.cluster('dc-hcm').server;
  const deployment = hcm.list('Deployment', 'hcmc-data')[0]!;
  hcm.put({ ...deployment, status: { availableReplicas: 2 } });
  await h.run(1000);
  return h;
}

const affected = [
  ['Agency', undefined, 'south'],
  ['Agency', undefined, 'hcmc'],
  ['NetworkLink', 'govcloud-south', 'to-hcmc'],
  ['NetworkLink', 'govcloud-hcmc', 'from-south'],
  ['SharedDataService', 'govcloud-hcmc', 'registry'],
] as const;
const unaffected = [
  ['Agency', undefined, 'north'],
  ['Agency', undefined, 'central'],
] as const;

test('a dark data centre: what is placed there turns Degraded DataCentreUnreachable within seconds, nothing else is written; Ready again when it answers', async () => {
  const h = await platform();
  for (const [kind, ns, name] of [...affected, ...unaffected]) {
    const o = get(h, kind, ns, name);
    assert.is(condition(o, 'Ready')?.status, 'True', `${kind} ${name} Ready before the outage: ${JSON.stringify(o?.status?.conditions)}`);
  }
  h.takeWrites();

  h.cluster('dc-hcm').dark = true;
  await h.run(3000);
  for (const [kind, ns, name] of affected) {
    const o = get(h, kind, ns, name);
    assert.is(condition(o, 'Ready')?.status, 'False', `${kind} ${name} is not known to be Ready`);
    assert.is(condition(o, 'Degraded')?.status, 'True', `${kind} ${name} Degraded`);
    assert.is(condition(o, 'Degraded')?.reason, 'DataCentreUnreachable', `${kind} ${name}: ${condition(o, 'Degraded')?.message}`);
    assert.match(condition(o, 'Degraded')!.message, /data centre dc-hcm is unreachable/);
  }
  for (const [kind, ns, name] of unaffected) assert.is(condition(get(h, kind, ns, name), 'Ready')?.status, 'True', `${kind} ${name} stays Ready`);
  const written = h.takeWrites().filter((w) => w.startsWith('hub: '));
  const expected = [...affected.map(([kind, ns, name]) => `hub: ${kind} ${ns ? ns + '/' : ''}${name}`), 'hub: DataCentre dc-hcm'];
  assert.equal([...new Set(written)].sort(), expected.sort(), 'status written for what is placed in dc-hcm and for dc-hcm alone');

  await h.run(60_000);
  assert.equal(h.takeWrites(), [], 'nothing more to write while it stays dark');

  h.cluster('dc-hcm').dark = false;
  // The caches list again after their backoff (at most 10 s).
  await h.run(15_000);
  for (const [kind, ns, name] of [...affected, ...unaffected]) {
    const o = get(h, kind, ns, name);
    assert.is(condition(o, 'Ready')?.status, 'True', `${kind} ${name} Ready again: ${JSON.stringify(o?.status?.conditions)}`);
  }
  await h.stop();
});

test.run();
