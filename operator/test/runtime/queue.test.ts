import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkQueue, TerminalError, type ProcessFn, type QueueMetricsSink } from '../../src/runtime/queue.ts';
import { ExponentialFailureRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from '../../src/runtime/rate-limiter.ts';
import { FakeClock, settle } from './fake-clock.ts';
import { deferred, type Deferred } from './deferred.ts';

function queueWith(process: ProcessFn, opts: { concurrency?: number; clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const q = new WorkQueue({ name: 'test', process, clock, concurrency: opts.concurrency ?? 1 });
  return { q, clock };
}

test('a key added many times before processing is processed once', async () => {
  const seen: string[] = [];
  const { q } = queueWith(async (key) => void seen.push(key));
  q.add('a');
  q.add('a');
  q.add('b');
  q.add('a');
  q.start();
  await settle();
  assert.equal(seen, ['a', 'b']);
});

// What waits on the event loop (an answer, a timer) is queued as a macrotask, as here.
test('reconciles that resolve without I/O leave the event loop turns: a callback queued before them runs before the queue is empty', async () => {
  let processed = 0;
  const q = new WorkQueue({ name: 'no-io', concurrency: 4, process: async () => void processed++ });
  for (let i = 0; i < 1000; i++) q.add(`k${i}`);
  let processedWhenItRan = -1;
  setImmediate(() => (processedWhenItRan = processed));
  q.start();
  while (processed < 1000) await new Promise((r) => setImmediate(r));
  assert.ok(processedWhenItRan >= 0, 'it ran');
  assert.ok(processedWhenItRan < 1000, `it ran after ${processedWhenItRan} of 1000 keys, not after all of them`);
  await q.shutDown();
});

test('a duplicate add of a pending key is not counted, and the key keeps its first add time', async () => {
  const clock = new FakeClock();
  const events: string[] = [];
  const sink: QueueMetricsSink = {
    added: () => events.push('added'),
    depth: (n) => events.push(`depth=${n}`),
    retried: () => events.push('retried'),
    started: (s) => events.push(`queued=${s}`),
    finished: (s) => events.push(`work=${s}`),
  };
  const q = new WorkQueue({ name: 'dup', clock, metrics: sink, process: async () => {} });
  q.add('k');
  await clock.advance(2000);
  q.add('k');
  q.add('k');
  assert.is(q.len(), 1);
  q.start();
  await settle();
  // As client-go's workqueue: Add of a key already dirty is a no-op, so adds_total counts one
  // and the queue latency runs from the first add (2 s), not from the last one (0 s).
  assert.equal(events, ['added', 'depth=1', 'depth=0', 'queued=2', 'work=0']);
});

test('a key added while processing is processed again afterwards, never concurrently', async () => {
  let running = 0;
  let maxRunning = 0;
  const gates: Deferred[] = [];
  const { q } = queueWith(
    async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      running--;
    },
    { concurrency: 4 },
  );
  q.start();
  q.add('a');
  await settle();
  q.add('a');
  q.add('a');
  await settle();
  assert.is(gates.length, 1, 'second run waits for the first');
  gates[0]!.resolve();
  await settle();
  assert.is(gates.length, 2, 're-added key runs again once');
  gates[1]!.resolve();
  await settle();
  assert.is(gates.length, 2);
  assert.is(maxRunning, 1);
});

test('concurrency bounds the number of keys processed at once', async () => {
  const gates = new Map<string, Deferred>();
  const { q } = queueWith(
    async (key) => {
      const gate = deferred();
      gates.set(key, gate);
      await gate.promise;
    },
    { concurrency: 2 },
  );
  q.start();
  for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
  await settle();
  assert.is(q.inFlight(), 2);
  assert.is(q.len(), 3);
  gates.get('a')!.resolve();
  await settle();
  assert.is(q.inFlight(), 2);
  assert.ok(gates.has('c'), 'next key in arrival order starts when a worker frees up');
  assert.not.ok(gates.has('d'));
});

test('per-key backoff doubles from 5 ms and is capped at 1000 s', () => {
  const rl = new ExponentialFailureRateLimiter();
  const delays = Array.from({ length: 5 }, () => rl.when('k'));
  assert.equal(delays, [5, 10, 20, 40, 80]);
  for (let i = 0; i < 100; i++) rl.when('k');
  assert.is(rl.when('k'), 1_000_000);
  assert.is(rl.when('other'), 5, 'backoff is per key');
  rl.forget('k');
  assert.is(rl.numRequeues('k'), 0);
  assert.is(rl.when('k'), 5);
});

test('the shared token bucket allows a burst of 100 then 10 per second', () => {
  const clock = new FakeClock();
  const bucket = new TokenBucketRateLimiter(clock);
  for (let i = 0; i < 100; i++) assert.is(bucket.when(), 0);
  assert.is(bucket.when(), 100);
  assert.is(bucket.when(), 200);
  const combined = defaultControllerRateLimiter(new FakeClock());
  assert.is(combined.when('x'), 5, 'with tokens left the per-key backoff decides');
});

test('failures are retried with growing delays, success forgets the key', async () => {
  const clock = new FakeClock();
  const runs: number[] = [];
  let failuresLeft = 3;
  const { q } = queueWith(
    async () => {
      runs.push(clock.now());
      if (failuresLeft-- > 0) throw new Error('transient');
    },
    { clock },
  );
  const t0 = clock.now();
  q.start();
  q.add('k');
  await clock.advance(1000);
  assert.equal(
    runs.map((t) => t - t0),
    [0, 5, 15, 35],
  );
  assert.is(q.numRequeues('k'), 0, 'success forgot the failure history');
});

test('addAfter delays the key; the earliest pending delay wins', async () => {
  const clock = new FakeClock();
  const runs: number[] = [];
  const { q } = queueWith(async () => void runs.push(clock.now()), { clock });
  const t0 = clock.now();
  q.start();
  q.addAfter('k', 5000);
  q.addAfter('k', 2000);
  q.addAfter('k', 9000);
  await clock.advance(1999);
  assert.equal(runs, []);
  await clock.advance(1);
  assert.equal(
    runs.map((t) => t - t0),
    [2000],
  );
  await clock.advance(10_000);
  assert.is(runs.length, 1, 'superseded delays do not fire');
});

test('requeueAfter from the handler schedules the next run', async () => {
  const clock = new FakeClock();
  const runs: number[] = [];
  const { q } = queueWith(
    async () => {
      runs.push(clock.now());
      return runs.length < 3 ? { requeueAfter: 30_000 } : {};
    },
    { clock },
  );
  const t0 = clock.now();
  q.start();
  q.add('k');
  await clock.advance(120_000);
  assert.equal(
    runs.map((t) => t - t0),
    [0, 30_000, 60_000],
  );
});

test('terminal errors are not retried', async () => {
  const clock = new FakeClock();
  let runs = 0;
  const { q } = queueWith(
    async () => {
      runs++;
      throw new TerminalError('spec.cidr is not a CIDR');
    },
    { clock },
  );
  q.start();
  q.add('k');
  await clock.advance(2_000_000);
  assert.is(runs, 1);
  assert.is(q.numRequeues('k'), 0);
  assert.is(clock.pending(), 0);
});

test('shutDown stops new work, drops queued keys and waits for in-flight handlers', async () => {
  const clock = new FakeClock();
  const gate = deferred();
  const started: string[] = [];
  let signalAborted = false;
  const { q } = queueWith(
    async (key, signal) => {
      started.push(key);
      await gate.promise;
      signalAborted = signal.aborted;
    },
    { clock },
  );
  q.start();
  q.add('a');
  q.add('b');
  q.addAfter('c', 10);
  await settle();
  let done = false;
  const shutdown = q.shutDown().then(() => (done = true));
  q.add('d');
  await clock.advance(100);
  assert.not.ok(done, 'waits for the in-flight handler');
  gate.resolve();
  await shutdown;
  assert.ok(done);
  assert.ok(signalAborted, 'in-flight handlers can see the shutdown');
  assert.equal(started, ['a']);
  assert.is(q.len(), 0);
});

test('shutDown with nothing in flight resolves at once', async () => {
  const { q } = queueWith(async () => {});
  q.start();
  await q.shutDown();
  assert.ok(q.isShuttingDown());
});

test('the metrics sink sees adds, depth, retries and durations', async () => {
  const clock = new FakeClock();
  const events: string[] = [];
  const sink: QueueMetricsSink = {
    added: () => events.push('added'),
    depth: (n) => events.push(`depth=${n}`),
    retried: () => events.push('retried'),
    started: (s) => events.push(`queued=${s}`),
    finished: (s) => events.push(`work=${s}`),
  };
  let fail = true;
  const q = new WorkQueue({
    name: 'm',
    clock,
    metrics: sink,
    process: async () => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 250));
      if (fail) {
        fail = false;
        throw new Error('x');
      }
    },
  });
  q.add('k');
  await clock.advance(1000);
  q.start();
  await settle();
  assert.is(q.longestRunningProcessorSeconds(), 0);
  await clock.advance(100);
  assert.is(q.unfinishedWorkSeconds(), 0.1);
  await clock.advance(1000);
  assert.equal(events, ['added', 'depth=1', 'depth=0', 'queued=1', 'retried', 'work=0.25', 'added', 'depth=1', 'depth=0', 'queued=0', 'work=0.25']);
});

test.run();
