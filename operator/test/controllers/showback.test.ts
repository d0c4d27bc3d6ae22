// The showback history recorder: one write per interval, carried on by the next process from
// the ConfigMaps; and a cluster upgraded from the single ConfigMaps of before the split keeps
// its month: read, carried on, and replaced by the index and shards at the first write.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HistoryRecorder } from '../../src/controllers/showback.ts';
import { decodeHistory } from '../../src/showback/history.ts';
import { readSet } from '../../src/showback/shards.ts';
import { decodeUsage } from '../../src/showback/usage.ts';
import { memoryStore, type MemoryStore } from '../showback/helpers.ts';
import { agency, dataCentres, harness } from './fakes.ts';

const MONTH = 'govcloud-showback-2026-01';

async function readHistory(store: MemoryStore) {
  return decodeHistory(await readSet((n) => store.read(n), MONTH)).history!;
}

test('showback history: one write per interval, carried on across a restart from the ConfigMaps, gaps capped', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('btc', { code: 'G12', dcs: ['dc-hanoi'] }));
  await h.run(2000);
  const store = memoryStore();
  const stop = new AbortController();
  const first = new HistoryRecorder(h.core.ctx, { store, intervalMs: 60_000 });
  const loop = first.run(stop.signal);
  await h.run(3 * 60_000 + 1000);
  assert.is(store.writes[MONTH], 4, 'the index: at start and once per interval');
  assert.is(store.writes[`${MONTH}-0`], 3, "dc-hanoi's shard: once per interval after the first, which only starts the clock");
  assert.equal(Object.keys(store.writes).sort(), [MONTH, `${MONTH}-0`, 'govcloud-showback-usage', 'govcloud-showback-usage-0']);
  assert.is(store.writes['govcloud-showback-usage'], 1, 'the use now: published once, not again while unchanged');
  assert.is(store.writes['govcloud-showback-usage-0'], 1);
  stop.abort();
  await loop;
  assert.is((await readHistory(store)).entries['btc/dc-hanoi']!.seconds, 180);
  // Another process (a restart, a new leader) after a long pause: it reads what was written and goes on; the pause counts two intervals only.
  await h.run(10 * 60_000);
  const second = new HistoryRecorder(h.core.ctx, { store, intervalMs: 60_000 });
  await second.sample();
  assert.is((await readHistory(store)).entries['btc/dc-hanoi']!.seconds, 300);
  await h.stop();
});

test('upgrade: the single history and usage ConfigMaps of before are read, carried on, and replaced by an index and shards', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('btc', { code: 'G12', dcs: ['dc-hanoi'] }));
  await h.run(2000);
  const store = memoryStore();
  const lastSample = new Date(h.clock.now() - 60_000).toISOString();
  const old = { cpu: 3, memory: 0, storage: 0, pods: 1 };
  // As the operator before the split wrote them; kube-pqnd is gone since, but its month stays.
  await store.write(
    MONTH,
    {
      'history.json': JSON.stringify({
        month: '2026-01',
        lastSample,
        entries: { 'btc/dc-hanoi': { seconds: 600, used: old }, 'kube-pqnd/dc-hcm': { seconds: 900, used: old } },
      }),
    },
    undefined,
  );
  await store.write(
    'govcloud-showback-usage',
    { 'usage.json': JSON.stringify({ since: lastSample, dataCentres: { 'dc-hanoi': old }, agencies: { 'btc/dc-hanoi': old } }) },
    undefined,
  );
  assert.equal((await readHistory(store)).entries['kube-pqnd/dc-hcm'], { seconds: 900, used: old }, 'read as it was');
  assert.equal(decodeUsage(await readSet((n) => store.read(n), 'govcloud-showback-usage')).usage?.agencies['btc/dc-hanoi'], old, 'the dashboard reads it too');
  await new HistoryRecorder(h.core.ctx, { store, intervalMs: 60_000 }).sample();
  assert.equal(Object.keys(store.maps.get(MONTH)!.data), ['index.json'], 'the single ConfigMap is now the index');
  const history = await readHistory(store);
  assert.equal(history.entries['kube-pqnd/dc-hcm'], { seconds: 900, used: old }, 'nothing of the month lost');
  assert.is(history.entries['btc/dc-hanoi']!.seconds, 660, 'carried on from the old figures');
  assert.equal(Object.keys(store.maps.get('govcloud-showback-usage')!.data), ['index.json']);
  const usage = decodeUsage(await readSet((n) => store.read(n), 'govcloud-showback-usage')).usage!;
  assert.ok(usage.agencies['btc/dc-hanoi'], 'the use now, in a shard');
  assert.not.equal(usage.agencies['btc/dc-hanoi'], old);
  await h.stop();
});

test.run();
