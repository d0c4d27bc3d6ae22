import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Controller, type ReconcileFn } from '../../src/runtime/reconciler.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';
import { TerminalError } from '../../src/runtime/queue.ts';
import { EventRecorder, type EventSink, type EventV1 } from '../../src/runtime/events.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { captureLogs } from './log-capture.ts';
import { FakeClock, settle } from './fake-clock.ts';
import { deferred } from './deferred.ts';

function setup(reconcile: ReconcileFn) {
  const clock = new FakeClock();
  const metrics = new RuntimeMetrics();
  const { lines, stream } = captureLogs();
  const events: EventV1[] = [];
  const sink: EventSink = { create: async (e) => void events.push(e), updateSeries: async () => {} };
  const recorder = new EventRecorder({ sink, clock, controller: 'govcloud.io/tenant', instance: 'op-0' });
  const controller = new Controller({
    name: 'tenant',
    reconcile,
    metrics,
    clock,
    concurrency: 2,
    logger: createLogger({ level: 'debug', destination: stream }),
    eventTarget: (req) => ({ recorder, object: { apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: req.name, uid: 'u' } } }),
  });
  return { clock, metrics, lines, events, controller };
}

async function metric(metrics: RuntimeMetrics, line: string): Promise<boolean> {
  return (await metrics.render()).split('\n').includes(line);
}

test('a successful reconcile is counted, timed and logged with controller, cluster and object', async () => {
  const seen: unknown[] = [];
  const { controller, metrics, lines } = setup(async (req, { log }) => {
    seen.push({ cluster: req.cluster, namespace: req.namespace, name: req.name });
    log.info('working');
  });
  controller.enqueue('dc1//tax');
  controller.enqueue('dc1//tax');
  controller.start();
  await settle();
  assert.equal(seen, [{ cluster: 'dc1', namespace: '', name: 'tax' }]);
  assert.ok(await metric(metrics, 'controller_runtime_reconcile_total{controller="tenant",result="success"} 1'));
  assert.ok(await metric(metrics, 'controller_runtime_reconcile_time_seconds_count{controller="tenant"} 1'));
  assert.ok(await metric(metrics, 'controller_runtime_active_workers{controller="tenant"} 0'));
  const line = lines.find((l) => l.msg === 'working')!;
  assert.is(line.controller, 'tenant');
  assert.is(line.cluster, 'dc1');
  assert.is(line.object, 'tax');
  await controller.shutDown();
});

test('requeueAfter is counted as requeue_after and runs again later', async () => {
  let runs = 0;
  const { controller, metrics, clock } = setup(async () => (++runs === 1 ? { requeueAfter: 60_000 } : undefined));
  controller.start();
  controller.enqueue('dc1/tax/grant-a');
  await settle();
  assert.ok(await metric(metrics, 'controller_runtime_reconcile_total{controller="tenant",result="requeue_after"} 1'));
  await clock.advance(60_000);
  assert.is(runs, 2);
  await controller.shutDown();
});

test('an error is retried with backoff and reported as a Warning event', async () => {
  let runs = 0;
  const { controller, metrics, clock, events, lines } = setup(async () => {
    if (++runs < 3) throw new Error('apply failed: quota exceeded');
  });
  controller.start();
  controller.enqueue('dc1//tax');
  await clock.advance(1000);
  assert.is(runs, 3);
  assert.ok(await metric(metrics, 'controller_runtime_reconcile_errors_total{controller="tenant"} 2'));
  assert.ok(await metric(metrics, 'controller_runtime_reconcile_total{controller="tenant",result="error"} 2'));
  assert.ok(await metric(metrics, 'workqueue_retries_total{controller="tenant",name="tenant"} 2'));
  assert.is(events.length, 1, 'the repeated warning is one event with a series');
  assert.is(events[0]?.type, 'Warning');
  assert.is(events[0]?.reason, 'ReconcileFailed');
  assert.is(events[0]?.note, 'apply failed: quota exceeded');
  assert.ok(lines.some((l) => l.msg === 'reconcile failed, retrying with backoff' && l.level === 'error'));
  await controller.shutDown();
});

test('a terminal error is not retried, and is counted and reported as such', async () => {
  let runs = 0;
  const { controller, metrics, clock, events } = setup(async () => {
    runs++;
    throw new TerminalError('spec.cidr "10.0.0.0/33" is not a CIDR');
  });
  controller.start();
  controller.enqueue('dc1/tax/link');
  await clock.advance(3_600_000);
  assert.is(runs, 1);
  assert.ok(await metric(metrics, 'controller_runtime_terminal_reconcile_errors_total{controller="tenant"} 1'));
  assert.is(events[0]?.reason, 'ReconcileFailedPermanently');
  await controller.shutDown();
});

test('a malformed key is a terminal error and never reaches reconcile', async () => {
  let runs = 0;
  const { controller, metrics } = setup(async () => void runs++);
  controller.start();
  controller.enqueue('not-a-key');
  await settle();
  assert.is(runs, 0);
  assert.ok(await metric(metrics, 'controller_runtime_terminal_reconcile_errors_total{controller="tenant"} 1'));
  await controller.shutDown();
});

test('shutDown aborts the signal and waits for in-flight reconciles', async () => {
  const gate = deferred();
  let aborted = false;
  const { controller } = setup(async (_req, { signal }) => {
    signal.addEventListener('abort', () => (aborted = true));
    await gate.promise;
  });
  controller.start();
  controller.enqueue('dc1//tax');
  await settle();
  let done = false;
  const stopping = controller.shutDown().then(() => (done = true));
  await settle();
  assert.ok(aborted);
  assert.not.ok(done);
  gate.resolve();
  await stopping;
  assert.ok(done);
});

test.run();
