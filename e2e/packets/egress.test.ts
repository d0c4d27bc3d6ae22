// Real packets to addresses: internet egress by security level, the 0.0.0.0/0 NetworkLink
// attack, what the enforcer does with an ipBlock that covers pod addresses (Kubernetes leaves
// it to the implementation; `govcloud connectivity` assumes never), and default sharing across
// data centres with its fail-closed cases. "The internet" is a network namespace this test
// creates behind the platform's router, at 203.0.113.10: outside every declared range.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { ROOT, waitFor, type Cluster } from '../harness/index.ts';
import { API, clusterOf, registryService, rfc3339, uniqueAgency, waitCondition, type Obj } from '../operator/platform.ts';
import { operatorSuite, type OperatorContext } from '../operator/suite.ts';
import { connect, realPod, until, type RealPod } from './pods.ts';

const test = operatorSuite('real packets: internet egress, the 0.0.0.0/0 attack, ipBlock and pods, across data centres');
const run = promisify(execFile);
const INTERNET = '203.0.113.10';

/** The internet stand-in: a namespace routed from the platform's router, with a server on 443/TCP and 53/UDP. */
class Internet {
  private server: ChildProcess | undefined;
  readonly ns: string;
  private readonly router: string;
  constructor(ns: string, router: string) {
    this.ns = ns;
    this.router = router;
  }

