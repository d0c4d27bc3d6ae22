import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LeaderElector, kubeLeaseStore, type LeaseRecord, type LeaseStore, type StoredLease } from '../../src/runtime/leader.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';
import { ClusterClient } from '../../src/runtime/clusters.ts';
import { httpStatusOf } from '../../src/runtime/errors.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { captureLogs } from './log-capture.ts';
import { FakeClock, settle } from './fake-clock.ts';
import { startFakeApiServer, json, kubeconfig } from './fake-apiserver.ts';

const conflict = () => Object.assign(new Error('Conflict'), { code: 409 });

/** One Lease with resourceVersion semantics, shared by all candidates. */
class MemoryLease {
  lease: StoredLease | undefined;
  private rv = 0;
  writes = 0;
  private store(record: LeaseRecord): StoredLease {
    this.writes++;
    this.lease = { record: structuredClone(record), resourceVersion: String(++this.rv) };
    return structuredClone(this.lease);
  }
  /** A candidate's view; `cut()` simulates losing the API server. */
  view() {
    let partitioned = false;
    const check = () => {
      if (partitioned) throw new Error('connection refused');
    };
    const store: LeaseStore = {
      get: async () => (check(), this.lease ? structuredClone(this.lease) : undefined),
      create: async (r) => {
        check();
        if (this.lease) throw conflict();
        return this.store(r);
      },
      update: async (r, rv) => {
        check();
        if (!this.lease || this.lease.resourceVersion !== rv) throw conflict();
        return this.store(r);
      },
    };
    return { store, cut: () => (partitioned = true), heal: () => (partitioned = false) };
  }
}

interface Timeline {
  events: string[];
  leaders: Set<string>;
  maxLeaders: number;
}

function candidate(id: string, lease: MemoryLease, clock: FakeClock, timeline: Timeline, metrics?: RuntimeMetrics) {
  const view = lease.view();
  const elector = new LeaderElector({
    name: 'govcloud-operator',
    identity: id,
    store: view.store,
    clock,
    random: () => 0,
    ...(metrics ? { metrics } : {}),
    onStartedLeading: (signal) => {
      timeline.leaders.add(id);
      timeline.maxLeaders = Math.max(timeline.maxLeaders, timeline.leaders.size);
      timeline.events.push(`${clock.now()} ${id} started`);
      signal.addEventListener('abort', () => timeline.events.push(`${clock.now()} ${id} signal aborted`));
    },
    onStoppedLeading: () => {
      timeline.leaders.delete(id);
      timeline.events.push(`${clock.now()} ${id} stopped`);
    },
  });
  return { elector, ...view };
}

function world() {
  const clock = new FakeClock(0);
  const lease = new MemoryLease();
  const timeline: Timeline = { events: [], leaders: new Set(), maxLeaders: 0 };
  return { clock, lease, timeline };
}

test("defaults are controller-runtime's and the first candidate acquires a free lease", async () => {
  const { clock, lease, timeline } = world();
  const metrics = new RuntimeMetrics();
  const a = candidate('a', lease, clock, timeline, metrics);
  void a.elector.run();
  await settle();
  assert.ok(a.elector.isLeader());
  assert.equal(timeline.events, ['0 a started']);
  assert.is(lease.lease?.record.holderIdentity, 'a');
  assert.is(lease.lease?.record.leaseDurationSeconds, 15);
  assert.is(lease.lease?.record.leaseTransitions, 0);
  assert.ok((await metrics.render()).includes('leader_election_master_status{name="govcloud-operator"} 1'));
  await a.elector.stop();
  assert.ok((await metrics.render()).includes('leader_election_master_status{name="govcloud-operator"} 0'));
});

test('the leader renews every retry period and keeps its acquire time', async () => {
  const { clock, lease, timeline } = world();
  const a = candidate('a', lease, clock, timeline);
  void a.elector.run();
  await settle();
  const acquired = lease.lease?.record.acquireTime;
  await clock.advance(2000);
  assert.is(lease.lease?.record.renewTime, '1970-01-01T00:00:02.000000Z');
  await clock.advance(60_000);
  assert.ok(a.elector.isLeader());
  assert.is(lease.lease?.record.acquireTime, acquired);
  assert.is(lease.writes, 32, 'one write on acquire, one per 2 s renewal');
  await a.elector.stop();
});

