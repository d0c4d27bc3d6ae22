/**
 * Capacity used beside allocated: what the operator publishes (showback/usage.ts) from the
 * members' ResourceQuotas, and the dashboard's view of it (dashboard/usage.ts) on the
 * samples: live with figures, live before any, and static (offline: none, said so).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXTENSIONS } from '../../src/dashboard/extensions.ts';
import { serverLinks } from '../../src/dashboard/links.ts';
import { pageContext } from '../../src/dashboard/pages.ts';
import { renderRoute, type Route } from '../../src/dashboard/routes.ts';
import { agencyUsage, dataCentresUsage, dataCentreUsage, type UsageSource } from '../../src/dashboard/usage.ts';
import type { Platform } from '../../src/model/platform.ts';
import { showback, type ObservedQuota } from '../../src/showback/compute.ts';
import { decodeUsage, encodeUsage, sameUsage, usageOf } from '../../src/showback/usage.ts';
import { stored } from '../showback/helpers.ts';
import { validateSamples } from '../validate/helpers.ts';

const samples = (): Platform => structuredClone(validateSamples().platform);
const NOW = new Date('2026-12-06T08:00:00Z');
const quota = (namespace: string, used: Record<string, string>): ObservedQuota => ({ dataCentre: 'dc-hanoi', namespace, hard: {}, used });
// Bộ Tài chính's two workspaces in dc-hanoi as the member reports them; dc-hcm and dc-danang not read.
const OBSERVED = [
  quota('btc-thue', { 'requests.cpu': '1500m', 'requests.memory': '2Gi', 'requests.storage': '0', pods: '3' }),
  quota('btc-ngan-sach', { 'requests.cpu': '500m', 'requests.memory': '1Gi', 'requests.storage': '10Gi', pods: '1' }),
];
const published = (p: Platform) => usageOf(showback({ platform: p, quotas: OBSERVED, liveDataCentres: new Set(['dc-hanoi']), now: NOW }), NOW);

test('published: the use of each data centre read and of each agency in it, none of those not read', () => {
  const u = published(samples());
  assert.is(u.since, '2026-12-06T08:00:00.000Z');
  assert.equal(Object.keys(u.dataCentres), ['dc-hanoi']);
  assert.equal(u.agencies['btc/dc-hanoi'], { cpu: 2, memory: 3 * 1024 ** 3, storage: 10 * 1024 ** 3, pods: 4 });
  assert.is(u.agencies['btc/dc-hcm'], undefined, 'dc-hcm was not read: no figure, not a zero');
  assert.equal(u.dataCentres['dc-hanoi'], u.agencies['btc/dc-hanoi'], "only btc's quotas use anything in dc-hanoi");
  assert.equal(decodeUsage(stored(encodeUsage(u, new Map()))).usage, u);
  assert.is(decodeUsage({ index: { data: { 'usage.json': '{"since": 1}' } }, shards: new Map() }).usage, undefined);
  assert.is(decodeUsage({ index: { data: { 'index.json': 'not json' } }, shards: new Map() }).usage, undefined);
  assert.ok(sameUsage(u, { ...u, since: '2027-01-01T00:00:00Z' }), 'the time alone is no change');
  const more = structuredClone(u);
  more.agencies['btc/dc-hanoi']!.pods = 5;
  assert.not.ok(sameUsage(u, more));
});

test('views: used beside allocated, in percent of the quota; no used figure offline or before any is published', () => {
  const p = samples();
  const live: UsageSource = { mode: 'live', usage: published(p) };
  const btc = agencyUsage(p, 'btc', live)!;
  assert.is(btc.source, 'live');
  assert.is(btc.since, '2026-12-06T08:00:00.000Z');
  assert.equal(btc.rows[0], {
    key: 'dc-hanoi',
    label: btc.rows[0]!.label,
    allocated: { cpu: '64', memory: '256Gi', storage: '20Ti' },
    used: { cpu: '2', memory: '3Gi', storage: '10Gi' },
    // 2 of 64 cores; 3Gi of 256Gi; 10Gi of 20Ti: under one percent, rounded down.
    percent: { cpu: 3, memory: 1, storage: 0 },
  });
  assert.is(btc.rows[1]!.key, 'dc-hcm');
  assert.is(btc.rows[1]!.used, undefined, 'dc-hcm not read');
  const dcs = dataCentresUsage(p, live);
  assert.equal(dcs.rows.find((r) => r.key === 'dc-hanoi')!.used, { cpu: '2', memory: '3Gi', storage: '10Gi' });
  assert.equal(
    dataCentreUsage(p, 'dc-hanoi', live)!
      .rows.filter((r) => r.used && r.used.cpu !== '0')
      .map((r) => r.key),
    ['btc'],
  );
  assert.is(dataCentresUsage(p, { mode: 'static' }).source, 'static');
  assert.ok(dataCentresUsage(p, { mode: 'static' }).rows.every((r) => r.used === undefined));
  assert.is(dataCentresUsage(p, { mode: 'live' }).source, 'unpublished');
  assert.is(agencyUsage(p, 'khong-co', live), undefined);
});

const page = (p: Platform, route: Route, lang: 'vi' | 'en', usage: UsageSource) =>
  renderRoute(route, p, NOW, pageContext(lang, serverLinks(route, lang)), EXTENSIONS, usage).body;

test('pages: used beside allocated on the overview, agency and data centre pages; offline and unpublished said in words; names escaped', () => {
  const p = samples();
  const live: UsageSource = { mode: 'live', usage: published(p) };
  const overview = page(p, { page: 'overview' }, 'vi', live);
  assert.match(overview, 'Năng lực đang sử dụng so với đã phân bổ');
  assert.match(overview, '<time datetime="2026-12-06T08:00:00.000Z">');
  assert.match(overview, /<span data-usage="dc-hanoi">.*?<data data-used="cpu">2<\/data> \(/);
  const agency = page(p, { page: 'agency', name: 'btc' }, 'en', live);
  assert.match(agency, 'Capacity used beside allocated');
  assert.match(agency, '<data data-field="allocated">64</data> / <data data-used="cpu">2</data> (3%)');
  p.agencies.find((a) => a.metadata.name === 'btc')!.spec.displayName = '<b>Bộ Tài chính</b>';
  const dc = page(p, { page: 'dataCentre', name: 'dc-hanoi' }, 'vi', live);
  assert.match(dc, '<span data-usage="btc"><a href="/agencies/btc">&lt;b&gt;Bộ Tài chính&lt;/b&gt;</a></span>');
  assert.match(page(p, { page: 'overview' }, 'vi', { mode: 'static' }), 'Bản tĩnh, tạo ngoại tuyến từ các tệp: không có số liệu đang dùng');
  assert.match(page(p, { page: 'overview' }, 'en', { mode: 'static' }), 'A static copy, made offline from files: no figures of use');
  const unpublished = page(p, { page: 'dataCentre', name: 'dc-hanoi' }, 'en', { mode: 'live' });
  assert.match(unpublished, 'The operator has not published figures of use yet.');
  assert.not.match(unpublished, 'data-used=');
});

test.run();
