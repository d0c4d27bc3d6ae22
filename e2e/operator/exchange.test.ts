// Data exchange between agencies against the real API servers (issue 5): a SharedDataService
// placed in two data centres runs and is Available in both, and leaves a data centre dropped
// from its placement; a NetworkLink between two agencies opens only with both sides' consent,
// on the ports both name, closes when one side withdraws and when its window ends; and
// `govcloud connectivity --kubeconfig` reading the live objects the operator made proves that
// a granted consumer reaches an on-request service, an ungranted one does not, and nothing
// else of another agency reaches the provider's workspace.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { expandCells, type CompactCell } from '../../operator/src/connectivity/report.ts';
import { ownerLabelValue } from '../../operator/src/render/index.ts';
import { ROOT, govcloudBin, kubeconfigPath, waitFor, type Cluster } from '../harness/index.ts';
import {
  agency,
  API,
  closedAfter,
  clusterOf,
  condition,
  get,
  ownedObjects,
  registryService,
  rfc3339,
  uniqueAgency,
  waitCondition,
  type Obj,
} from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: data exchange between agencies');
const run = promisify(execFile);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Port = { protocol?: string; port: number; endPort?: number };

function link(
  owner: string,
  name: string,
  o: { workspace: string; direction: 'Egress' | 'Ingress'; peer: string; peerWorkspace: string; ports: Port[]; validUntil?: number },
): Obj {
  const spec: Record<string, unknown> = {
    workspace: o.workspace,
    direction: o.direction,
    peer: { agency: { name: o.peer, workspace: o.peerWorkspace } },
    ports: o.ports,
  };
  if (o.validUntil !== undefined) spec.validUntil = rfc3339(o.validUntil);
  return { apiVersion: API, kind: 'NetworkLink', metadata: { name, namespace: `govcloud-${owner}` }, spec };
}

type Policy = { metadata: { annotations?: Record<string, string> }; spec: Record<string, any> };

async function policy(cluster: Cluster, namespace: string, name: string): Promise<Policy | undefined> {
  const res = await cluster.request('GET', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/${name}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`${cluster.name}: GET NetworkPolicy ${namespace}/${name} -> ${res.status}`);
  return res.body as Policy;
}

async function deployment(cluster: Cluster, namespace: string, name: string): Promise<{ status?: { availableReplicas?: number } } | undefined> {
  const res = await cluster.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
  return res.status === 200 ? (res.body as { status?: { availableReplicas?: number } }) : undefined;
}

/** Onboards agencies (level 2) and waits until each is Ready. */
async function onboard(ctx: { hub: Cluster; agencies: string[] }, specs: { hint: string; dcs: string[]; workspaces: string[] }[]): Promise<string[]> {
  const names: string[] = [];
  for (const s of specs) {
    const { name, code } = uniqueAgency(s.hint);
    ctx.agencies.push(name);
    names.push(name);
    await ctx.hub.apply(agency(name, code, { dcs: s.dcs, workspaces: s.workspaces }));
  }
  for (const n of names) await waitCondition(ctx.hub, 'Agency', undefined, n, 'Ready', 'True');
  return names;
}

