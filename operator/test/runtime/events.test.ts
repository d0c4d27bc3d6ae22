import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventRecorder, kubeEventSink, type EventSeries, type EventSink, type EventV1 } from '../../src/runtime/events.ts';
import { ClusterClient } from '../../src/runtime/clusters.ts';
import { FakeClock } from './fake-clock.ts';
import { startFakeApiServer, json, kubeconfig } from './fake-apiserver.ts';

class FakeSink implements EventSink {
  created: EventV1[] = [];
  series: Array<{ name: string; series: EventSeries }> = [];
  fail = false;
  async create(e: EventV1) {
    if (this.fail) throw new Error('forbidden');
    this.created.push(e);
  }
  async updateSeries(_ns: string, name: string, series: EventSeries) {
    this.series.push({ name, series });
  }
}

const tenant = { apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: 'tax', uid: 'u-1' } };

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const sink = new FakeSink();
  const recorder = new EventRecorder({ sink, clock, controller: 'govcloud.io/tenant-controller', instance: 'operator-0' });
  return { clock, sink, recorder };
}

test('an event carries the regarding object, reporter and a microsecond eventTime', async () => {
  const { sink, recorder } = setup();
  await recorder.normal(tenant, 'NamespaceCreated', 'Apply', 'created namespace tax-a');
  const e = sink.created[0]!;
  assert.is(e.type, 'Normal');
  assert.is(e.metadata.namespace, 'default', 'cluster-scoped objects report into default');
  assert.match(e.metadata.name, /^tax\.[0-9a-f]+$/);
  assert.is(e.eventTime, '2026-01-01T12:00:00.000000Z');
  assert.equal(e.regarding, { apiVersion: 'govcloud.io/v1', kind: 'Tenant', name: 'tax', uid: 'u-1' });
  assert.is(e.reportingController, 'govcloud.io/tenant-controller');
  assert.is(e.reportingInstance, 'operator-0');
  assert.is(e.action, 'Apply');
});

test('a hot loop of the same warning is folded into one event and a throttled series', async () => {
  const { sink, recorder, clock } = setup();
  for (let i = 0; i < 50; i++) {
    await recorder.warning(tenant, 'ApplyFailed', 'Apply', 'quota exceeded');
    await clock.advance(100);
  }
  assert.is(sink.created.length, 1);
  await clock.advance(30_000);
  assert.is(sink.series.length, 1, 'one series update per flush interval');
  assert.is(sink.series[0]?.series.count, 50);
  assert.is(sink.series[0]?.name, sink.created[0]?.metadata.name);
  await clock.advance(60_000);
  assert.is(sink.series.length, 1, 'nothing new, nothing written');
});

test('different reasons or notes are different events; a repeat after the window starts a new one', async () => {
  const { sink, recorder, clock } = setup();
  await recorder.warning(tenant, 'ApplyFailed', 'Apply', 'quota exceeded');
  await recorder.warning(tenant, 'ApplyFailed', 'Apply', 'admission denied');
  await recorder.normal(tenant, 'Reconciled', 'Apply', 'quota exceeded');
  assert.is(sink.created.length, 3);
  await clock.advance(7 * 60_000);
  await recorder.warning(tenant, 'ApplyFailed', 'Apply', 'quota exceeded');
  assert.is(sink.created.length, 4);
  assert.is.not(sink.created[3]?.metadata.name, sink.created[0]?.metadata.name);
});

test('recording never throws and long notes are truncated', async () => {
  const { sink, recorder } = setup();
  sink.fail = true;
  await recorder.warning(tenant, 'X', 'Y', 'z');
  sink.fail = false;
  await recorder.warning(tenant, 'X', 'Y', 'z');
  assert.is(sink.created.length, 1, 'a failed create is retried on the next occurrence');
  await recorder.warning(tenant, 'Long', 'Y', 'n'.repeat(5000));
  assert.is(Buffer.byteLength(sink.created[1]?.note ?? ''), 1024);
  // The API server counts a note's bytes: Vietnamese takes two or three per letter.
  await recorder.warning(tenant, 'Vietnamese', 'Y', 'Trung tâm dữ liệu quốc gia '.repeat(100));
  const note = sink.created[2]?.note ?? '';
  assert.ok(Buffer.byteLength(note) <= 1024 && Buffer.byteLength(note) > 1000, `${Buffer.byteLength(note)} bytes`);
  assert.ok(note.startsWith('Trung tâm dữ liệu') && note.endsWith('…'));
});

test('flush writes pending counts immediately', async () => {
  const { sink, recorder } = setup();
  await recorder.warning(tenant, 'X', 'Y', 'z');
  await recorder.warning(tenant, 'X', 'Y', 'z');
  await recorder.close();
  assert.equal(
    sink.series.map((s) => s.series.count),
    [2],
  );
});

test('the kube sink posts to events.k8s.io and merge-patches the series', async () => {
  const server = await startFakeApiServer([(req, _url, res) => (req.method === 'POST' || req.method === 'PATCH') && json(res, 201, {})]);
  try {
    const sink = kubeEventSink(ClusterClient.fromKubeconfig('dc1', kubeconfig(server.url)));
    const clock = new FakeClock();
    const recorder = new EventRecorder({ sink, clock, controller: 'c', instance: 'i' });
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'tax' } };
    await recorder.warning(obj, 'R', 'A', 'n');
    await recorder.warning(obj, 'R', 'A', 'n');
    await recorder.flush();
    const [post, patch] = server.requests;
    assert.is(post?.path, '/apis/events.k8s.io/v1/namespaces/tax/events');
    assert.is(JSON.parse(post?.body ?? '{}').type, 'Warning');
    assert.is(patch?.method, 'PATCH');
    assert.is(patch?.headers['content-type'], 'application/merge-patch+json');
    assert.is(JSON.parse(patch?.body ?? '{}').series.count, 2);
  } finally {
    await server.close();
  }
});

test.run();
