// The DataCentre controller applies its exchange gateway's objects (render/gateway.ts): a
// cluster without cert-manager gets all but the Certificates and says so; a route goes with
// its grant; nothing is written when nothing changed; the configuration's ConfigMaps come and
// go with the routes (numbered, as many as they need), and the single ConfigMap of older
// versions is pruned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DesiredObject } from '../../src/render/types.ts';
import { grant, request } from '../render/fixtures.ts';
import { gatewayConfigText, manyPairs } from '../render/gateway-config.ts';
import { agency, condition, dataCentres, harness, populationService, type Harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';
const CERTIFICATE = 'cert-manager.io/Certificate';

/** dc-hanoi and dc-hcm with a gateway each (both offer encrypted links); bca's population service in dc-hanoi, btc only in dc-hcm with a current pair. */
function platformObjects(): Obj[] {
  const dcs = dataCentres();
  dcs[0]!.spec!.exchangeGateway = { address: '10.10.255.1' };
  dcs[1]!.spec!.exchangeGateway = { address: '10.20.255.1' };
  return [
    ...dcs,
    agency('bca', { code: 'G04', dcs: ['dc-hanoi'], workspaces: ['dancu'] }),
    agency('btc', { code: 'G12', level: 3, dcs: ['dc-hcm'], workspaces: ['thue'] }),
    populationService(),
    request('btc', 'population', { provider: 'bca', service: 'population', workspaces: ['thue'] }) as Obj,
    grant('bca', 'btc-thue', { service: 'population', consumer: 'btc', workspaces: ['thue'] }) as Obj,
  ];
}

const dataCentre = (h: Harness, name: string) => h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name } });
/** The gateway's configuration in a cluster: its numbered ConfigMaps' files in lexical order, one text. */
const gatewayConfig = (h: Harness, dc: string) => gatewayConfigText(h.cluster(dc).server.list('ConfigMap') as unknown as DesiredObject[]) || undefined;
const configMaps = (h: Harness, dc: string) => names(h, dc, 'ConfigMap').filter((n) => n.startsWith('govcloud-system/govcloud-gateway'));
const names = (h: Harness, dc: string, kind: string) =>
  h
    .cluster(dc)
    .server.list(kind)
    .map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)
    .sort();

test('the gateway objects in both data centres; without cert-manager all but the Certificates, and CertManagerMissing; a route goes with its grant', async () => {
  // cert-manager only in dc-hanoi for now.
  const h = await harness({ objects: platformObjects(), absent: { 'dc-hcm': [CERTIFICATE] } });
  try {
    // Installed by the chart in every cluster.
    for (const c of h.clusters.values()) c.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'govcloud-system' } });
    await h.run(5000);

    assert.match(gatewayConfig(h, 'dc-hanoi') ?? '', /ssl_c_s_dn\(CN\) -m str G12\/thue/, 'the provider gateway admits the consumer');
    assert.match(gatewayConfig(h, 'dc-hcm') ?? '', /frontend out-\d+/, 'the consumer gateway listens for it');
    assert.equal(names(h, 'dc-hanoi', 'Certificate'), ['govcloud-system/gw-dc-hanoi']);
    assert.equal(names(h, 'dc-hcm', 'Certificate'), []);
    assert.equal(
      names(h, 'dc-hcm', 'NetworkPolicy').filter((n) => n.includes('gw') || n.includes('gateway')),
      ['btc-thue/govcloud-gw-egress', 'govcloud-system/govcloud-gateway'],
    );
    const hcm = condition(dataCentre(h, 'dc-hcm'), 'Degraded');
    assert.is(hcm?.reason, 'CertManagerMissing');
    assert.match(hcm!.message, /^data centre dc-hcm: the exchange gateway needs 1 Certificate \(cert-manager.io\/v1\).*install cert-manager there/);
    assert.is(condition(dataCentre(h, 'dc-hanoi'), 'Ready')?.status, 'True', 'the other data centre is unaffected');
    const granted = h.hub.get({ apiVersion: API, kind: 'AccessGrant', metadata: { namespace: 'govcloud-bca', name: 'btc-thue' } });
    assert.is((granted?.status as { active?: boolean } | undefined)?.active, true, 'the pair is accepted across data centres');

    // cert-manager installed: its cache syncs, the Certificates follow and the condition clears.
    h.cluster('dc-hcm').server.absent.delete(CERTIFICATE);
    await h.run(12_000);
    await h.run(3000);
    assert.equal(names(h, 'dc-hcm', 'Certificate'), ['govcloud-system/gw-btc.thue']);
    assert.is(condition(dataCentre(h, 'dc-hcm'), 'Ready')?.status, 'True');

    // Steady state: nothing written to the data centres.
    h.takeWrites();
    await h.run(5000);
    assert.equal(
      h.takeWrites().filter((w) => !w.startsWith('hub:')),
      [],
    );

    // The grant withdrawn: the routes and what they needed go.
    h.remove(grant('bca', 'btc-thue', { service: 'population', consumer: 'btc' }) as Obj);
    await h.run(3000);
    assert.not.match(gatewayConfig(h, 'dc-hcm') ?? '', /frontend out-/);
    assert.equal(names(h, 'dc-hcm', 'Certificate'), []);
    assert.equal(names(h, 'dc-hanoi', 'Certificate'), []);
    assert.equal(
      names(h, 'dc-hcm', 'NetworkPolicy').filter((n) => n.includes('gw-')),
      [],
    );
  } finally {
    await h.stop();
  }
});

