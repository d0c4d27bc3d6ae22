import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Informer, enqueueHandlers, type ListPage, type ListWatchSource } from '../../src/runtime/informer.ts';
import { ownerKeysFromLabels } from '../../src/runtime/keys.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { captureLogs } from './log-capture.ts';
import { FakeClock, settle } from './fake-clock.ts';

type Obj = KubernetesObject;

function obj(name: string, rv: string, labels: Record<string, string> = {}, namespace = 'ns'): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion: rv, labels } };
}

class FakeWatch {
  aborted = false;
  readonly resourceVersion: string;
  private readonly onEvent: (type: string, object: unknown) => void;
  private readonly onDone: (err: unknown) => void;
  constructor(rv: string, onEvent: (type: string, object: unknown) => void, onDone: (err: unknown) => void) {
    this.resourceVersion = rv;
    this.onEvent = onEvent;
    this.onDone = onDone;
  }
  emit(type: string, object: unknown): void {
    this.onEvent(type, object);
  }
  close(err: unknown = null): void {
    this.onDone(err);
  }
}

class FakeSource implements ListWatchSource<Obj> {
  lists: Array<ListPage<Obj> | Error> = [];
  listCalls = 0;
  watches: FakeWatch[] = [];
  /** Error thrown by the next watch() call instead of connecting. */
  watchFailure: unknown;

  async list(): Promise<ListPage<Obj>> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) throw new Error('no list response scripted');
    if (next instanceof Error) throw next;
    return next;
  }

  async watch(rv: string, onEvent: (t: string, o: unknown) => void, onDone: (e: unknown) => void) {
    const w = new FakeWatch(rv, onEvent, onDone);
    this.watches.push(w);
    if (this.watchFailure !== undefined) {
      const err = this.watchFailure;
      this.watchFailure = undefined;
      onDone(err);
    }
    return { abort: () => (w.aborted = true) };
  }

  get current(): FakeWatch {
    const w = this.watches.at(-1);
    if (!w) throw new Error('no watch');
    return w;
  }
}

