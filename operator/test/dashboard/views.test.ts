/**
 * The dashboard's view models: the figures each page shows, from small platforms whose
 * answers are known, and the pages built from them: escaped, translated, linked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileOf, serverLinks, staticLinks } from '../../src/dashboard/links.ts';
import { pageContext } from '../../src/dashboard/pages.ts';
import { allRoutes, renderRoute, routeOf } from '../../src/dashboard/routes.ts';
import { accessGraphView, agencyView, dataCentreView, overviewView } from '../../src/dashboard/views.ts';
import { agency, grant, linkPair, platform, request, service, threeDataCentres } from '../render/fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

function sample() {
  const dcs = threeDataCentres();
  dcs[1]!.spec.region = 'Miền Nam';
  const bca = agency('bca', { code: 'G04', level: 3, dcs: ['dc-hanoi', 'dc-hcm'], quota: { cpu: '100', memory: '1Ti', storage: '10Ti' } });
  const btc = agency('btc', {
    code: 'G12',
    level: 3,
    dcs: ['dc-hanoi'],
    workspaces: ['app', 'ngan-sach'],
    quota: { cpu: '500m', memory: '512Mi', storage: '1Ti' },
  });
  const hanoi = agency('hanoi', { code: 'H01', level: 2, dcs: ['dc-hcm'] });
  hanoi.spec.type = 'province';
  return platform({
    dataCentres: dcs,
    agencies: [bca, btc, hanoi],
    services: [service('bca', 'population', { placement: { dataCentres: ['dc-hanoi'] } })],
    requests: [
      request('btc', 'dan-cu', { provider: 'bca', service: 'population', validUntil: '2027-01-01T00:00:00Z' }),
      request('hanoi', 'dan-cu', { provider: 'bca', service: 'population', validFrom: '2026-09-01T00:00:00Z' }),
    ],
    grants: [
      grant('bca', 'cho-btc', { service: 'population', consumer: 'btc', validUntil: '2026-12-31T00:00:00Z' }),
      grant('bca', 'cho-hanoi', { service: 'population', consumer: 'hanoi', validUntil: '2026-03-01T00:00:00Z' }),
    ],
    links: linkPair({ agency: 'btc', workspace: 'app' }, { agency: 'bca', workspace: 'app' }, { encrypted: true }),
  });
}

test('overview: totals, agencies by type, region (each region of its placement) and level, capacity allocated from the quotas', () => {
  const v = overviewView(sample(), NOW);
  assert.equal(v.totals, { dataCentres: 3, agencies: 3, workspaces: 4, services: 1, activeGrants: 1, links: 2 });
  assert.equal(
    v.byType.filter((c) => c.count > 0),
    [
      { key: 'ministry', count: 2 },
      { key: 'province', count: 1 },
    ],
  );
  assert.is(v.byType.length, 7, 'every agency type, zero included');
  assert.equal(v.byRegion, [
    { key: 'Miền Bắc', count: 2 },
    { key: 'Miền Nam', count: 2 },
  ]);
  assert.equal(
    v.byLevel.map((c) => c.count),
    [0, 1, 2, 0, 0],
  );
  const hanoiDc = v.dataCentres.find((d) => d.name === 'dc-hanoi')!;
  assert.equal(hanoiDc.capacity.allocated, { cpu: '100500m', memory: '1049088Mi', storage: '11Ti' });
  assert.equal(hanoiDc.capacity.offered, { cpu: '1000', memory: '4Ti', storage: '100Ti' });
  assert.equal(hanoiDc.capacity.percent, { cpu: 10, memory: 25, storage: 11 });
  assert.is(hanoiDc.agencies, 2);
  assert.is(hanoiDc.workspaces, 3);
  const danang = v.dataCentres.find((d) => d.name === 'dc-danang')!;
  assert.equal(danang.capacity.allocated, { cpu: '0', memory: '0', storage: '0' });
  assert.equal(danang.capacity.percent, { cpu: 0, memory: 0, storage: 0 });
});

test('agency: grants given with their windows and whether access is open now, consumers and why', () => {
  const v = agencyView(sample(), 'bca', NOW)!;
  assert.equal(
    v.grantsGiven.map((g) => [g.grant, g.consumer, g.request, g.state, g.active, g.validUntil]),
    [
      ['govcloud-bca/cho-btc', 'btc', 'govcloud-btc/dan-cu', 'open', true, '2026-12-31T00:00:00Z'],
      ['govcloud-bca/cho-hanoi', 'hanoi', 'govcloud-hanoi/dan-cu', 'expired', false, '2026-03-01T00:00:00Z'],
    ],
  );
  assert.equal(v.consumers, [
    {
      service: 'govcloud-bca/population',
      serviceDisplayName: 'Cơ sở dữ liệu quốc gia về dân cư',
      consumer: 'btc',
      workspaces: ['app'],
      reason: { kind: 'grant', request: 'govcloud-btc/dan-cu', grant: 'govcloud-bca/cho-btc' },
    },
  ]);
  assert.equal(
    v.quotas.map((q) => [q.dataCentre, q.cpu]),
    [
      ['dc-hanoi', '100'],
      ['dc-hcm', '100'],
    ],
  );
  assert.equal(v.agency.regions, ['Miền Bắc', 'Miền Nam']);
  assert.is(v.links.length, 1);
  assert.is(agencyView(sample(), 'nobody', NOW), undefined);
});

test("agency: a consumer's requests, one not yet valid, and what it consumes", () => {
  const hanoi = agencyView(sample(), 'hanoi', NOW)!;
  assert.equal(
    hanoi.requestsMade.map((r) => [r.request, r.grant, r.state, r.active]),
    [['govcloud-hanoi/dan-cu', 'govcloud-bca/cho-hanoi', 'notYetValid', false]],
  );
  assert.equal(hanoi.consumes, []);
  const btc = agencyView(sample(), 'btc', NOW)!;
  assert.equal(
    btc.consumes.map((c) => [c.service, c.reason.kind]),
    [['govcloud-bca/population', 'grant']],
  );
});

test('data centre: the agencies placed there with their quota there, and the services running there', () => {
  const v = dataCentreView(sample(), 'dc-hcm', NOW)!;
  assert.equal(
    v.agencies.map((a) => [a.name, a.quota?.cpu]),
    [
      ['bca', '100'],
      ['hanoi', '12'],
    ],
  );
  assert.equal(v.services, []);
  assert.is(dataCentreView(sample(), 'dc-hanoi', NOW)!.services.length, 1);
});

test('access graph: one edge per consumer with why; default sharing explains the workspaces of every agency', () => {
  const p = sample();
  p.services.push(service('btc', 'ngan-sach', { sharing: 'default', workspace: 'ngan-sach', dataClass: 'shared' }));
  const v = accessGraphView(p, NOW);
  const edges = v.edges.map((e) => `${e.consumer}->${e.provider}/${e.service}:${e.reason.kind}:${e.workspaces.join('+')}`);
  assert.ok(edges.includes('btc->bca/population:grant:app'), edges.join('\n'));
  assert.ok(edges.includes('hanoi->btc/ngan-sach:default:app'), edges.join('\n'));
  assert.not.ok(
    edges.some((e) => e.startsWith('hanoi->bca')),
    'an expired grant opens nothing',
  );
  assert.is(v.links.length, 2);
});

test('the access page draws one line per edge, classed by why, and says the same in its table', () => {
  const p = sample();
  const view = accessGraphView(p, NOW);
  const body = renderRoute({ page: 'access' }, p, NOW, pageContext('vi', serverLinks({ page: 'access' }, 'vi'))).body;
  assert.is(body.match(/<line /g)?.length, view.edges.length);
  assert.is(body.match(/<line class="e-grant"/g)?.length, 1);
  assert.is(body.match(/<tr><td>/g)?.length, view.edges.length + view.links.length);
});

test('an agency named <script> renders as text on every page, in both languages', () => {
  const p = sample();
  p.agencies[0]!.spec.displayName = '<script>alert(1)</script>';
  p.grants[0]!.spec.purpose = '"><img src=x onerror=alert(1)>';
  for (const lang of ['vi', 'en'] as const)
    for (const route of allRoutes(p)) {
      const body = renderRoute(route, p, NOW, pageContext(lang, serverLinks(route, lang))).body;
      assert.not.match(body, /<script>|<img/, `${lang} ${fileOf(route, lang)}`);
      if (route.page === 'overview' || (route.page === 'agency' && route.name === 'bca')) assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    }
});

test('pages: Vietnamese first with diacritics, English on request; unknown agency is 404', () => {
  const p = sample();
  const vi = renderRoute({ page: 'overview' }, p, NOW, pageContext('vi', serverLinks({ page: 'overview' }, 'vi')));
  assert.match(vi.body, /<html lang="vi">/);
  assert.match(vi.body, /Tổng quan quốc gia/);
  assert.match(vi.body, /href="\/\?lang=en"/);
  const en = renderRoute({ page: 'overview' }, p, NOW, pageContext('en', serverLinks({ page: 'overview' }, 'en')));
  assert.match(en.body, /National overview/);
  assert.match(en.body, /href="\/agencies\/bca\?lang=en"/);
  assert.is(renderRoute({ page: 'agency', name: 'nobody' }, p, NOW, pageContext('vi', serverLinks({ page: 'overview' }, 'vi'))).status, 404);
  assert.not.match(vi.body, /https?:\/\//, 'no absolute URL: nothing leaves the host');
});

test('routes: paths to pages; anything else, or a name that is no DNS label, is no page', () => {
  assert.equal(routeOf('/'), { page: 'overview' });
  assert.equal(routeOf('/agencies/bca'), { page: 'agency', name: 'bca' });
  assert.equal(routeOf('/datacentres/dc-hcm'), { page: 'dataCentre', name: 'dc-hcm' });
  for (const bad of ['/agencies/', '/agencies/a/b', '/agencies/%3Cscript%3E', '/agencies/%E0%A4%A', '/etc/passwd', '/agencies/..'])
    assert.is(routeOf(bad), undefined, bad);
});

test('static links are relative, so the tree opens from disk at any folder', () => {
  const links = staticLinks({ page: 'agency', name: 'bca' }, 'en');
  assert.is(links.overview(), '../../en/index.html');
  assert.is(links.dataCentre('dc-hcm'), '../../en/datacentres/dc-hcm.html');
  assert.is(links.otherLang(), '../../agencies/bca.html');
  assert.is(staticLinks({ page: 'overview' }, 'vi').agency('bca'), 'agencies/bca.html');
});

test.run();