test('a second candidate waits while the lease is renewed', async () => {
  const { clock, lease, timeline } = world();
  const a = candidate('a', lease, clock, timeline);
  const b = candidate('b', lease, clock, timeline);
  void a.elector.run();
  await settle();
  void b.elector.run();
  await clock.advance(120_000);
  assert.ok(a.elector.isLeader());
  assert.not.ok(b.elector.isLeader());
  assert.is(timeline.maxLeaders, 1);
  await a.elector.stop();
  await b.elector.stop();
});

test('a leader that cannot renew steps down before anyone else can take over', async () => {
  const { clock, lease, timeline } = world();
  const a = candidate('a', lease, clock, timeline);
  const b = candidate('b', lease, clock, timeline);
  const aDone = a.elector.run();
  await settle();
  void b.elector.run();
  await clock.advance(4000);
  a.cut();
  const cutAt = clock.now();
  await clock.advance(30_000);
  assert.not.ok(a.elector.isLeader());
  assert.ok(b.elector.isLeader());
  assert.is(timeline.maxLeaders, 1, 'never two leaders');
  const stoppedA = timeline.events.find((e) => e.endsWith('a stopped'))!;
  const startedB = timeline.events.find((e) => e.endsWith('b started'))!;
  const tStop = Number(stoppedA.split(' ')[0]);
  const tStart = Number(startedB.split(' ')[0]);
  assert.ok(tStop <= cutAt + 10_000, `a stepped down within the renew deadline (at ${tStop})`);
  assert.ok(tStart >= cutAt + 15_000 - 2000, `b waited for the lease to expire (at ${tStart})`);
  assert.ok(tStop < tStart);
  assert.ok(timeline.events.includes(`${tStop} a signal aborted`), 'controllers see the abort');
  assert.is(lease.lease?.record.leaseTransitions, 1);
  await aDone;
  a.heal();
  await clock.advance(30_000);
  assert.not.ok(a.elector.isLeader(), 'a lost leader does not campaign again');
  await b.elector.stop();
});

test('releasing on stop hands over at once instead of after expiry', async () => {
  const { clock, lease, timeline } = world();
  const a = candidate('a', lease, clock, timeline);
  const b = candidate('b', lease, clock, timeline);
  void a.elector.run();
  await settle();
  void b.elector.run();
  await clock.advance(5000);
  const stopAt = clock.now();
  await a.elector.stop();
  assert.is(lease.lease?.record.holderIdentity, '');
  assert.equal(timeline.events.slice(-2), [`${stopAt} a signal aborted`, `${stopAt} a stopped`]);
  await clock.advance(2000);
  assert.ok(b.elector.isLeader());
  assert.is(lease.lease?.record.leaseTransitions, 1);
  await b.elector.stop();
});

test('optimistic concurrency: of two candidates racing for a free lease one wins', async () => {
  const { clock, lease, timeline } = world();
  lease.lease = { record: { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3 }, resourceVersion: '100' };
  const a = candidate('a', lease, clock, timeline);
  const b = candidate('b', lease, clock, timeline);
  void a.elector.run();
  void b.elector.run();
  await clock.advance(30_000);
  assert.is(timeline.maxLeaders, 1);
  assert.is([a, b].filter((c) => c.elector.isLeader()).length, 1);
  assert.is(lease.lease?.record.leaseTransitions, 4);
  await a.elector.stop();
  await b.elector.stop();
});

test('a lease held by a stopped process is taken over after it expires', async () => {
  const { clock, lease, timeline } = world();
  lease.lease = { record: { holderIdentity: 'crashed', leaseDurationSeconds: 15, renewTime: '1970-01-01T00:00:00.000000Z' }, resourceVersion: '7' };
  const b = candidate('b', lease, clock, timeline);
  void b.elector.run();
  await clock.advance(14_000);
  assert.not.ok(b.elector.isLeader(), 'expiry counts from when b first saw the lease');
  await clock.advance(4000);
  assert.ok(b.elector.isLeader());
  await b.elector.stop();
});