test('a default service placed in dc-hanoi and dc-hcm becomes Available in both; dropping dc-hcm removes it there', async (ctx) => {
  const { hub, clusters } = ctx;
  const [prov] = await onboard(ctx, [{ hint: 'svc2dc', dcs: ['dc-hanoi', 'dc-hcm'], workspaces: ['data', 'app'] }]);
  const provider = prov!;
  const ns = `${provider}-data`;
  const hubNs = `govcloud-${provider}`;
  const owner = ownerLabelValue({ kind: 'SharedDataService', namespace: hubNs, name: 'registry' });
  await hub.apply(registryService(provider, { sharing: 'default', dcs: ['dc-hanoi', 'dc-hcm'], replicas: 2 }));

  // kwok makes the pods Ready: the Deployment is available in both data centres.
  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const c = clusterOf(clusters, dc);
    await waitFor(`${dc}: svc-registry 2/2 available`, async () => (await deployment(c, ns, 'svc-registry'))?.status?.availableReplicas === 2, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  }
  const available = await waitCondition(hub, 'SharedDataService', hubNs, 'registry', 'Ready', 'True');
  assert.is(condition(available, 'Ready')?.reason, 'Available');
  assert.is(available.status.owner, provider);
  assert.equal(available.status.dataCentres, [
    { dataCentre: 'dc-hanoi', availableReplicas: 2, endpoint: `svc-registry.${ns}.svc:8443` },
    { dataCentre: 'dc-hcm', availableReplicas: 2, endpoint: `svc-registry.${ns}.svc:8443` },
  ]);
  assert.ok(available.status.consumers.includes(`${provider}/app`), `consumers: ${available.status.consumers}`);
  assert.not.ok(available.status.consumers.includes(`${provider}/data`), 'the service is not its own consumer');
  const workload = [
    `Deployment ${ns}/svc-registry`,
    `NetworkPolicy ${ns}/govcloud-svc-registry`,
    `PodDisruptionBudget ${ns}/svc-registry`,
    `Service ${ns}/svc-registry`,
    `ServiceAccount ${ns}/svc-registry`,
  ];
  const use = `NetworkPolicy ${provider}-app/govcloud-use-${provider}.registry`;
  // Only the provider's namespaces: on a shared platform other agencies at levels 1-2 are consumers too.
  const mine = async (dc: string) => (await ownedObjects(clusterOf(clusters, dc), owner)).filter((o) => o.split(' ')[1]!.startsWith(`${provider}-`));
  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const have = await mine(dc);
    for (const o of [...workload, use]) assert.ok(have.includes(o), `${dc}: ${o} (have ${have.join(', ')})`);
    // Each data centre's own workspace uses its own instance, by namespace.
    const egress = await policy(clusterOf(clusters, dc), `${provider}-app`, `govcloud-use-${provider}.registry`);
    assert.equal(egress?.spec.egress[0].to[0].namespaceSelector, { matchLabels: { 'kubernetes.io/metadata.name': ns } });
  }

  // Drop dc-hcm: its workload and ingress policy go; hanoi keeps running.
  await hub.apply(registryService(provider, { sharing: 'default', dcs: ['dc-hanoi'], replicas: 2 }));
  const hcm = clusterOf(clusters, 'dc-hcm');
  let left: string[] = [];
  await waitFor(
    'the service gone from dc-hcm',
    async () => {
      left = await mine('dc-hcm');
      return workload.every((o) => !left.includes(o));
    },
    { timeoutMs: 30_000, intervalMs: 250, describe: () => left.join(', ') },
  );
  await waitFor('the Deployment deleted in dc-hcm', async () => (await deployment(hcm, ns, 'svc-registry')) === undefined, {
    timeoutMs: 30_000,
    intervalMs: 250,
  });
  // The provider's level-2 workspace in dc-hcm still uses the service, now in dc-hanoi, by its network ranges.
  assert.equal(left, [use], 'in dc-hcm only the consumer side remains');
  const remote = await waitFor(
    'the dc-hcm consumer policy by range',
    async () => {
      const p = await policy(hcm, `${provider}-app`, `govcloud-use-${provider}.registry`);
      return p?.spec.egress[0].to.some((t: { ipBlock?: unknown }) => t.ipBlock) ? p : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 250 },
  );
  assert.equal(remote.spec.egress[0].to, [{ ipBlock: { cidr: '10.10.0.0/16' } }, { ipBlock: { cidr: 'fd00:10::/48' } }]);
  const hanoiHave = await mine('dc-hanoi');
  for (const o of workload) assert.ok(hanoiHave.includes(o), `dc-hanoi keeps ${o}`);
  const moved = await waitFor(
    'status: dc-hanoi only',
    async () => {
      const o = await get(hub, 'SharedDataService', hubNs, 'registry');
      return o?.status?.observedGeneration === o?.metadata?.generation && o?.status?.dataCentres?.length === 1 ? o : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 250 },
  );
  assert.equal(moved.status.dataCentres, [{ dataCentre: 'dc-hanoi', availableReplicas: 2, endpoint: `svc-registry.${ns}.svc:8443` }]);
  assert.is(condition(moved, 'Ready')?.status, 'True');
});

