/**
 * The showback ConfigMaps split (showback/shards.ts): keys stay where they were, new ones fill
 * their data centre's shards then the lowest free number, and a write touches only the shards
 * whose entries changed; a sample cut short between a shard and the index counts no interval twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { showback, type ObservedQuota } from '../../src/showback/compute.ts';
import { accumulate, decodeHistory, encodeHistory } from '../../src/showback/history.ts';
import { place, readSet, writeSet, type Layout } from '../../src/showback/shards.ts';
import { validateSamples } from '../validate/helpers.ts';
import { memoryStore } from './helpers.ts';

const unit = () => 1;

test('place: kept where they were, new keys first-fit in their data centre, then the lowest free number; empty shards dropped', () => {
  const before: Layout = new Map([
    [0, { dataCentre: 'dc-hanoi', keys: ['a', 'b', 'c'] }],
    [1, { dataCentre: 'dc-hcm', keys: ['x'] }],
    [2, { dataCentre: 'dc-hanoi', keys: ['d'] }],
  ]);
  const next = place(
    before,
    new Map([
      ['dc-hanoi', ['e', 'd', 'b', 'a', 'f', 'g']],
      ['dc-danang', ['p']],
    ]),
    unit,
    3,
  );
  // c and x are gone; dc-hcm's shard is dropped and its number is the lowest free for dc-danang.
  assert.equal(
    [...next].sort(([a], [b]) => a - b),
    [
      [0, { dataCentre: 'dc-hanoi', keys: ['a', 'b', 'e'] }],
      [1, { dataCentre: 'dc-danang', keys: ['p'] }],
      [2, { dataCentre: 'dc-hanoi', keys: ['d', 'f', 'g'] }],
    ],
  );
});

test('place: a key kept in place and a shard over a smaller budget gives up its last keys', () => {
  const before: Layout = new Map([[0, { dataCentre: 'dc', keys: ['a', 'b', 'c', 'd'] }]]);
  const next = place(before, new Map([['dc', ['a', 'b', 'c', 'd']]]), unit, 2);
  assert.equal(next.get(0), { dataCentre: 'dc', keys: ['a', 'b'] });
  assert.equal(next.get(1), { dataCentre: 'dc', keys: ['c', 'd'] });
});

const platform = validateSamples().platform;
const quota = (dataCentre: string, namespace: string, cpu: string): ObservedQuota => ({ dataCentre, namespace, hard: {}, used: { 'requests.cpu': cpu } });
const sample = (live: string[], cpu: string, at: Date) =>
  showback({ platform, quotas: [quota('dc-hanoi', 'btc-thue', cpu), quota('dc-hcm', 'btc-thue', cpu)], liveDataCentres: new Set(live), now: at });

test("a data centre not read writes nothing of its shard; a sample cut short between shard and index counts the shard's interval once", async () => {
  const store = memoryStore();
  const name = 'govcloud-showback-2026-12';
  let t = Date.parse('2026-12-01T00:00:00Z');
  const step = async (live: string[]) => {
    const set = await readSet((n) => store.read(n), name);
    const read = decodeHistory(set);
    const at = new Date(t);
    await writeSet(store, name, set, encodeHistory(accumulate(read.history, sample(live, '2', at), at, 600_000), read));
    t += 300_000;
  };
  await step(['dc-hanoi', 'dc-hcm']);
  await step(['dc-hanoi', 'dc-hcm']);
  const shards = Object.keys(store.writes).filter((n) => n !== name);
  assert.ok(shards.length >= 2, `one shard per data centre at least: ${shards.join(', ')}`);
  const hcmShard = shards.find((n) => store.maps.get(n)!.data['shard.json']!.includes('"dataCentre":"dc-hcm"'))!;
  const hcmWrites = store.writes[hcmShard];
  await step(['dc-hanoi']);
  assert.is(store.writes[hcmShard], hcmWrites, 'dc-hcm was not read: its shard is not written');
  // A sample whose index write fails after its shards were written.
  const failing = {
    ...store,
    write: async (n: string, d: Record<string, string>, rv: string | undefined) => (n === name ? Promise.reject(new Error('timeout')) : store.write(n, d, rv)),
  };
  const set = await readSet((n) => store.read(n), name);
  const read = decodeHistory(set);
  const at = new Date(t);
  await writeSet(failing, name, set, encodeHistory(accumulate(read.history, sample(['dc-hanoi', 'dc-hcm'], '2', at), at, 600_000), read)).catch(
    () => undefined,
  );
  t += 300_000;
  await step(['dc-hanoi', 'dc-hcm']);
  const history = decodeHistory(await readSet((n) => store.read(n), name)).history!;
  // dc-hanoi: four intervals of 300 s after the first sample, however the fourth's index fared.
  assert.is(history.entries['btc/dc-hanoi']!.seconds, 1200);
  assert.is(history.entries['btc/dc-hcm']!.seconds, 900, 'dc-hcm: its dark interval not counted, the interval its shard was written in not twice');
  assert.is(history.advanced, undefined, 'the index caught up');
});

test.run();
