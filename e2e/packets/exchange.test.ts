// Real packets through what agencies declare: a grant's validity window (a consumer's new
// connection succeeds inside it and is refused after validUntil; what happens to a connection
// already established is measured and reported) and two-party links (one side declared:
// refused; both: open on the ports both name only; one side withdrawn: refused). Pods run on
// dc-hanoi's real node, where kube-network-policies enforces what the operator rendered.
import { spawn } from 'node:child_process';
import * as assert from 'uvu/assert';
import { waitFor, type Cluster } from '../harness/index.ts';
import { agency, API, clusterOf, registryService, rfc3339, uniqueAgency, waitCondition, type Obj } from '../operator/platform.ts';
import { operatorSuite, type OperatorContext } from '../operator/suite.ts';
import { connect, realPod, until, type RealPod } from './pods.ts';

const test = operatorSuite('real packets: grants and links');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function onboard(ctx: OperatorContext, specs: { hint: string; workspaces: string[] }[]): Promise<string[]> {
  const names: string[] = [];
  for (const s of specs) {
    const { name, code } = uniqueAgency(s.hint);
    ctx.agencies.push(name);
    names.push(name);
    await ctx.hub.apply(agency(name, code, { dcs: ['dc-hanoi'], workspaces: s.workspaces, deletionPolicy: 'Delete' }));
  }
  for (const n of names) await waitCondition(ctx.hub, 'Agency', undefined, n, 'Ready', 'True');
  return names;
}

/** The labels of the pods the operator's Deployment for a service runs (the server pod carries them). */
async function serviceLabels(cluster: Cluster, namespace: string): Promise<Record<string, string>> {
  return waitFor(
    `the service's Deployment in ${cluster.name}/${namespace}`,
    async () => {
      const list = (await cluster.call('GET', `/apis/apps/v1/namespaces/${namespace}/deployments`)) as {
        items: { spec: { template: { metadata: { labels: Record<string, string> } } } }[];
      };
      return list.items[0]?.spec.template.metadata.labels;
    },
    { timeoutMs: 60_000 },
  );
}

/**
 * A connection held open from inside `from`: a line every 200 ms, the echo's arrival times
 * recorded (the agnhost stand-in echoes what it receives).
 */
function holdConnection(from: RealPod, host: string, port: number): { echoes: number[]; errors: string[]; stop(): void } {
  const script = `const s=require('net').connect(${port},'${host}');s.on('data',()=>process.stdout.write(Date.now()+'\\n'));s.on('error',(e)=>{console.error(e.message);process.exit(1)});setInterval(()=>s.write('x\\n'),200);`;
  const child = spawn('ip', ['netns', 'exec', from.netns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const echoes: number[] = [];
  const errors: string[] = [];
  child.stdout.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (/^\d+$/.test(line)) echoes.push(Number(line));
  });
  child.stderr.on('data', (d: Buffer) => errors.push(d.toString()));
  child.on('exit', (code, signal) => errors.push(`exited ${code ?? signal}`));
  child.on('error', (err) => errors.push(err.message));
  return { echoes, errors, stop: () => child.kill('SIGKILL') };
}

test("a grant's window: new connections open inside it, refused after validUntil", async (ctx) => {
  const [provider, consumer] = await onboard(ctx, [
    { hint: 'pkprov', workspaces: ['data'] },
    { hint: 'pkcons', workspaces: ['app'] },
  ]);
  const hanoi = clusterOf(ctx.clusters, 'dc-hanoi');
  await ctx.hub.apply(registryService(provider!, { sharing: 'onRequest', dcs: ['dc-hanoi'], replicas: 1 }));
  const server = await realPod(hanoi, `${provider}-data`, 'registry-stand-in', {
    labels: await serviceLabels(hanoi, `${provider}-data`),
    ports: [{ port: 8443, protocol: 'TCP' }],
  });
  const client = await realPod(hanoi, `${consumer}-app`, 'client', {});
  assert.is(await connect(client, server.ip, 8443, 'TCP'), 'timeout', 'no grant: dropped');

  const deadline = Math.floor((Date.now() + 40_000) / 1000) * 1000;
  const validUntil = rfc3339(deadline);
  const common = { purpose: 'Kiểm thử gói tin thật', legalBasis: 'Kiểm thử', validUntil };
  await ctx.hub.apply({
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'registry', namespace: `govcloud-${consumer}` },
    spec: { provider, service: 'registry', workspaces: ['app'], ...common },
  } as Obj);
  await ctx.hub.apply({
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'consumer', namespace: `govcloud-${provider}` },
    spec: { service: 'registry', consumer, workspaces: ['app'], ...common },
  } as Obj);
  const opened = await until(
    'the grant opens the path',
    (r) => r === 'open',
    () => connect(client, server.ip, 8443, 'TCP'),
    30_000,
  );
  assert.ok(opened < deadline, 'open inside the window');
  const held = holdConnection(client, server.ip, 8443);
  try {
    await waitFor('the held connection echoes', async () => held.echoes.length > 0, {
      timeoutMs: 10_000,
      intervalMs: 100,
      describe: () => held.errors.join(' '),
    });
    const closed = await until(
      'refused after validUntil',
      (r) => r !== 'open',
      () => connect(client, server.ip, 8443, 'TCP', 500),
      deadline - Date.now() + 30_000,
    );
    console.log(`      grant: a new connection was refused ${closed - deadline} ms after validUntil (first failing attempt started at most ~600 ms earlier)`);
    assert.ok(closed >= deadline, `refused ${deadline - closed} ms before validUntil`);
    assert.is(await connect(client, server.ip, 8443, 'TCP'), 'timeout', 'stays refused');
    await sleep(3000);
    const after = held.echoes.filter((t) => t > closed + 1000).length;
    console.log(
      `      grant: the connection established before validUntil ${after > 0 ? `kept flowing (${after} echoes in the 2 s after new ones were refused)` : 'stopped when the window closed'}`,
    );
  } finally {
    held.stop();
  }
}, 240_000);

