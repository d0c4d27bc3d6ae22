// The operator when things go wrong, against the real API servers: killed (SIGKILL) in the
// middle of onboarding and restarted, it converges with nothing duplicated or lost; of two
// replicas only the lease holder acts and the standby takes over once the leader is killed;
// a data centre whose API server is stopped holds up nothing else, and converges once it is
// back (last: it disturbs the shared platform, which it restores).
import * as assert from 'uvu/assert';
import { Namespaces, waitFor } from '../harness/index.ts';
import { cannotStop, stopApiServer } from './apiserver.ts';
import { agency, clusterOf, condition, expectedFor, get, NAMESPACE, ownedObjects, uniqueAgency, waitCondition, waitConverged } from './platform.ts';
import { OperatorProcess } from './process.ts';
import { operatorSuite, type OperatorContext } from './suite.ts';

const test = operatorSuite('operator: resilience', { startOperator: false });

async function replica(ctx: OperatorContext, label: string): Promise<OperatorProcess> {
  const op = await OperatorProcess.start(label);
  ctx.extra.push(op);
  return op;
}

async function leaseHolder(ctx: OperatorContext): Promise<string> {
  const lease = (await ctx.hub.call('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/govcloud-operator`)) as { spec: { holderIdentity?: string } };
  return lease.spec.holderIdentity ?? '';
}

test('killed with SIGKILL in the middle of onboarding and restarted: converges, nothing duplicated or lost', async (ctx) => {
  const { hub, clusters } = ctx;
  const first = await replica(ctx, 'killed');
  await first.waitLeader();
  const { name, code } = uniqueAgency('sigkill');
  ctx.agencies.push(name);
  await hub.apply(agency(name, code, { dcs: ['dc-hanoi', 'dc-hcm'], workspaces: ['a', 'b', 'c', 'd', 'e', 'f'] }));
  // Kill it as soon as its first object shows up: the rest of that reconcile is cut off.
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  await waitFor('the first namespace', async () => (await hanoi.request('GET', `/api/v1/namespaces/${name}-a`)).status === 200, { timeoutMs: 20_000, intervalMs: 20 });
  first.kill('SIGKILL');
  await first.exited();
  assert.is(first.signal, 'SIGKILL', 'killed, not exited');
  const partial = (await ownedObjects(hanoi, `Agency..${name}`)).length + (await ownedObjects(clusterOf(clusters, 'dc-hcm'), `Agency..${name}`)).length;
  const total = [...(await expectedFor(hub, name)).values()].reduce((n, l) => n + l.length, 0);
  console.log(`      killed with ${partial} of ${total} objects in place`);

  const t = Date.now();
  const second = await replica(ctx, 'restarted');
  await second.waitLeader(45_000);
  console.log(`      the restarted replica leads after ${Date.now() - t} ms (the killed one's lease had to expire)`);
  const ready = await waitCondition(hub, 'Agency', undefined, name, 'Ready', 'True');
  const expected = await waitConverged(hub, clusters, name);
  assert.is([...expected.values()].reduce((n, l) => n + l.length, 0), total, 'every object, once');
  assert.equal(ready.metadata?.finalizers, ['govcloud.dev/cleanup'], 'one finalizer');
  assert.equal(ready.status.conditions.map((c: { type: string }) => c.type), ['Ready', 'Progressing', 'Degraded'], 'each condition once');
  assert.is(await leaseHolder(ctx), second.identity);
});

test('two replicas: only the lease holder acts; the standby takes over when the leader is killed', async (ctx) => {
  const { hub } = ctx;
  const a = await replica(ctx, 'replica-a');
  await a.waitLeader();
  const b = await replica(ctx, 'replica-b');
  // b campaigns every ~2-4 s and must keep losing while a renews.
  await new Promise((r) => setTimeout(r, 6000));
  assert.ok(await a.isLeader(), 'a leads');
  assert.not.ok(await b.isLeader(), 'b stands by');
  assert.is(await leaseHolder(ctx), a.identity);
  assert.is(await b.writes(), 0, 'the standby wrote nothing');
  assert.is(await b.metric('controller_runtime_reconcile_total'), 0, 'the standby reconciled nothing');
  const readyz = await b.http('/readyz');
  assert.is(readyz.status, 200, `a synced standby is ready:\n${readyz.text}`);

  // The standby's caches stay warm: an agency made now is handled by a alone.
  const { name, code } = uniqueAgency('ha');
  ctx.agencies.push(name);
  await hub.apply(agency(name, code, { dcs: ['dc-hanoi'] }));
  await waitCondition(hub, 'Agency', undefined, name, 'Ready', 'True');
  assert.is(await b.writes(), 0, 'still nothing from the standby');

  a.kill('SIGKILL');
  const t = Date.now();
  await b.waitLeader(45_000);
  console.log(`      the standby took over ${Date.now() - t} ms after the leader was killed`);
  assert.is(await leaseHolder(ctx), b.identity);
  // b acts: a spec change is reconciled.
  await hub.apply(agency(name, code, { dcs: ['dc-hanoi'], workspaces: ['app', 'extra'] }));
  await waitCondition(hub, 'Agency', undefined, name, 'Ready', 'True');
  await waitConverged(hub, ctx.clusters, name);
  assert.ok((await b.writes()) > 0, 'the new leader writes');

  // A graceful stop releases the lease at once.
  assert.is(await b.stop(), 0, 'SIGTERM: exit 0');
  assert.is(await leaseHolder(ctx), '', 'released on stop');
});

test('a leader frozen past its renew deadline: the standby leads; the old leader steps down and exits 1', async (ctx) => {
  const a = await replica(ctx, 'frozen');
  await a.waitLeader();
  const b = await replica(ctx, 'successor');
  await new Promise((r) => setTimeout(r, 3000));
  assert.not.ok(await b.isLeader());
  a.kill('SIGSTOP');
  const t = Date.now();
  await b.waitLeader(45_000);
  console.log(`      the standby leads ${Date.now() - t} ms after the leader froze`);
  a.kill('SIGCONT');
  assert.is(await a.exited(20_000), 1, 'exit 1: it lost the lease');
  assert.ok(a.lines.some((l) => l.includes('lost the lease')), 'and says so');
  assert.ok(await b.isLeader(), 'the new leader keeps the lease');
  assert.is(await leaseHolder(ctx), b.identity);
});

test("a data centre's API server stopped and restarted: the others go on; it converges", async (ctx) => {
  const { hub, clusters } = ctx;
  const why = cannotStop('dc-danang');
  if (why) {
    console.log(`      skipped: ${why}`);
    return;
  }
  const op = await replica(ctx, 'dark-dc');
  await op.waitLeader();
  const danang = clusterOf(clusters, 'dc-danang');
  const t = Date.now();
  const restart = await stopApiServer(danang);
  const south = uniqueAgency('dark');
  const north = uniqueAgency('north');
  ctx.agencies.push(south.name, north.name);
  try {
    const dc = await waitFor('DataCentre dc-danang disconnected', async () => {
      const o = await get(hub, 'DataCentre', undefined, 'dc-danang');
      return o?.status?.connected === false ? o : undefined;
    }, { timeoutMs: 45_000, intervalMs: 250 });
    console.log(`      dc-danang reported disconnected ${Date.now() - t} ms after its API server was killed`);
    assert.is(condition(dc, 'Ready')?.status, 'False');
    assert.is(await op.metric('govcloud_datacentre_connected', { datacentre: 'dc-danang' }), 0);

    await hub.apply(agency(south.name, south.code, { dcs: ['dc-hanoi', 'dc-danang'] }));
    await hub.apply(agency(north.name, north.code, { dcs: ['dc-hanoi', 'dc-hcm'] }));
    await waitCondition(hub, 'Agency', undefined, north.name, 'Ready', 'True', 30_000);
    const degraded = await waitCondition(hub, 'Agency', undefined, south.name, 'Degraded', 'True', 30_000);
    assert.is(condition(degraded, 'Degraded')?.reason, 'DataCentreUnreachable');
    assert.match(condition(degraded, 'Degraded')!.message, /dc-danang is unreachable/);
    const inHanoi = await ownedObjects(clusterOf(clusters, 'dc-hanoi'), `Agency..${south.name}`);
    assert.ok(inHanoi.includes(`NetworkPolicy ${south.name}-app/govcloud-default-deny`), 'applied where reachable');
  } finally {
    await restart();
  }
  const back = Date.now();
  await waitCondition(hub, 'Agency', undefined, south.name, 'Ready', 'True', 60_000);
  await waitConverged(hub, clusters, south.name);
  console.log(`      converged ${Date.now() - back} ms after the API server was ready again`);
  const dc = await get(hub, 'DataCentre', undefined, 'dc-danang');
  assert.is(dc?.status?.connected, true);
  // Leave the platform as the next suites expect it: dc-danang's controller-manager retries
  // with backoff after its API server was gone, and a new namespace gets its default
  // ServiceAccount only once it is back.
  const probes = new Namespaces();
  try {
    await probes.create(danang, 'after-restart');
  } finally {
    await probes.cleanup();
  }
}, 300_000);

test.run();
