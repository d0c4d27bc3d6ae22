// The link controller: a link opens only while the peer declares the matching link, and its
// policy goes away within seconds of validUntil (requeueAfter, no resync).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkPair } from '../render/fixtures.ts';
import { agency, condition, dataCentres, harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';

test('a two-party link opens when both sides declare it and closes at validUntil', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['lgsp'] }));
  h.apply(agency('bkhcn', { code: 'G09', dcs: ['dc-hanoi'], workspaces: ['ndxp'] }));
  await h.run(1000);
  const until = new Date(Math.floor(h.clock.now() / 1000) * 1000 + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const [egress, ingress] = linkPair({ agency: 'hanoi', workspace: 'lgsp' }, { agency: 'bkhcn', workspace: 'ndxp' }, { validUntil: until });
  h.apply(egress as unknown as Obj);
  await h.run(500);
  const own = h.hub.get({ apiVersion: API, kind: 'NetworkLink', metadata: { namespace: 'govcloud-hanoi', name: 'to-bkhcn' } });
  assert.is(own?.status?.active, false);
  assert.is(condition(own, 'Progressing')?.reason, 'WaitingForPeer');
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-bkhcn'));

  h.apply(ingress as unknown as Obj);
  await h.run(500);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-bkhcn'));
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-link-from-hanoi'));
  const active = h.hub.get({ apiVersion: API, kind: 'NetworkLink', metadata: { namespace: 'govcloud-hanoi', name: 'to-bkhcn' } });
  assert.equal([active?.status?.active, active?.status?.agency, active?.status?.dataCentres], [true, 'hanoi', ['dc-hanoi']]);
  assert.ok(h.events.some((e) => e.reason === 'Activated' && e.regarding.name === 'to-bkhcn'));

  h.takeWrites();
  await h.run(110_000);
  assert.equal(h.takeWrites(), [], 'nothing to do before validUntil');
  await h.run(11_000);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-bkhcn'), 'closed on time');
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-link-from-hanoi'));
  const closed = h.hub.get({ apiVersion: API, kind: 'NetworkLink', metadata: { namespace: 'govcloud-hanoi', name: 'to-bkhcn' } });
  assert.is(closed?.status?.active, false);
  assert.is(condition(closed, 'Ready')?.reason, 'Expired');
  assert.ok(h.events.some((e) => e.reason === 'Deactivated'));
  await h.stop();
});

test.run();
