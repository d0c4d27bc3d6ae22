/** Showback (showback/compute.ts, history.ts, format.ts) on the samples with observed quotas. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { showback, type ObservedQuota } from '../../src/showback/compute.ts';
import { showbackCsv } from '../../src/showback/format.ts';
import { accumulate, decodeHistory, encodeHistory, historyName } from '../../src/showback/history.ts';
import { stored } from './helpers.ts';
import { validateSamples } from '../validate/helpers.ts';

const platform = validateSamples().platform;
const now = new Date('2026-12-06T08:00:00Z');
const quota = (dataCentre: string, namespace: string, hard: Record<string, string>, used: Record<string, string>): ObservedQuota => ({
  dataCentre,
  namespace,
  hard,
  used,
});
// Bộ Tài chính's two workspaces in dc-hanoi, as the member's API server reports them.
const observed = [
  quota(
    'dc-hanoi',
    'btc-thue',
    { 'requests.cpu': '8', 'requests.memory': '32Gi', 'requests.storage': '1Ti', pods: '10' },
    { 'requests.cpu': '1500m', 'requests.memory': '2Gi', 'requests.storage': '0', pods: '3' },
  ),
  quota(
    'dc-hanoi',
    'btc-ngan-sach',
    { 'requests.cpu': '8', 'requests.memory': '32Gi', 'requests.storage': '1Ti', pods: '10' },
    { 'requests.cpu': '500m', 'requests.memory': '1Gi', 'requests.storage': '10Gi', pods: '1' },
  ),
  // Someone else's namespace: never counted for btc.
  quota('dc-hanoi', 'hanoi-dvc', { 'requests.cpu': '4' }, { 'requests.cpu': '4' }),
];
const live = new Set(['dc-hanoi']);

test("allocated and used are the sums of the agency's ResourceQuotas in that data centre; a data centre not read shows the declared quota", () => {
  const s = showback({ platform, quotas: observed, liveDataCentres: live, now });
  const btc = s.agencies.find((a) => a.agency === 'btc')!;
  const hanoi = btc.dataCentres.find((d) => d.dataCentre === 'dc-hanoi')!;
  assert.equal(hanoi.allocated, { cpu: 16, memory: 64 * 1024 ** 3, storage: 2 * 1024 ** 4, pods: 20 });
  assert.equal(hanoi.used, { cpu: 2, memory: 3 * 1024 ** 3, storage: 10 * 1024 ** 3, pods: 4 });
  assert.ok(hanoi.live);
  const hcm = btc.dataCentres.find((d) => d.dataCentre === 'dc-hcm')!;
  assert.not.ok(hcm.live);
  const declared = platform.agencies.find((a) => a.metadata.name === 'btc')!.spec.quotas.find((q) => q.dataCentre === 'dc-hcm')!;
  assert.is(hcm.allocated.cpu, Number(declared.cpu));
  assert.equal(hcm.used, { cpu: 0, memory: 0, storage: 0, pods: 0 });
});

test("shares of the data centre's capacity; data centre totals add its agencies up", () => {
  const s = showback({ platform, quotas: observed, liveDataCentres: live, now });
  const dc = s.dataCentres.find((d) => d.dataCentre === 'dc-hanoi')!;
  const btc = s.agencies.find((a) => a.agency === 'btc')!.dataCentres.find((d) => d.dataCentre === 'dc-hanoi')!;
  assert.is(btc.allocatedShare.cpu, Math.round((16 * 10000) / dc.capacity.cpu) / 100);
  // hanoi-dvc is hanoi's: its 4 cores count for dc-hanoi too.
  assert.is(dc.used.cpu, 2 + 4);
});

test('services owned and consumed, and links, per agency', () => {
  const s = showback({ platform, quotas: [], liveDataCentres: new Set(), now });
  const bkhdt = s.agencies.find((a) => a.agency === 'bkhdt')!;
  assert.equal(bkhdt.servicesOwned, ['govcloud-bkhdt/business-registry']);
  const btc = s.agencies.find((a) => a.agency === 'btc')!;
  assert.ok(btc.servicesConsumed.includes('govcloud-bkhdt/business-registry'), btc.servicesConsumed.join(', '));
  assert.equal(s.agencies.find((a) => a.agency === 'danang')!.links.length, platform.links.filter((l) => l.metadata.namespace === 'govcloud-danang').length);
});

test('history: the mean over observed time, a gap counted only up to the limit, a new month afresh, survives a round trip through a ConfigMap', () => {
  const at = (t: string) => new Date(t);
  const sample = (cpu: string) => showback({ platform, quotas: [quota('dc-hanoi', 'btc-thue', {}, { 'requests.cpu': cpu })], liveDataCentres: live, now });
  let h = accumulate(undefined, sample('1'), at('2026-12-01T00:00:00Z'), 600_000);
  assert.equal(h.entries, {}, 'the first sample only starts the clock');
  h = accumulate(h, sample('1'), at('2026-12-01T00:10:00Z'), 600_000);
  h = accumulate(h, sample('3'), at('2026-12-01T00:20:00Z'), 600_000);
  assert.equal(h.entries['btc/dc-hanoi'], { seconds: 1200, used: { cpu: 2, memory: 0, storage: 0, pods: 0 } });
  // The operator was down for an hour: only 10 minutes count.
  h = accumulate(h, sample('2'), at('2026-12-01T01:20:00Z'), 600_000);
  assert.is(h.entries['btc/dc-hanoi']!.seconds, 1800);
  assert.is(h.entries['btc/dc-hanoi']!.used.cpu, 2);
  const back = decodeHistory(stored(encodeHistory(h, { layout: new Map(), shards: new Map() }))).history!;
  assert.equal(back, h);
  assert.is(decodeHistory({ index: { data: { 'history.json': 'not json' } }, shards: new Map() }).history, undefined);
  const january = accumulate(back, sample('2'), at('2027-01-01T00:05:00Z'), 600_000);
  assert.is(january.month, '2027-01');
  assert.equal(january.entries, {});
  assert.is(historyName('2027-01'), 'govcloud-showback-2027-01');
  const s = showback({ platform, quotas: observed, liveDataCentres: live, now, history: h });
  assert.equal(s.agencies.find((a) => a.agency === 'btc')!.dataCentres.find((d) => d.dataCentre === 'dc-hanoi')!.monthToDate, {
    month: '2026-12',
    observedSeconds: 1800,
    used: { cpu: 2, memory: 0, storage: 0, pods: 0 },
  });
});

test('CSV: one row per agency and data centre, quoted where a display name needs it', () => {
  const csv = showbackCsv(showback({ platform, quotas: observed, liveDataCentres: live, now }));
  const lines = csv.trimEnd().split('\n');
  const placements = platform.agencies.reduce((n, a) => n + a.spec.placement.dataCentres.length, 0);
  assert.is(lines.length, 1 + placements);
  assert.ok(
    lines.some((l) => l.startsWith('btc,G12,Bộ Tài chính,ministry,dc-hanoi,true,16,2,')),
    lines.join('\n'),
  );
  assert.ok(lines.some((l) => l.includes('"Sở Văn hóa, Thể thao và Du lịch Thành phố Đà Nẵng"')));
});

test.run();
