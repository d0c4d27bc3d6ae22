// The link controller: a link opens only while the peer declares the matching link, and its
// policy goes away within seconds of validUntil (requeueAfter, no resync).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkPair } from '../render/fixtures.ts';
import { gatewayConfigText } from '../render/gateway-config.ts';
import type { DesiredObject } from '../../src/render/types.ts';
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

test('a link pair across data centres opens through the exchange gateways: no policy of its own, the route in both gateways; gone with one side', async () => {
  const dcs = dataCentres();
  dcs[0]!.spec!.exchangeGateway = { address: '10.10.255.1' };
  dcs[1]!.spec!.exchangeGateway = { address: '10.20.255.1' };
  const h = await harness({ objects: dcs });
  try {
    for (const c of h.clusters.values()) c.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'govcloud-system' } });
    h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['lgsp'] }));
    h.apply(agency('bkhcn', { code: 'G09', level: 3, dcs: ['dc-hcm'], workspaces: ['ndxp'] }));
    await h.run(1000);
    const [egress, ingress] = linkPair({ agency: 'hanoi', workspace: 'lgsp' }, { agency: 'bkhcn', workspace: 'ndxp' }, { encrypted: true });
    ingress.spec.service = 'ndxp-api';
    h.apply(egress as unknown as Obj);
    h.apply(ingress as unknown as Obj);
    await h.run(2000);
    for (const [namespace, name] of [
      ['govcloud-hanoi', 'to-bkhcn'],
      ['govcloud-bkhcn', 'from-hanoi'],
    ] as const) {
      const l = h.hub.get({ apiVersion: API, kind: 'NetworkLink', metadata: { namespace, name } });
      assert.equal([l?.status?.active, l?.status?.dataCentres], [true, ['dc-hanoi', 'dc-hcm']], name);
      assert.is(
        condition(l, 'Ready')?.message,
        'open through the exchange gateways of dc-hanoi and dc-hcm, to Service ndxp-api on 443',
        `${name}: where it is open, in its condition`,
      );
    }
    assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-bkhcn'), 'no policy by range or namespace');
    assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-gw-egress'), "the connecting workspace reaches its gateway's listener");
    assert.ok(h.cluster('dc-hcm').has('NetworkPolicy', 'bkhcn-ndxp', 'govcloud-gw-ingress'), 'the listening workspace admits its gateway');
    const config = (dc: string) =>
      gatewayConfigText(
        h
          .cluster(dc)
          .server.all()
          .filter((o) => o.metadata?.namespace === 'govcloud-system') as unknown as DesiredObject[],
      );
    assert.match(config('dc-hcm'), /ssl_fc_sni -m str 443-ndxp-api\.bkhcn-ndxp\.exchange\.govcloud\.dev \} \{ ssl_c_s_dn\(CN\) -m str H01\/lgsp \}/);
    assert.match(config('dc-hanoi'), /frontend out-\d+/);

    h.remove(ingress as unknown as Obj);
    await h.run(2000);
    assert.not.ok(h.cluster('dc-hanoi').has('ConfigMap', 'govcloud-system', 'govcloud-gateway-0'), 'one side deleted: the route is gone');
    const alone = h.hub.get({ apiVersion: API, kind: 'NetworkLink', metadata: { namespace: 'govcloud-hanoi', name: 'to-bkhcn' } });
    assert.is(alone?.status?.active, false);
  } finally {
    await h.stop();
  }
});

test.run();