test('a lease request that never answers is given up after the renew deadline, and the candidate tries again', async () => {
  const { clock, lease, timeline } = world();
  const view = lease.view();
  let hung = 0;
  const store: LeaseStore = {
    ...view.store,
    get: (signal) => {
      if (hung > 0) return view.store.get(signal);
      hung++;
      // A connection that stays open and answers nothing; only the signal ends the wait.
      return new Promise((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true }),
      );
    },
  };
  const elector = new LeaderElector({
    name: 'govcloud-operator',
    identity: 'b',
    store,
    clock,
    random: () => 0,
    onStartedLeading: () => timeline.events.push(`${clock.now()} b started`),
    onStoppedLeading: () => undefined,
  });
  void elector.run();
  await clock.advance(9_000);
  assert.not.ok(elector.isLeader(), 'still waiting on the first request');
  await clock.advance(3_000);
  assert.ok(elector.isLeader(), 'the hung read was abandoned at 10 s and the next attempt acquired the lease');
  assert.equal(timeline.events, ['12000 b started']);
  await elector.stop();
});

test('stepping down says how long ago the lease was renewed and what failed since', async () => {
  const { clock, lease } = world();
  const { lines, stream: destination } = captureLogs();
  const view = lease.view();
  const elector = new LeaderElector({
    name: 'govcloud-operator',
    identity: 'a',
    store: view.store,
    clock,
    random: () => 0,
    logger: createLogger({ level: 'info', destination }),
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
  });
  const done = elector.run();
  await clock.advance(4_000);
  view.cut();
  await clock.advance(12_000);
  await done;
  assert.not.ok(elector.isLeader());
  const stepDown = lines.find((l) => l.msg === 'failed to renew the lease within the renew deadline, stepping down');
  assert.ok(stepDown, 'logged');
  assert.is(stepDown.sinceRenewalMs, 10_000, 'renewed last at 4 s, the deadline at 14 s');
  assert.is(stepDown.failedAttempts, 4, 'the attempts at 6, 8, 10 and 12 s failed');
  assert.is(stepDown.lastFailure, 'connection refused');
});

test('the kube lease store reads, creates and updates with the resourceVersion', async () => {
  let stored: { metadata: { resourceVersion: string }; spec: LeaseRecord } | undefined;
  const server = await startFakeApiServer([
    (req, url, res, body) => {
      if (!url.pathname.startsWith('/apis/coordination.k8s.io/v1/namespaces/ops/leases')) return false;
      if (req.method === 'GET') return stored ? json(res, 200, stored) : json(res, 404, { code: 404 });
      const obj = JSON.parse(body);
      if (req.method === 'PUT' && obj.metadata.resourceVersion !== stored?.metadata.resourceVersion) return json(res, 409, { code: 409 });
      stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(Number(stored?.metadata.resourceVersion ?? 0) + 1) } };
      return json(res, req.method === 'POST' ? 201 : 200, stored);
    },
  ]);
  try {
    const store = kubeLeaseStore(ClusterClient.fromKubeconfig('mgmt', kubeconfig(server.url)), { namespace: 'ops', name: 'govcloud' });
    assert.is(await store.get(), undefined);
    const created = await store.create({ holderIdentity: 'a', leaseDurationSeconds: 15 });
    assert.is(created.resourceVersion, '1');
    const updated = await store.update({ holderIdentity: 'a', leaseDurationSeconds: 15 }, '1');
    assert.is(updated.resourceVersion, '2');
    try {
      await store.update({ holderIdentity: 'b' }, '1');
      assert.unreachable();
    } catch (err) {
      assert.is(httpStatusOf(err), 409);
    }
    assert.is((await store.get())?.record.holderIdentity, 'a');
  } finally {
    await server.close();
  }
});

test.run();