function setup(opts: { random?: () => number } = {}) {
  const clock = new FakeClock();
  const source = new FakeSource();
  const informer = new Informer<Obj>({ name: 'dc1/configmaps', source, clock, random: opts.random ?? (() => 1) });
  const log: string[] = [];
  informer.addHandlers({
    add: (o) => log.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    update: (a, b) => log.push(`update ${a.metadata?.name}@${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    delete: (o) => log.push(`delete ${o.metadata?.name}`),
  });
  return { clock, source, informer, log };
}

test('lists all pages, then watches from the list resourceVersion', async () => {
  const { source, informer, log } = setup();
  source.lists.push(
    { items: [obj('a', '1')], metadata: { continue: 'page2', resourceVersion: '10' } },
    { items: [obj('b', '2', {}, '')], metadata: { resourceVersion: '10' } },
  );
  informer.start();
  assert.ok(await informer.waitForSync());
  await settle();
  assert.ok(informer.hasSynced());
  assert.equal(log, ['add a@1', 'add b@2']);
  assert.is(informer.get('ns', 'a')?.metadata?.resourceVersion, '1');
  assert.is(informer.get(undefined, 'b')?.metadata?.name, 'b', 'cluster-scoped lookup');
  assert.is(source.current.resourceVersion, '10');
  assert.ok(informer.status().connected);
  await informer.stop();
});

test('a transform shapes what is cached, from lists and from watch events alike', async () => {
  const clock = new FakeClock();
  const source = new FakeSource();
  const informer = new Informer<Obj>({
    name: 'dc1/configmaps',
    source,
    clock,
    transform: (o) => ({ ...o, metadata: { ...o.metadata, labels: { kept: 'yes' } } }),
  });
  const seen: string[] = [];
  informer.addHandlers({
    add: (o) => seen.push(`add ${o.metadata?.name} ${o.metadata?.labels?.kept}`),
    delete: (o) => seen.push(`delete ${o.metadata?.name} ${o.metadata?.labels?.kept}`),
  });
  source.lists.push({ items: [obj('a', '1', { big: 'x' })], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  source.current.emit('ADDED', obj('b', '11', { big: 'y' }));
  source.current.emit('DELETED', obj('a', '12', { big: 'x' }));
  assert.equal(informer.get('ns', 'b')?.metadata?.labels, { kept: 'yes' });
  assert.equal(seen, ['add a yes', 'add b yes', 'delete a yes']);
  await informer.stop();
});

test('watch events update the store and handlers; bookmarks only move the resourceVersion', async () => {
  const { source, informer, log, clock } = setup();
  source.lists.push({ items: [obj('a', '1')], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  source.current.emit('ADDED', obj('b', '11'));
  source.current.emit('MODIFIED', obj('a', '12'));
  source.current.emit('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: '15' } });
  source.current.emit('DELETED', obj('b', '16'));
  assert.equal(log, ['add a@1', 'add b@11', 'update a@1->12', 'delete b']);
  assert.equal(
    informer.list().map((o) => o.metadata?.name),
    ['a'],
  );
  assert.is(informer.status().resourceVersion, '16');
  // A healthy watch that the server closes is resumed at once from the last resourceVersion.
  await clock.advance(5000);
  source.current.close();
  await settle();
  assert.is(source.watches.length, 2);
  assert.is(source.current.resourceVersion, '16');
  assert.is(source.listCalls, 1, 'no relist on a normal close');
  await informer.stop();
});

test('a 410 Gone event relists and emits only the differences', async () => {
  const { source, informer, log } = setup();
  source.lists.push({ items: [obj('a', '1'), obj('b', '2')], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  source.current.emit('MODIFIED', obj('a', '11'));
  source.lists.push({ items: [obj('a', '11'), obj('c', '20')], metadata: { resourceVersion: '30' } });
  source.current.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
  await settle();
  assert.is(source.listCalls, 2);
  assert.equal(log, ['add a@1', 'add b@2', 'update a@1->11', 'add c@20', 'delete b']);
  assert.is(source.current.resourceVersion, '30');
  assert.is(informer.status().lastError, undefined, '410 is routine, not an error');
  await informer.stop();
});

test('handlers keep being given the copy they were given first: a relist of an unchanged object keeps the cached copy', async () => {
  const { source, informer } = setup();
  const given: Obj[] = [];
  informer.addHandlers({ add: (o) => given.push(o), update: (old, o) => given.push(old, o), delete: (o) => given.push(o) });
  source.lists.push({ items: [obj('a', '1'), obj('b', '2')], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  const [a, b] = given;
  source.lists.push({ items: [obj('a', '1'), obj('b', '2')], metadata: { resourceVersion: '30' } });
  source.current.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
  await settle();
  assert.is(given.length, 2, 'nothing changed: nothing emitted');
  assert.is(informer.get('ns', 'a'), a, 'the cached copy stays the one the handlers hold');
  source.current.emit('DELETED', obj('a', '31'));
  source.current.emit('MODIFIED', obj('b', '32'));
  assert.is(given[2], a, 'a delete hands over the cached copy');
  assert.is(given[3], b, 'an update hands over the cached copy as the old one');
  await informer.stop();
});

test('an HTTP 410 on the watch request relists too', async () => {
  const { source, informer, clock } = setup();
  source.lists.push({ items: [], metadata: { resourceVersion: '10' } });
  source.lists.push({ items: [], metadata: { resourceVersion: '50' } });
  informer.start();
  await settle();
  await clock.advance(5000);
  source.watchFailure = Object.assign(new Error('Gone'), { statusCode: 410 });
  source.current.close();
  await clock.advance(60_000);
  assert.is(source.listCalls, 2);
  assert.is(source.current.resourceVersion, '50');
  await informer.stop();
});

test('errors reconnect with capped exponential backoff and are reported', async () => {
  const { source, informer, clock } = setup();
  source.lists.push({ items: [], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  const t0 = clock.now();
  const starts: number[] = [];
  for (let i = 0; i < 8; i++) {
    source.current.close(new Error('connection reset'));
    const before = source.watches.length;
    while (source.watches.length === before) await clock.advance(10);
    starts.push(clock.now());
  }
  const gaps = starts.map((t, i) => t - (i === 0 ? t0 : starts[i - 1]!));
  // random() = 1 gives the ceiling: 800 ms doubling, capped at 30 s.
  assert.equal(gaps, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  const status = informer.status();
  assert.is(status.lastError, 'watch failed: connection reset');
  assert.is(status.connected, true, 'the last attempt connected');
  await informer.stop();
});

test('backoff is jittered between half and all of the ceiling', async () => {
  const { source, informer, clock } = setup({ random: () => 0 });
  source.lists.push({ items: [], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  const t0 = clock.now();
  source.current.close(new Error('boom'));
  while (source.watches.length === 1) await clock.advance(10);
  assert.is(clock.now() - t0, 400);
  await informer.stop();
});

test('a watch that closes at once without events backs off instead of spinning', async () => {
  const { source, informer, clock } = setup();
  source.lists.push({ items: [], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  source.current.close();
  await settle();
  assert.is(source.watches.length, 1, 'no immediate reconnect');
  await clock.advance(800);
  assert.is(source.watches.length, 2);
  await informer.stop();
});

test('the client closing a quiet watch on its inactivity timeout is a normal close', async () => {
  const { source, informer, clock } = setup();
  source.lists.push({ items: [], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  await clock.advance(30_000);
  source.current.close(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  await settle();
  assert.is(source.watches.length, 2, 'reconnected at once');
  assert.is(informer.status().lastError, undefined);
  // A timeout before the watch was established is a real failure.
  source.watchFailure = new DOMException('connect timeout', 'TimeoutError');
  await clock.advance(30_000);
  source.current.close(new DOMException('timeout', 'TimeoutError'));
  await settle();
  assert.is(source.watches.length, 3);
  assert.is(informer.status().lastError, 'watch failed: connect timeout');
  await informer.stop();
});

test('a failing list is retried until it succeeds; health follows the watch', async () => {
  const { source, informer, clock } = setup();
  source.lists.push(new Error('connection refused'), new Error('connection refused'));
  source.lists.push({ items: [obj('a', '1')], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  assert.not.ok(informer.hasSynced());
  assert.not.ok(informer.isHealthy());
  assert.is(informer.status().lastError, 'list failed: connection refused');
  await clock.advance(800 + 1600);
  assert.ok(informer.hasSynced());
  assert.ok(informer.isHealthy());
  // The watch then stays down: healthy while reconnecting briefly, unhealthy once stale.
  source.current.close(new Error('apiserver down'));
  for (let i = 0; i < 10; i++) source.lists.push(new Error('x'));
  const failing = { watch: source.watch.bind(source) };
  source.watch = async (rv, onEvent, onDone) => {
    const h = await failing.watch(rv, onEvent, onDone);
    onDone(new Error('apiserver down'));
    return h;
  };
  await clock.advance(10_000);
  assert.not.ok(informer.status().connected);
  assert.ok(informer.isHealthy(60_000));
  await clock.advance(60_000);
  assert.not.ok(informer.isHealthy(60_000));
  await informer.stop();
});

test('the same failure again is one warning, its repeats debug; a different one warns again', async () => {
  const { lines, stream: destination } = captureLogs<{ level: string; msg: string; failures: number }>();
  const clock = new FakeClock();
  const source = new FakeSource();
  const logger = createLogger({ level: 'debug', destination });
  const informer = new Informer<Obj>({ name: 'dc1/certificates', source, clock, random: () => 1, logger });
  const notServed = () => new Error('HTTP 404: the server could not find the requested resource');
  source.lists.push(notServed(), notServed(), notServed(), new Error('connection refused'));
  source.lists.push({ items: [], metadata: { resourceVersion: '1' } });
  informer.start();
  await clock.advance(800 + 1600 + 3200 + 6400);
  await new Promise((r) => setImmediate(r));
  assert.ok(informer.hasSynced());
  const failures = lines.filter((l) => l.msg === 'list failed').map((l) => `${l.level} ${l.failures}`);
  assert.equal(failures, ['warn 1', 'debug 2', 'debug 3', 'warn 4']);
  await informer.stop();
});

test('selectors, namespaces, late handlers and throwing handlers', async () => {
  const { source, informer } = setup();
  informer.addHandlers({
    add: () => {
      throw new Error('handler bug');
    },
  });
  source.lists.push({
    items: [obj('a', '1', { owner: 'x', tier: 'db' }), obj('b', '2', { owner: 'y' }), obj('c', '3', { owner: 'x' }, 'other')],
    metadata: { resourceVersion: '10' },
  });
  informer.start();
  await settle();
  assert.equal(
    informer.listBySelector({ matchLabels: { owner: 'x' } }).map((o) => o.metadata?.name),
    ['a', 'c'],
  );
  assert.equal(
    informer.listBySelector({ matchLabels: { owner: 'x' } }, 'ns').map((o) => o.metadata?.name),
    ['a'],
  );
  assert.equal(
    informer.listBySelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }).map((o) => o.metadata?.name),
    ['b', 'c'],
  );
  const late: string[] = [];
  informer.addHandlers({ add: (o) => late.push(o.metadata?.name ?? '') });
  assert.equal(late, ['a', 'b', 'c'], 'a late handler sees the cached objects');
  await informer.stop();
});

test('enqueueHandlers maps owned objects to their owner key by labels', async () => {
  const { source, informer } = setup();
  const queued: string[] = [];
  informer.addHandlers(
    enqueueHandlers(
      (k) => queued.push(k),
      (o: Obj) => ownerKeysFromLabels(o, { cluster: 'mgmt', nameLabel: 'govcloud.io/tenant' }),
    ),
  );
  source.lists.push({ items: [obj('a', '1', { 'govcloud.io/tenant': 'tax' }), obj('b', '2')], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  source.current.emit('MODIFIED', obj('a', '11', { 'govcloud.io/tenant': 'health' }));
  assert.equal(queued, ['mgmt//tax', 'mgmt//tax', 'mgmt//health']);
  await informer.stop();
});

test('stop ends the loop and closes the watch', async () => {
  const { source, informer, clock } = setup();
  source.lists.push({ items: [], metadata: { resourceVersion: '10' } });
  informer.start();
  await settle();
  const w = source.current;
  await informer.stop();
  assert.ok(w.aborted);
  await clock.advance(120_000);
  assert.is(source.watches.length, 1);
});

test.run();
