/**
 * The showback ConfigMaps at national scale: the bench's 5,000-agency platform (its own
 * generator, over samples/), every workspace's quota using figures whose means take the
 * longest JSON numbers, sampled over a month. No ConfigMap the writers produce, serialised as
 * the API server stores it (with the metadata it adds), passes SHARD_BYTES, and the history
 * and the use read back whole.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BENCH_CAPACITY, generateAgencies } from '../../../bench/agencies.ts';
import { workspaceNamespaces } from '../../src/api/index.ts';
import { showbackConfigMap } from '../../src/controllers/showback.ts';
import { showback, type ObservedQuota } from '../../src/showback/compute.ts';
import { accumulate, decodeHistory, encodeHistory, historyName } from '../../src/showback/history.ts';
import { SHARD_BYTES, shardName, type EncodedSet } from '../../src/showback/shards.ts';
import { decodeUsage, encodeUsage, USAGE_NAME, usageOf } from '../../src/showback/usage.ts';
import { validateSamples } from '../validate/helpers.ts';
import { stored } from './helpers.ts';

const AGENCIES = 5000;
const NAMESPACE = 'govcloud-system';

const samples = validateSamples().platform;
const platform = {
  ...samples,
  dataCentres: samples.dataCentres.map((d) => ({ ...d, spec: { ...d.spec, capacity: { ...BENCH_CAPACITY } } })),
  agencies: [...samples.agencies, ...generateAgencies({ count: AGENCIES })],
};

/** A ConfigMap as the API server returns it: what the operator wrote and the metadata the server adds. */
function serialisedBytes(name: string, data: Record<string, string>): number {
  const cm = showbackConfigMap(name, NAMESPACE, data, '18446744073709551615') as { metadata: Record<string, unknown> };
  cm.metadata.uid = '01234567-89ab-cdef-0123-456789abcdef';
  cm.metadata.creationTimestamp = '2026-12-31T23:59:59Z';
  cm.metadata.managedFields = [
    {
      manager: 'govcloud-operator',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2026-12-31T23:59:59Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:data': Object.fromEntries(Object.keys(data).map((k) => [`f:${k}`, {}])),
        'f:metadata': { 'f:labels': { '.': {}, 'f:app.kubernetes.io/component': {}, 'f:app.kubernetes.io/managed-by': {} } },
      },
    },
  ];
  return Buffer.byteLength(JSON.stringify(cm));
}

function sizes(name: string, set: EncodedSet): { name: string; bytes: number }[] {
  return [
    { name, bytes: serialisedBytes(name, set.index) },
    ...[...set.shards].map(([n, data]) => ({ name: shardName(name, n), bytes: serialisedBytes(shardName(name, n), data) })),
  ];
}

test(`${AGENCIES} agencies: every showback ConfigMap stays under ${SHARD_BYTES} bytes, and reads back whole`, () => {
  const live = new Set(platform.dataCentres.map((d) => d.metadata.name));
  let k = 0;
  const quotas: ObservedQuota[] = platform.agencies.flatMap((a) =>
    a.spec.placement.dataCentres.flatMap((dataCentre) =>
      workspaceNamespaces(a).map((namespace) => {
        k++;
        return {
          dataCentre,
          namespace,
          hard: {},
          used: {
            'requests.cpu': `${(k * 7919) % 99991}m`,
            'requests.memory': `${(k * 104729) % 7340033}Ki`,
            'requests.storage': `${k % 977}Gi`,
            pods: `${k % 97}`,
          },
        };
      }),
    ),
  );
  const start = Date.parse('2026-12-01T00:00:00Z');
  // One showback (the costly part), its use scaled at each sample: the means become long fractions.
  const base = showback({ platform, quotas, liveDataCentres: live, now: new Date(start) });
  const scaled = (f: number) => ({
    ...base,
    agencies: base.agencies.map((a) => ({
      ...a,
      dataCentres: a.dataCentres.map((d) => ({
        ...d,
        used: { cpu: d.used.cpu * f, memory: d.used.memory * f, storage: d.used.storage * f, pods: d.used.pods * f },
      })),
    })),
  });
  let history;
  let read = { layout: new Map(), shards: new Map() } as ReturnType<typeof decodeHistory>;
  let encoded: EncodedSet | undefined;
  let last = base;
  for (const [minutes, f] of [
    [0, 1],
    [7, 1 / 3],
    [13, Math.PI],
    [44639, 1 / 7],
  ] as const) {
    const now = new Date(start + minutes * 60_000 + 1);
    last = scaled(f);
    history = accumulate(read.history, last, now, 600_000);
    encoded = encodeHistory(history, read);
    read = decodeHistory(stored(encoded));
  }
  const pairs = platform.agencies.reduce((n, a) => n + a.spec.placement.dataCentres.length, 0);
  assert.is(Object.keys(history!.entries).length, pairs, 'every agency in every data centre it is placed in');
  assert.equal(read.history, history, 'the month reads back whole');
  const usage = usageOf(last, new Date(start));
  const published = encodeUsage(usage, new Map());
  assert.equal(decodeUsage(stored(published)).usage, usage, 'the use now reads back whole');
  const all = [...sizes(historyName('2026-12'), encoded!), ...sizes(USAGE_NAME, published)];
  const largest = all.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  assert.ok(largest.bytes <= SHARD_BYTES, `${largest.name}: ${largest.bytes} bytes`);
  assert.ok(
    encoded!.shards.size > 1 && published.shards.size > 1,
    `split: ${encoded!.shards.size} history shards, ${published.shards.size} usage shards for ${pairs} pairs`,
  );
});

test.run();