test('a link between two agencies: pending consent, active on both sides with the common ports, closed when one side withdraws or its window ends', async (ctx) => {
  const { hub, clusters } = ctx;
  // A is in dc-hanoi and dc-hcm, B only in dc-hanoi: the link opens in dc-hanoi only.
  const [a, b] = await onboard(ctx, [
    { hint: 'linka', dcs: ['dc-hanoi', 'dc-hcm'], workspaces: ['app'] },
    { hint: 'linkb', dcs: ['dc-hanoi'], workspaces: ['api'] },
  ]);
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const hcm = clusterOf(clusters, 'dc-hcm');
  const aNs = `${a}-app`;
  const bNs = `${b}-api`;
  const egress = link(a!, 'to-b', {
    workspace: 'app',
    direction: 'Egress',
    peer: b!,
    peerWorkspace: 'api',
    ports: [{ port: 443 }, { port: 8000, endPort: 8100 }],
  });
  const ingress = (validUntil?: number) =>
    link(b!, 'from-a', {
      workspace: 'api',
      direction: 'Ingress',
      peer: a!,
      peerWorkspace: 'app',
      ports: [{ port: 443 }, { port: 8080 }, { port: 9000 }],
      ...(validUntil ? { validUntil } : {}),
    });
  const linkOf = (owner: string, name: string) => get(hub, 'NetworkLink', `govcloud-${owner}`, name);

  // A alone: pending B's consent, nothing opened.
  await hub.apply(egress);
  const pending = await waitCondition(hub, 'NetworkLink', `govcloud-${a}`, 'to-b', 'Progressing', 'True');
  assert.is(pending.status.active, false);
  assert.is(pending.status.agency, a);
  assert.is(condition(pending, 'Progressing')?.reason, 'WaitingForPeer');
  assert.match(condition(pending, 'Progressing')!.message, `agency ${b} declares no Ingress link for workspace api`);
  assert.is(condition(pending, 'Ready')?.status, 'False');
  await sleep(1000);
  assert.is(await policy(hanoi, aNs, 'govcloud-link-to-b'), undefined, 'no consent: no policy');

  // B consents: both active, a policy at each end with the ports both name.
  let t = Date.now();
  await hub.apply(ingress());
  const ends = await waitFor(
    'both policies',
    async () => {
      const out = await policy(hanoi, aNs, 'govcloud-link-to-b');
      const inn = await policy(hanoi, bNs, 'govcloud-link-from-a');
      return out && inn ? { out, inn } : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  console.log(`      both ends open ${Date.now() - t} ms after consent`);
  const common = [
    { protocol: 'TCP', port: 443 },
    { protocol: 'TCP', port: 8080 },
  ];
  assert.equal(ends.out.spec.policyTypes, ['Egress']);
  assert.equal(ends.out.spec.podSelector, {});
  assert.equal(ends.out.spec.egress, [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': bNs } } }], ports: common }]);
  assert.equal(ends.inn.spec.policyTypes, ['Ingress']);
  assert.equal(ends.inn.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': aNs } } }], ports: common }]);
  for (const [owner, name] of [
    [a!, 'to-b'],
    [b!, 'from-a'],
  ] as const) {
    const l = await waitCondition(hub, 'NetworkLink', `govcloud-${owner}`, name, 'Ready', 'True');
    assert.is(l.status.active, true, `${name} active`);
    assert.is(condition(l, 'Ready')?.reason, 'Active');
    assert.equal(l.status.dataCentres, ['dc-hanoi'], `${name}: only where both workspaces are`);
  }
  assert.is(await policy(hcm, aNs, 'govcloud-link-to-b'), undefined, 'not in dc-hcm, where B is not');

  // B withdraws: A's link is pending again and both policies go.
  t = Date.now();
  await hub.call('DELETE', `/apis/govcloud.dev/v1alpha1/namespaces/govcloud-${b}/networklinks/from-a`);
  await waitFor('both policies gone', async () => !(await policy(hanoi, aNs, 'govcloud-link-to-b')) && !(await policy(hanoi, bNs, 'govcloud-link-from-a')), {
    timeoutMs: 15_000,
    intervalMs: 100,
  });
  console.log(`      both ends closed ${Date.now() - t} ms after withdrawal`);
  const withdrawn = await waitFor(
    'A inactive',
    async () => {
      const l = await linkOf(a!, 'to-b');
      return l?.status?.active === false && condition(l, 'Progressing')?.reason === 'WaitingForPeer' ? l : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  assert.is(condition(withdrawn, 'Ready')?.status, 'False');
  const events = (await hub.call('GET', `/apis/events.k8s.io/v1/namespaces/govcloud-${a}/events`)) as { items: { reason: string }[] };
  const reasons = events.items.map((e) => e.reason);
  assert.ok(reasons.includes('Activated') && reasons.includes('Deactivated'), reasons.join(', '));

  // B consents for ~10 s: open, then closed on time at both ends.
  const until = Date.now() + 10_000;
  await hub.apply(ingress(until));
  const timed = await waitFor(
    'both policies again',
    async () => {
      const out = await policy(hanoi, aNs, 'govcloud-link-to-b');
      return out && (await policy(hanoi, bNs, 'govcloud-link-from-a')) ? out : undefined;
    },
    { timeoutMs: 8_000, intervalMs: 100 },
  );
  const deadline = Math.floor(until / 1000) * 1000;
  // A's policy lasts as long as B's consent.
  assert.is(timed.metadata.annotations?.['govcloud.dev/valid-until'], new Date(deadline).toISOString());
  const delay = await closedAfter(
    'the link at both ends',
    deadline,
    async () => (await policy(hanoi, aNs, 'govcloud-link-to-b')) !== undefined || (await policy(hanoi, bNs, 'govcloud-link-from-a')) !== undefined,
  );
  console.log(`      link closed ${delay} ms after validUntil`);
  const expired = await waitFor(
    'B expired',
    async () => {
      const l = await linkOf(b!, 'from-a');
      return condition(l, 'Ready')?.reason === 'Expired' ? l : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
  assert.is(expired.status.active, false);
  const aAfter = await waitFor(
    'A inactive after B expired',
    async () => {
      const l = await linkOf(a!, 'to-b');
      return l?.status?.active === false ? l : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
  assert.is(condition(aAfter, 'Ready')?.reason, 'PeerOutsideWindow');
});

// What `govcloud connectivity --output json` prints (the parts read here).
type Source = { kind: string; namespace?: string; pods?: string[] };
type Destination = { kind: string; namespace?: string; name?: string; port?: number | '*' };
type Cell = { source: Source; destination: Destination; verdict: string; policies: { egress: { isolatedBy: string[] }; ingress: { isolatedBy: string[] } } };
type Side = { isolatedBy: string[]; allowedBy: { policy: string; rule: number }[] };
// --detail: cells aggregated, each standing for the sources and destinations it lists (expandCells).
type Report = { matrices: { dataCentre: string | null; sources: Source[]; destinations: Destination[]; cells: CompactCell[] }[] };

test('govcloud connectivity on the live dc-hanoi: the granted consumer reaches the on-request service, the ungranted one and everything else of other agencies do not', async (ctx) => {
  const { hub, clusters } = ctx;
  const [provider, granted, ungranted] = await onboard(ctx, [
    { hint: 'exprov', dcs: ['dc-hanoi'], workspaces: ['data'] },
    { hint: 'exgrant', dcs: ['dc-hanoi'], workspaces: ['app'] },
    { hint: 'exnogrant', dcs: ['dc-hanoi'], workspaces: ['app'] },
  ]);
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const data = `${provider}-data`;
  const ok = `${granted}-app`;
  const denied = `${ungranted}-app`;
  await hub.apply(registryService(provider!, { sharing: 'onRequest', dcs: ['dc-hanoi'], replicas: 1 }));
  // Both consumers ask; only one is granted.
  for (const consumer of [granted!, ungranted!]) {
    await hub.apply({
      apiVersion: API,
      kind: 'AccessRequest',
      metadata: { name: 'registry', namespace: `govcloud-${consumer}` },
      spec: { provider, service: 'registry', workspaces: ['app'], purpose: 'Tra cứu đăng ký (e2e)', legalBasis: 'Nghị định 47/2024/NĐ-CP' },
    });
  }
  await hub.apply({
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: `for-${granted}`, namespace: `govcloud-${provider}` },
    spec: {
      service: 'registry',
      consumer: granted,
      purpose: 'Tra cứu đăng ký (e2e)',
      legalBasis: 'Nghị định 47/2024/NĐ-CP',
      validUntil: rfc3339(Date.now() + 3_600_000),
    },
  });
  // Beside the service, the provider's workspace runs a database no Service exposes.
  await hanoi.call('POST', `/api/v1/namespaces/${data}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db', labels: { app: 'db' } },
    spec: {
      containers: [
        {
          name: 'db',
          image: 'registry.govcloud.local/e2e/db:1.0',
          ports: [{ name: 'postgres', containerPort: 5432 }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  });

  await waitFor('svc-registry available', async () => (await deployment(hanoi, data, 'svc-registry'))?.status?.availableReplicas === 1, {
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  await waitFor('the granted consumer policy', async () => (await policy(hanoi, ok, `govcloud-use-${provider}.registry`)) !== undefined, {
    timeoutMs: 15_000,
    intervalMs: 200,
  });
  const refused = await waitCondition(hub, 'AccessRequest', `govcloud-${ungranted}`, 'registry', 'Progressing', 'True');
  assert.is(condition(refused, 'Progressing')?.reason, 'WaitingForGrant');
  await waitCondition(hub, 'SharedDataService', `govcloud-${provider}`, 'registry', 'Ready', 'True');
  assert.is(await policy(hanoi, denied, `govcloud-use-${provider}.registry`), undefined, 'no grant: no consumer policy');

  // The CLI as an operator would run it, reading the live objects of dc-hanoi.
  const connectivity = async (extra: string[] = []) => {
    const args = [govcloudBin(), 'connectivity', '--kubeconfig', kubeconfigPath(), '--context', hanoi.name, '--output', 'json', '--detail', ...extra];
    const { stdout, stderr } = await run(process.execPath, args, { cwd: ROOT, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    // A warning would be an object of the API server this reader cannot read.
    assert.is(stderr, '', 'no warning');
    return stdout;
  };
  const t = Date.now();
  const report = JSON.parse(await connectivity()) as Report;
  console.log(`      govcloud connectivity read dc-hanoi in ${Date.now() - t} ms`);
  assert.is(report.matrices.length, 1);
  const m = { ...report.matrices[0]!, cells: expandCells(report.matrices[0]!) as Cell[] };
  assert.is(m.dataCentre, null, 'a live cluster is one view');
  const cell = (src: string, dst: (d: Destination) => boolean) => {
    const found = m.cells.filter((c) => c.source.kind === 'Namespace' && c.source.namespace === src && dst(c.destination));
    assert.is(found.length, 1, `one cell ${src} -> ?, found ${found.length}`);
    return found[0]!;
  };
  const isService = (d: Destination) => d.kind === 'Service' && d.namespace === data && d.name === 'svc-registry' && d.port === 8443;
  const isDb = (d: Destination) => d.kind === 'Pod' && d.namespace === data && d.name === 'db' && d.port === 5432;
  // The live objects are what the matrix stands on: the service's pod and the database are seen.
  const svcDest = m.destinations.find(isService) as (Destination & { pods: string[] }) | undefined;
  assert.ok(svcDest, 'the Service svc-registry:8443 is a destination');
  assert.is(svcDest.pods.length, 1, 'through its one pod');
  assert.ok(m.destinations.some(isDb), 'the database pod is a destination');

  const allowed = cell(ok, isService);
  assert.is(allowed.verdict, 'allowed', JSON.stringify(allowed));
  assert.is(cell(denied, isService).verdict, 'denied');
  assert.ok(cell(denied, isService).policies.egress.isolatedBy.includes(`${denied}/govcloud-default-deny`));
  assert.is(cell(ok, isDb).verdict, 'denied', 'the grant opens the service port, nothing else');
  assert.is(cell(data, isService).verdict, 'allowed', 'the provider reaches its own service');

  // Every namespace but the provider's own reaches the provider's workspace only through the
  // service, and only the granted consumer does.
  const reaching = m.cells
    .filter(
      (c) =>
        c.source.kind === 'Namespace' &&
        c.source.namespace !== data &&
        c.destination.namespace === data &&
        c.verdict !== 'denied' &&
        c.verdict !== 'no-endpoints',
    )
    .map((c) => `${c.source.namespace} -> ${c.destination.kind} ${c.destination.name}:${c.destination.port} ${c.verdict}`);
  assert.equal(reaching, [`${ok} -> Service svc-registry:8443 allowed`]);
  const sources = new Set(m.cells.map((c) => c.source.namespace));
  for (const ns of [ok, denied, data, `govcloud-${provider}`, 'kube-system']) assert.ok(sources.has(ns), `${ns} is a source`);

  // --explain names the policies that decide, at both ends.
  const why = await connectivity(['--explain', ok, `${data}/svc-registry`, '--port', '8443']);
  const explained = (
    JSON.parse(why) as { explanations: { pairs: { destination: { name: string }; ports: { verdict: string; egress: Side; ingress: Side }[] }[] }[] }
  ).explanations;
  assert.is(explained.length, 1);
  const pairs = explained[0]!.pairs;
  assert.is(pairs.length, 1, 'one pod behind the Service');
  assert.match(pairs[0]!.destination.name, /^svc-registry-/);
  const [p] = pairs[0]!.ports;
  assert.is(p?.verdict, 'allowed');
  assert.equal(
    p!.egress.allowedBy.map((r) => r.policy),
    [`${ok}/govcloud-use-${provider}.registry`],
  );
  assert.equal(
    p!.ingress.allowedBy.map((r) => r.policy),
    [`${data}/govcloud-svc-registry`],
  );
});

test.run();