test('two-party links: one side refused; both open on the ports both name only; one side withdrawn refused', async (ctx) => {
  const [a, b] = await onboard(ctx, [
    { hint: 'pklinka', workspaces: ['app'] },
    { hint: 'pklinkb', workspaces: ['db'] },
  ]);
  const hanoi = clusterOf(ctx.clusters, 'dc-hanoi');
  const server = await realPod(hanoi, `${b}-db`, 'db', {
    ports: [
      { port: 5432, protocol: 'TCP' },
      { port: 6000, protocol: 'TCP' },
      { port: 5353, protocol: 'UDP' },
    ],
  });
  const client = await realPod(hanoi, `${a}-app`, 'client', {});
  const link = (
    owner: string,
    name: string,
    direction: 'Egress' | 'Ingress',
    peer: string,
    peerWorkspace: string,
    workspace: string,
    ports: { protocol: string; port: number }[],
  ): Obj => ({
    apiVersion: API,
    kind: 'NetworkLink',
    metadata: { name, namespace: `govcloud-${owner}` },
    spec: { workspace, direction, peer: { agency: { name: peer, workspace: peerWorkspace } }, ports },
  });
  const all = async () => ({
    pg: await connect(client, server.ip, 5432, 'TCP'),
    other: await connect(client, server.ip, 6000, 'TCP'),
    dns: await connect(client, server.ip, 5353, 'UDP'),
  });

  await ctx.hub.apply(
    link(a!, 'to-db', 'Egress', b!, 'db', 'app', [
      { protocol: 'TCP', port: 5432 },
      { protocol: 'UDP', port: 5353 },
    ]),
  );
  await waitFor(
    "A's link waits for its peer",
    async () => {
      const l = (await ctx.hub.call('GET', `/apis/${API}/namespaces/govcloud-${a}/networklinks/to-db`)) as Obj;
      return (l.status?.conditions as { type: string; reason: string }[] | undefined)?.some((c) => c.type === 'Progressing' && c.reason === 'WaitingForPeer');
    },
    { timeoutMs: 30_000 },
  );
  assert.equal(await all(), { pg: 'timeout', other: 'timeout', dns: 'timeout' }, 'one side declared: nothing opens');

  await ctx.hub.apply(
    link(b!, 'from-app', 'Ingress', a!, 'app', 'db', [
      { protocol: 'TCP', port: 5432 },
      { protocol: 'TCP', port: 6000 },
    ]),
  );
  await until(
    'both sides declared: 5432 opens',
    (r) => r === 'open',
    () => connect(client, server.ip, 5432, 'TCP'),
    30_000,
  );
  assert.equal(await all(), { pg: 'open', other: 'timeout', dns: 'timeout' }, 'open on the intersected ports only');

  const withdrawn = Date.now();
  await ctx.hub.call('DELETE', `/apis/${API}/namespaces/govcloud-${b}/networklinks/from-app`);
  const closed = await until(
    'one side withdrawn: refused',
    (r) => r !== 'open',
    () => connect(client, server.ip, 5432, 'TCP', 500),
    30_000,
  );
  console.log(`      link: refused ${closed - withdrawn} ms after one side was deleted`);
  assert.equal(await all(), { pg: 'timeout', other: 'timeout', dns: 'timeout' });
}, 240_000);

test.run();
