// The operator when things go wrong, against the real API servers: killed (SIGKILL) in the
// middle of onboarding and restarted, it converges with nothing duplicated or lost; of two
// replicas only the lease holder acts and the standby takes over once the leader is killed;
// a data centre whose API server is stopped holds up nothing else, what is placed there says
// so, and it converges once it is back; one restarted on a new address is reached again once
// its Secret names it (last: they disturb the shared platform, which they restore).
import type { KubernetesObject } from '@kubernetes/client-node';
import * as assert from 'uvu/assert';
import { Namespaces, waitFor, type Cluster } from '../harness/index.ts';
import { apiServerPort, cannotStop, freePort, freezeApiServer, movedKubeconfig, stopApiServer } from './apiserver.ts';
import {
  agency,
  clusterOf,
  condition,
  expectedFor,
  get,
  NAMESPACE,
  ownedObjects,
  sampleDataCentres,
  uniqueAgency,
  waitCondition,
  waitConverged,
} from './platform.ts';
import { OperatorProcess } from './process.ts';
import { operatorSuite, type OperatorContext } from './suite.ts';

const test = operatorSuite('operator: resilience', { startOperator: false });

async function replica(ctx: OperatorContext, label: string, extra: string[] = []): Promise<OperatorProcess> {
  const op = await OperatorProcess.start(label, extra);
  ctx.extra.push(op);
  return op;
}

async function leaseHolder(ctx: OperatorContext): Promise<string> {
  const lease = (await ctx.hub.call('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/govcloud-operator`)) as {
    spec: { holderIdentity?: string };
  };
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
  await waitFor('the first namespace', async () => (await hanoi.request('GET', `/api/v1/namespaces/${name}-a`)).status === 200, {
    timeoutMs: 20_000,
    intervalMs: 20,
  });
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
  assert.is(
    [...expected.values()].reduce((n, l) => n + l.length, 0),
    total,
    'every object, once',
  );
  assert.equal(ready.metadata?.finalizers, ['govcloud.dev/cleanup'], 'one finalizer');
  assert.equal(
    ready.status.conditions.map((c: { type: string }) => c.type),
    ['Ready', 'Progressing', 'Degraded'],
    'each condition once',
  );
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
  assert.ok(
    a.lines.some((l) => l.includes('lost the lease')),
    'and says so',
  );
  assert.ok(await b.isLeader(), 'the new leader keeps the lease');
  assert.is(await leaseHolder(ctx), b.identity);
});

test("a data centre's API server frozen (SIGSTOP): the agencies of the other data centres do not wait behind it", async (ctx) => {
  const { hub, clusters } = ctx;
  const why = cannotStop('dc-danang');
  if (why) {
    console.log(`      skipped: ${why}`);
    return;
  }
  // Requests may wait 60 s and a reconcile 30 s per data centre: without the circuit, the
  // workers writing to the frozen data centre hold the agency placed elsewhere for 30 s.
  const op = await replica(ctx, 'frozen-dc', ['--request-timeout', '60']);
  await op.waitLeader();
  const danang = clusterOf(clusters, 'dc-danang');
  // More agencies placed in dc-danang than the controller has workers (4).
  const stuck = Array.from({ length: 6 }, () => ({ ...uniqueAgency('frozen'), dcs: ['dc-danang'] }));
  const elsewhere = uniqueAgency('thawed');
  ctx.agencies.push(...stuck.map((a) => a.name), elsewhere.name);
  const thaw = freezeApiServer(danang);
  const t = Date.now();
  try {
    for (const a of stuck) await hub.apply(agency(a.name, a.code, { dcs: a.dcs }));
    await new Promise((r) => setTimeout(r, 500));
    await hub.apply(agency(elsewhere.name, elsewhere.code, { dcs: ['dc-hanoi', 'dc-hcm'] }));
    await waitCondition(hub, 'Agency', undefined, elsewhere.name, 'Ready', 'True', 20_000);
    console.log(`      an agency placed elsewhere Ready ${Date.now() - t} ms after dc-danang froze`);
    for (const a of stuck) {
      const o = await waitCondition(hub, 'Agency', undefined, a.name, 'Degraded', 'True', 20_000);
      assert.is(condition(o, 'Degraded')?.reason, 'DataCentreUnreachable', `${a.name}: ${condition(o, 'Degraded')?.message}`);
      assert.match(condition(o, 'Degraded')!.message, /dc-danang is unreachable/);
    }
    assert.ok(
      op.lines.some((l) => l.includes('its writes in flight are aborted')),
      'the circuit tripped',
    );
  } finally {
    thaw();
  }
  for (const a of stuck) await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True', 60_000);
  await waitConverged(hub, clusters, stuck[0]!.name);
}, 180_000);