  static async start(anyPod: RealPod): Promise<Internet> {
    // Pod namespaces are `<prefix>-<cluster>-<uid>`; the router is `<prefix>-router`.
    const prefix = anyPod.netns.split('-')[0]!;
    const net = new Internet(`${prefix}-internet-${randomBytes(2).toString('hex')}`, `${prefix}-router`);
    const ip = (...args: string[]) => run('ip', args);
    const veth = `inet${net.ns.slice(-4)}`;
    await ip('netns', 'add', net.ns);
    await ip('-n', net.ns, 'link', 'set', 'lo', 'up');
    await ip('-n', net.ns, 'addr', 'add', `${INTERNET}/32`, 'dev', 'lo');
    await ip('-n', net.router, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', net.ns);
    await ip('-n', net.router, 'addr', 'add', '169.254.200.1/30', 'dev', veth);
    await ip('-n', net.ns, 'addr', 'add', '169.254.200.2/30', 'dev', 'uplink');
    await ip('-n', net.router, 'link', 'set', veth, 'up');
    await ip('-n', net.ns, 'link', 'set', 'uplink', 'up');
    await ip('-n', net.ns, 'route', 'add', 'default', 'via', '169.254.200.1', 'src', INTERNET);
    await ip('-n', net.router, 'route', 'add', `${INTERNET}/32`, 'via', '169.254.200.2');
    net.server = spawn(
      'ip',
      [
        'netns',
        'exec',
        net.ns,
        process.execPath,
        path.join(ROOT, 'e2e', 'platform', 'real-node', 'serve.ts'),
        '--name',
        'internet',
        '--tcp',
        '443',
        '--udp',
        '53',
      ],
      { stdio: 'ignore' },
    );
    await waitFor('the internet stand-in listens', async () => (await connect({ netns: net.ns }, INTERNET, 443, 'TCP')) === 'open', {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
    return net;
  }

  async stop(): Promise<void> {
    this.server?.kill('SIGKILL');
    // Deleting the namespace removes its veth pair (the router's end too) and the route with it.
    await run('ip', ['netns', 'del', this.ns]).catch(() => undefined);
  }
}

function levelAgency(name: string, code: string, level: number, dcs: string[], workspace: { name: string; internetEgress?: string[] }): Obj {
  return {
    apiVersion: API,
    kind: 'Agency',
    metadata: { name },
    spec: {
      code,
      displayName: `Cơ quan cấp độ ${level} (kiểm thử gói tin)`,
      type: 'provincialDepartment',
      groups: { admins: [`${name}-admins`] },
      securityLevel: level,
      placement: { dataCentres: dcs },
      quotas: dcs.map((dataCentre) => ({ dataCentre, cpu: '4', memory: '8Gi', storage: '20Gi' })),
      workspaces: [{ dataClass: 'shared', ...workspace }],
      deletionPolicy: 'Delete',
    },
  };
}

async function onboard(
  ctx: OperatorContext,
  agencies: { hint: string; level: number; dcs: string[]; workspace: { name: string; internetEgress?: string[] } }[],
): Promise<string[]> {
  const names: string[] = [];
  for (const a of agencies) {
    const { name, code } = uniqueAgency(a.hint);
    ctx.agencies.push(name);
    names.push(name);
    await ctx.hub.apply(levelAgency(name, code, a.level, a.dcs, a.workspace));
  }
  for (const n of names) await waitCondition(ctx.hub, 'Agency', undefined, n, 'Ready', 'True');
  return names;
}

/** A namespace of no agency, without policies: what a pod reaches when nothing but the source's egress decides. */
async function bystander(cluster: Cluster): Promise<{ ns: string; pod: RealPod }> {
  const ns = `pk-bystander-${randomBytes(3).toString('hex')}`;
  await cluster.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return { ns, pod: await realPod(cluster, ns, 'echo', { ports: [{ port: 8080, protocol: 'TCP' }], unjudged: true }) };
}

test('internet egress: level 2 reaches its allow-list and no pod through it, level 3 nothing, and the 0.0.0.0/0 link is refused', async (ctx) => {
  const [l2, l3] = await onboard(ctx, [
    { hint: 'pkinet2', level: 2, dcs: ['dc-hanoi'], workspace: { name: 'web', internetEgress: ['0.0.0.0/0'] } },
    { hint: 'pkinet3', level: 3, dcs: ['dc-hanoi'], workspace: { name: 'app' } },
  ]);
  const hanoi = clusterOf(ctx.clusters, 'dc-hanoi');
  const web = await realPod(hanoi, `${l2}-web`, 'client');
  const app = await realPod(hanoi, `${l3}-app`, 'client');
  const other = await bystander(hanoi);
  const internet = await Internet.start(web);
  try {
    // The broadest internet egress a level-2 agency may declare: the internet, never a pod.
    await until(
      'level 2 reaches the internet',
      (r) => r === 'open',
      () => connect(web, INTERNET, 443, 'TCP'),
      30_000,
    );
    assert.is(await connect(web, INTERNET, 53, 'UDP'), 'open', 'level 2: UDP to the internet');
    assert.is(
      await connect(web, other.pod.ip, 8080, 'TCP'),
      'timeout',
      'level 2: its 0.0.0.0/0 internet egress reaches no pod (the rendered except holds under any reading of ipBlock)',
    );
    assert.is(await connect(app, INTERNET, 443, 'TCP'), 'timeout', 'level 3: no internet (TCP)');
    assert.is(await connect(app, INTERNET, 53, 'UDP'), 'timeout', 'level 3: no internet (UDP)');
    assert.is(await connect(app, other.pod.ip, 8080, 'TCP'), 'timeout', 'level 3: no pod of another namespace');

    // The attack of the tenant-hardening issue: a link to "an external network" 0.0.0.0/0.
    const tenant = ctx.hub.as(`can-bo@${l3}.gov.vn`, [`${l3}-admins`]);
    const attack = await tenant.request('POST', `/apis/${API}/namespaces/govcloud-${l3}/networklinks`, {
      apiVersion: API,
      kind: 'NetworkLink',
      metadata: { name: 'whole-internet', namespace: `govcloud-${l3}` },
      spec: {
        workspace: 'app',
        direction: 'Egress',
        peer: { external: { network: 'agencyWAN', cidrs: ['0.0.0.0/0'] } },
        ports: [{ port: 1, endPort: 65535 }],
        encrypted: true,
        validUntil: rfc3339(Date.now() + 3600_000),
      },
    });
    assert.ok(attack.status >= 400 && attack.status < 500, `the 0.0.0.0/0 link is refused (got ${attack.status})`);
    assert.is(await connect(app, INTERNET, 443, 'TCP'), 'timeout', 'level 3 after the attack: still no internet');
    assert.is(await connect(app, other.pod.ip, 8080, 'TCP'), 'timeout', 'level 3 after the attack: still no pod');
  } finally {
    await internet.stop();
    await hanoi.request('DELETE', `/api/v1/namespaces/${other.ns}`);
  }
}, 240_000);

test('ipBlock and pod addresses: what kube-network-policies does, and that no tenant field depends on it', async (ctx) => {
  const hanoi = clusterOf(ctx.clusters, 'dc-hanoi');
  const target = await bystander(hanoi);
  const ns = `pk-ipblock-${randomBytes(3).toString('hex')}`;
  await hanoi.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  try {
    const client = await realPod(hanoi, ns, 'client', { unjudged: true });
    // Egress only to the real node's pod range, as an ipBlock: does it admit a pod there?
    await hanoi.call('POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'only-ipblock' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${target.pod.ip.split('.').slice(0, 3).join('.')}.0/24` } }] }] },
    });
    await hanoi.call('POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-egress' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    });
    // Once the policies are in force the answer is stable; the first answers may predate them.
    await waitFor('the policies in force', async () => (await connect(client, '169.254.1.1', 1, 'TCP', 300)) !== 'refused', {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
    const result = await connect(client, target.pod.ip, 8080, 'TCP');
    console.log(
      `      kube-network-policies v1.1.1: an ipBlock covering a pod's address ${result === 'open' ? 'DOES' : 'does NOT'} admit that pod (${result})`,
    );
    // The reading this platform's claims must survive: ipBlocks match pods here.
    assert.is(result, 'open', 'kube-network-policies matches ipBlocks against pod addresses (the more open reading)');
  } finally {
    await hanoi.request('DELETE', `/api/v1/namespaces/${ns}`);
    await hanoi.request('DELETE', `/api/v1/namespaces/${target.ns}`);
  }
}, 120_000);

test('default sharing across data centres: levels 1-2 reach it by range, level 3 and on-request services fail closed', async (ctx) => {
  const [provider, c2, c3] = await onboard(ctx, [
    { hint: 'pkxprov', level: 2, dcs: ['dc-hcm'], workspace: { name: 'data' } },
    { hint: 'pkxc2', level: 2, dcs: ['dc-hanoi'], workspace: { name: 'app' } },
    { hint: 'pkxc3', level: 3, dcs: ['dc-hanoi'], workspace: { name: 'app' } },
  ]);
  const hanoi = clusterOf(ctx.clusters, 'dc-hanoi');
  const hcm = clusterOf(ctx.clusters, 'dc-hcm');
  await ctx.hub.apply(registryService(provider!, { sharing: 'default', dcs: ['dc-hcm'], replicas: 1 }));
  // Level 3 declares what it uses; across data centres it still gets nothing.
  await ctx.hub.apply({
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'registry', namespace: `govcloud-${c3}` },
    spec: { provider, service: 'registry', workspaces: ['app'], purpose: 'Kiểm thử', legalBasis: 'Kiểm thử', validUntil: rfc3339(Date.now() + 3600_000) },
  } as Obj);
  // An on-request service beside it, requested and granted: a grant never crosses data centres.
  const onRequest = registryService(provider!, { sharing: 'onRequest', dcs: ['dc-hcm'], replicas: 1 });
  onRequest.metadata!.name = 'ledger';
  onRequest.spec = { ...onRequest.spec, serviceCode: `ledger-${provider}`, port: 9443 };
  await ctx.hub.apply(onRequest);
  const window = { purpose: 'Kiểm thử', legalBasis: 'Kiểm thử', validUntil: rfc3339(Date.now() + 3600_000) };
  await ctx.hub.apply({
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'ledger', namespace: `govcloud-${c2}` },
    spec: { provider, service: 'ledger', workspaces: ['app'], ...window },
  } as Obj);
  const grant = await ctx.hub.request('POST', `/apis/${API}/namespaces/govcloud-${provider}/accessgrants`, {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'c2', namespace: `govcloud-${provider}` },
    spec: { service: 'ledger', consumer: c2, workspaces: ['app'], ...window },
  });
  console.log(`      a grant across data centres: the hub answered ${grant.status}`);
  const labelsOf = (name: string) =>
    waitFor(
      `the ${name} Deployment in dc-hcm`,
      async () => {
        const list = (await hcm.call('GET', `/apis/apps/v1/namespaces/${provider}-data/deployments`)) as {
          items: { metadata: { name: string }; spec: { template: { metadata: { labels: Record<string, string> } } } }[];
        };
        return list.items.find((d) => d.metadata.name.includes(name))?.spec.template.metadata.labels;
      },
      { timeoutMs: 60_000 },
    );
  const server = await realPod(hcm, `${provider}-data`, 'registry-stand-in', { labels: await labelsOf('registry'), ports: [{ port: 8443, protocol: 'TCP' }] });
  const ledger = await realPod(hcm, `${provider}-data`, 'ledger-stand-in', { labels: await labelsOf('ledger'), ports: [{ port: 9443, protocol: 'TCP' }] });
  const from2 = await realPod(hanoi, `${c2}-app`, 'client');
  const from3 = await realPod(hanoi, `${c3}-app`, 'client');
  await until(
    'level 2 in dc-hanoi reaches the default service in dc-hcm',
    (r) => r === 'open',
    () => connect(from2, server.ip, 8443, 'TCP'),
    30_000,
  );
  assert.is(await connect(from3, server.ip, 8443, 'TCP'), 'timeout', 'level 3 never across data centres, even with its request');
  assert.is(await connect(from2, server.ip, 9999, 'TCP'), 'timeout', 'only the service port');
  if (grant.status < 300) {
    const refused = await waitCondition(ctx.hub, 'AccessGrant', `govcloud-${provider}`, 'c2', 'Ready', 'False');
    console.log(`      the grant is not Ready: ${(refused.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready')?.reason}`);
  }
  assert.is(await connect(from2, ledger.ip, 9443, 'TCP'), 'timeout', 'an on-request service granted across data centres stays closed');
}, 240_000);

test.run();