test('routes over two ConfigMaps; fewer routes: the second pruned, and the single ConfigMap of older versions too; nothing written when nothing changed', async () => {
  const dcs = dataCentres();
  dcs[0]!.spec!.exchangeGateway = { address: '10.10.255.1' };
  dcs[1]!.spec!.exchangeGateway = { address: '10.20.255.1' };
  const pairs = manyPairs({ provider: 'bca', workspace: 'dancu', dc: 'dc-hanoi', consumer: 'btc', consumerWorkspace: 'thue' }, 400);
  const h = await harness({
    objects: [
      ...dcs,
      agency('bca', { code: 'G04', dcs: ['dc-hanoi'], workspaces: ['dancu'] }),
      agency('btc', { code: 'G12', level: 3, dcs: ['dc-hcm'], workspaces: ['thue'] }),
      ...(pairs.services as Obj[]),
      ...(pairs.requests as Obj[]),
      ...(pairs.grants as Obj[]),
    ],
  });
  try {
    for (const c of h.clusters.values()) c.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'govcloud-system' } });
    // What an older operator left: the whole configuration in one ConfigMap of the DataCentre.
    const legacy = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        namespace: 'govcloud-system',
        name: 'govcloud-gateway',
        labels: { 'app.kubernetes.io/managed-by': 'govcloud', 'govcloud.dev/owner': 'DataCentre..dc-hanoi', 'app.kubernetes.io/name': 'govcloud-gateway' },
      },
      data: { 'haproxy.cfg': 'global\n' },
    };
    h.cluster('dc-hanoi').server.put(legacy as Obj);
    await h.run(8000);
    for (const dc of ['dc-hanoi', 'dc-hcm']) {
      assert.equal(configMaps(h, dc), ['govcloud-system/govcloud-gateway-0', 'govcloud-system/govcloud-gateway-1'], dc);
      assert.is(gatewayConfig(h, dc)!.match(/^(frontend out-|backend in:)/gm)!.length, 400, `${dc}: every route`);
    }
    const sources = (
      h.cluster('dc-hcm').server.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'govcloud-system', name: 'govcloud-gateway' } })!
        .spec as {
        template: { spec: { volumes: { projected: { sources: { configMap?: { name: string } }[] } }[] } };
      }
    ).template.spec.volumes[0]!.projected.sources;
    assert.equal(
      sources.filter((s) => s.configMap).map((s) => s.configMap!.name),
      ['govcloud-gateway-0', 'govcloud-gateway-1'],
      'the pod reads both',
    );

    h.takeWrites();
    await h.run(5000);
    assert.equal(
      h.takeWrites().filter((w) => !w.startsWith('hub:')),
      [],
      'steady: nothing written to the data centres',
    );

    // 300 grants withdrawn: one ConfigMap is enough on each side; the second goes.
    for (const g of pairs.grants.slice(100)) h.remove(g as Obj);
    await h.run(5000);
    for (const dc of ['dc-hanoi', 'dc-hcm']) {
      assert.equal(configMaps(h, dc), ['govcloud-system/govcloud-gateway-0'], dc);
      assert.is(gatewayConfig(h, dc)!.match(/^(frontend out-|backend in:)/gm)!.length, 100, `${dc}: the routes left`);
    }
  } finally {
    await h.stop();
  }
});

test("a renewal (the Certificate's status.revision) rolls the gateway's pod; a pruned Certificate's Secret is deleted, no other", async () => {
  const h = await harness({ objects: platformObjects() });
  try {
    for (const c of h.clusters.values()) c.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'govcloud-system' } });
    await h.run(5000);
    const hcm = h.cluster('dc-hcm').server;
    const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { namespace: 'govcloud-system', name: 'gw-btc.thue' } };
    const hash = () =>
      (
        hcm.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'govcloud-system', name: 'govcloud-gateway' } })?.spec as
          { template: { metadata: { annotations: Record<string, string> } } } | undefined
      )?.template.metadata.annotations['govcloud.dev/certificates-hash'];
    // What cert-manager does on issuance: the Secret, then status.revision.
    const issue = async (revision: number) => {
      hcm.put({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'govcloud-system', name: 'gw-btc.thue' }, data: { 'tls.crt': String(revision) } });
      hcm.put({ ...hcm.get(certificate)!, status: { revision } });
      await h.run(3000);
    };
    const unissued = hash();
    assert.ok(unissued, 'the pod template carries the hash');
    await issue(1);
    const first = hash();
    assert.ok(first && first !== unissued, 'issued: the pod template changes');
    h.takeWrites();
    await issue(2);
    assert.ok(hash() !== first, 'renewed: the pod template changes');
    assert.equal(
      h.takeWrites().filter((w) => !w.startsWith('hub:')),
      ['dc-hcm: apply Deployment govcloud-system/govcloud-gateway'],
      'the Deployment only',
    );
    h.takeWrites();
    await h.run(3000);
    assert.equal(
      h.takeWrites().filter((w) => !w.startsWith('hub:')),
      [],
      'nothing more while the revision stays',
    );

    hcm.put({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'govcloud-system', name: 'dc-hcm-kubeconfig' } });
    h.remove(grant('bca', 'btc-thue', { service: 'population', consumer: 'btc' }) as Obj);
    await h.run(3000);
    assert.equal(names(h, 'dc-hcm', 'Certificate'), []);
    assert.equal(names(h, 'dc-hcm', 'Secret'), ['govcloud-system/dc-hcm-kubeconfig'], "the pruned Certificate's key is deleted, nothing else");
    const events = h.events.map((e) => `${e.reason}: ${e.note}`);
    assert.ok(
      events.some((e) => e === 'KeysDeleted: dc-hcm: Secrets of pruned gateway Certificates deleted: gw-btc.thue'),
      events.join('\n'),
    );
  } finally {
    await h.stop();
  }
});

test.run();