test("a data centre's API server stopped and restarted: what is placed there turns Degraded, the others go on; it converges", async (ctx) => {
  const { hub, clusters } = ctx;
  const why = cannotStop('dc-danang');
  if (why) {
    console.log(`      skipped: ${why}`);
    return;
  }
  const op = await replica(ctx, 'dark-dc');
  await op.waitLeader();
  const danang = clusterOf(clusters, 'dc-danang');
  // Converged before the outage: three agencies placed in dc-danang, two elsewhere.
  const placed = [
    { ...uniqueAgency('placed'), dcs: ['dc-danang'] },
    { ...uniqueAgency('placed'), dcs: ['dc-hanoi', 'dc-danang'] },
    { ...uniqueAgency('placed'), dcs: ['dc-hcm', 'dc-danang'] },
  ];
  const elsewhere = [
    { ...uniqueAgency('elsewhere'), dcs: ['dc-hanoi'] },
    { ...uniqueAgency('elsewhere'), dcs: ['dc-hanoi', 'dc-hcm'] },
  ];
  ctx.agencies.push(...[...placed, ...elsewhere].map((a) => a.name));
  for (const a of [...placed, ...elsewhere]) await hub.apply(agency(a.name, a.code, { dcs: a.dcs }));
  for (const a of [...placed, ...elsewhere]) await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');
  const versions = new Map<string, string | undefined>();
  for (const a of elsewhere) versions.set(a.name, (await get(hub, 'Agency', undefined, a.name))?.metadata?.resourceVersion);

  const t = Date.now();
  const restart = await stopApiServer(danang);
  const south = uniqueAgency('dark');
  const north = uniqueAgency('north');
  ctx.agencies.push(south.name, north.name);
  try {
    const dc = await waitFor(
      'DataCentre dc-danang disconnected',
      async () => {
        const o = await get(hub, 'DataCentre', undefined, 'dc-danang');
        return o?.status?.connected === false ? o : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    console.log(`      dc-danang reported disconnected ${Date.now() - t} ms after its API server was killed`);
    assert.is(condition(dc, 'Ready')?.status, 'False');
    assert.is(await op.metric('govcloud_datacentre_connected', { datacentre: 'dc-danang' }), 0);

    // Nothing changed on the hub: what is placed in dc-danang is no longer known to be in place.
    for (const a of placed) {
      const o = await waitCondition(hub, 'Agency', undefined, a.name, 'Degraded', 'True', 30_000);
      assert.is(condition(o, 'Ready')?.status, 'False', `${a.name} (${a.dcs.join(', ')}) not Ready`);
      assert.is(condition(o, 'Degraded')?.reason, 'DataCentreUnreachable', `${a.name}: ${condition(o, 'Degraded')?.message}`);
      assert.match(condition(o, 'Degraded')!.message, /dc-danang is unreachable/);
    }
    console.log(`      every agency placed in dc-danang Degraded ${Date.now() - t} ms after its API server was killed`);
    for (const a of elsewhere) {
      const o = await get(hub, 'Agency', undefined, a.name);
      assert.is(condition(o, 'Ready')?.status, 'True', `${a.name} (${a.dcs.join(', ')}) stays Ready`);
      assert.is(o?.metadata?.resourceVersion, versions.get(a.name), `${a.name}: not written to`);
    }

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
  for (const a of [south, ...placed]) await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True', 60_000);
  await waitConverged(hub, clusters, south.name);
  console.log(`      converged ${Date.now() - back} ms after the API server was ready again`);
  const dc = await get(hub, 'DataCentre', undefined, 'dc-danang');
  assert.is(dc?.status?.connected, true);
  await settleDanang(danang);
}, 300_000);

test("a data centre's API server restarted on a new address: updating its kubeconfig Secret reconnects, without restarting the operator", async (ctx) => {
  const { hub, clusters } = ctx;
  const why = cannotStop('dc-danang');
  if (why) {
    console.log(`      skipped: ${why}`);
    return;
  }
  const op = await replica(ctx, 'moved-dc');
  await op.waitLeader();
  const danang = clusterOf(clusters, 'dc-danang');
  const original = apiServerPort(danang);
  const ref = sampleDataCentres().find((d) => d.metadata.name === 'dc-danang')!.spec.connection.kubeconfigSecretRef!;
  const secretPath = `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`;
  const key = ref.key ?? 'kubeconfig';
  const registered = Buffer.from(((await hub.call('GET', secretPath)) as { data: Record<string, string> }).data[key]!, 'base64').toString('utf8');
  const putSecret = (kubeconfig: string) =>
    hub.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ref.name, namespace: ref.namespace },
      stringData: { [key]: kubeconfig },
    } as KubernetesObject);
  const connected = (want: boolean, timeoutMs: number) =>
    waitFor(`DataCentre dc-danang connected=${want}`, async () => (await get(hub, 'DataCentre', undefined, 'dc-danang'))?.status?.connected === want, {
      timeoutMs,
      intervalMs: 250,
    });
  const a = uniqueAgency('moved');
  ctx.agencies.push(a.name);

  let restart: ((port?: number) => Promise<void>) | undefined = await stopApiServer(danang);
  try {
    await connected(false, 45_000);
    const moved = await freePort();
    await restart(moved);
    restart = undefined;
    console.log(`      dc-danang's API server moved from port ${original} to ${moved}`);
    await hub.apply(agency(a.name, a.code, { dcs: ['dc-danang'] }));
    const waiting = await waitCondition(hub, 'Agency', undefined, a.name, 'Degraded', 'True', 30_000);
    assert.is(condition(waiting, 'Degraded')?.reason, 'DataCentreUnreachable', 'the Secret still names the old address');

    const t = Date.now();
    await putSecret(movedKubeconfig(registered, original, moved));
    await connected(true, 60_000);
    console.log(`      dc-danang connected ${Date.now() - t} ms after its Secret named the new address`);
    await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True', 60_000);
    assert.ok(op.running(), 'the same operator process');
    assert.ok(
      op.lines.some((l) => l.includes('connection of the data centre changed, reconnecting')),
      'it says why it reconnected',
    );
  } finally {
    // Back where the rest of the platform (controller-manager, kwok, the suites' kubeconfigs) expects it.
    restart ??= await stopApiServer(danang);
    await restart(original);
    await putSecret(registered);
  }
  await connected(true, 60_000);
  await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True', 60_000);
  await settleDanang(danang);
}, 300_000);

/**
 * Leaves the platform as the next suites expect it: dc-danang's controller-manager retries
 * with backoff after its API server was gone, and a new namespace gets its default
 * ServiceAccount only once it is back.
 */
async function settleDanang(danang: Cluster): Promise<void> {
  const probes = new Namespaces();
  try {
    await probes.create(danang, 'after-restart');
  } finally {
    await probes.cleanup();
  }
}

test.run();
