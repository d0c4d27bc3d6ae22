/**
 * `govcloud connectivity --probe`: pair selection, the probe pods' specs (restricted Pod
 * Security), the in-pod programs on real loopback sockets, report parsing, bounded
 * concurrency and cleanup against a simulated kubelet, and the command's exit codes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { connectivityCommand } from '../../src/cli/commands/connectivity.ts';
import { DEFAULT_PROBE_IMAGE, EXIT_MISMATCH } from '../../src/cli/commands/connectivity-probe.ts';
import { captureIo } from '../../src/cli/io.ts';
import { formatReport, parseReport, parseTargetSpec, probeTargets, runClient, serve, type Outcome } from '../../src/connectivity/probe/agent.ts';
import { compare } from '../../src/connectivity/probe/compare.ts';
import { ownedByNamespace, podState } from '../../src/connectivity/probe/kube.ts';
import { MAX_TARGETS_PER_CLIENT, PROBE_LABEL, planProbe, type ProbePlan } from '../../src/connectivity/probe/plan.ts';
import { clientPod, NEVER_READY_GATE, serverPod, type PodManifest, type PodPlacement } from '../../src/connectivity/probe/pods.ts';
import { bounded, runProbe, type PodState, type ProbeApi } from '../../src/connectivity/probe/run.ts';
import { plainView } from '../../src/connectivity/view.ts';
import { deployment, namespace, pod, policy, service } from './fixtures.ts';

const RUN = 'abc123';

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.match(err instanceof Error ? err.message : String(err), pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

/**
 * shop/frontend may reach payments/api on 443 (TCP, target 8443) only; payments/dns answers
 * 53/UDP to everyone; monitoring has no pods; kube-system is left out by default.
 */
function objects(): unknown[] {
  return [
    namespace('shop'),
    namespace('payments'),
    namespace('monitoring'),
    namespace('kube-system'),
    deployment('shop/frontend', { app: 'frontend' }, [8080]),
    service('shop/frontend', { app: 'frontend' }, [{ port: 80, targetPort: 8080 }]),
    deployment('payments/api', { app: 'api' }, [[8443, 'https']]),
    service('payments/api', { app: 'api' }, [{ port: 443, targetPort: 'https' }]),
    pod('payments/dns', { app: 'dns' }, [
      [53, 'dns', 'UDP'],
      [5000, 'sctp', 'SCTP'],
    ]),
    pod('kube-system/coredns', { k8s: 'dns' }, [[53, 'dns', 'UDP']]),
    policy('payments/deny', { podSelector: {} }),
    policy('payments/allow-api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'frontend' } } }],
          ports: [{ port: 'https' }],
        },
      ],
    }),
    policy('payments/allow-dns', { podSelector: { matchLabels: { app: 'dns' } }, ingress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
  ];
}

function view() {
  const v = plainView(objects().map((value) => ({ value, source: { file: 't.yaml', line: 1 } })));
  assert.equal(v.inventory.problems, []);
  return v;
}

const key = (p: { source: string; destination: string; port: string }) => `${p.source} → ${p.destination} ${p.port}`;

test('plan: every pair predicted open, a sample of closed ones per source, kube-* left out', () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 1, parallel: 4 });
  const open = plan.pairs
    .filter((p) => p.predicted === 'open')
    .map(key)
    .sort();
  assert.equal(open, [
    'monitoring → payments/dns (Pod) 53/UDP (dns)',
    'monitoring → shop/frontend (Service) 80/TCP → 8080',
    'payments → payments/dns (Pod) 53/UDP (dns)',
    'payments → shop/frontend (Service) 80/TCP → 8080',
    'shop → payments/api (Service) 443/TCP → https',
    'shop → payments/dns (Pod) 53/UDP (dns)',
    'shop → shop/frontend (Service) 80/TCP → 8080',
  ]);
  // shop reaches every destination: it has no closed pair to sample.
  for (const [source, closed] of [
    ['monitoring', 1],
    ['payments', 1],
    ['shop', 0],
  ] as const) {
    assert.is(plan.pairs.filter((p) => p.source === source && p.predicted === 'closed').length, closed, `closed pairs sampled from ${source}`);
  }
  assert.not.ok(plan.pairs.some((p) => p.source.startsWith('kube-') || p.destination.startsWith('kube-')));
  assert.ok(
    plan.skipped.some((s) => s.includes('SCTP')),
    'SCTP is reported as skipped',
  );
  // The api's named target port is resolved to the number the server listens on.
  assert.equal(plan.pairs.find((p) => p.destination === 'payments/api (Service)')?.target, { port: 8443, protocol: 'TCP' });
});

test('plan: the closed sample is deterministic for a run id, and 0 probes only the open pairs', () => {
  const a = planProbe(view().input, { runId: RUN, closedPerSource: 2, parallel: 4 });
  const b = planProbe(view().input, { runId: RUN, closedPerSource: 2, parallel: 4 });
  assert.equal(a.pairs.map(key), b.pairs.map(key));
  const none = planProbe(view().input, { runId: RUN, closedPerSource: 0, parallel: 4 });
  assert.ok(none.pairs.every((p) => p.predicted === 'open'));
});

test('plan: --workspace keeps the pairs between the named workspaces (pods go only there), kube-* only when named', () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 5, parallel: 4, workspaces: ['shop', 'monitoring'] });
  assert.equal(plan.pairs.map(key).sort(), ['monitoring → shop/frontend (Service) 80/TCP → 8080', 'shop → shop/frontend (Service) 80/TCP → 8080']);
  const namespaces = new Set(plan.rounds.flatMap((r) => [...r.servers, ...r.clients].map((p) => p.namespace)));
  assert.equal([...namespaces].sort(), ['monitoring', 'shop']);
  const kube = planProbe(view().input, { runId: RUN, closedPerSource: 5, parallel: 4, workspaces: ['kube-system', 'shop'] });
  assert.ok(kube.pairs.some((p) => p.source === 'shop' && p.destination === 'kube-system/coredns (Pod)'));
});

test('plan: a namespace being deleted gets no probe pod, as source or destination, and is reported skipped', () => {
  const doomed = objects().map((o) => {
    const obj = o as { kind: string; metadata: { name: string; deletionTimestamp?: string } };
    return obj.kind === 'Namespace' && obj.metadata.name === 'payments'
      ? { ...obj, metadata: { ...obj.metadata, deletionTimestamp: '2026-12-06T05:00:00Z' } }
      : o;
  });
  const v = plainView(doomed.map((value) => ({ value, source: { file: 't.yaml', line: 1 } })));
  const plan = planProbe(v.input, { runId: RUN, closedPerSource: 5, parallel: 4 });
  assert.ok(plan.pairs.length > 0, 'the other namespaces are still probed');
  assert.not.ok(
    plan.pairs.some((p) => p.source === 'payments' || p.destination.startsWith('payments/')),
    plan.pairs.map(key).join('\n'),
  );
  const namespaces = new Set(plan.rounds.flatMap((r) => [...r.servers, ...r.clients].map((p) => p.namespace)));
  assert.not.ok(namespaces.has('payments'), 'no probe pod in payments');
  assert.ok(plan.skipped.includes('payments: the namespace is being deleted (no probe pod can start there)'), plan.skipped.join('\n'));
});

test("plan: probe pods carry the stood-in pods' labels plus the run label, and the prediction is for them", () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 3, parallel: 4 });
  const servers = plan.rounds.flatMap((r) => r.servers);
  const api = servers.find((s) => s.standsFor === 'payments/api (Deployment)');
  assert.equal(api?.labels, { app: 'api', [PROBE_LABEL]: RUN });
  assert.equal(api?.ports, [{ port: 8443, protocol: 'TCP' }]);
  const clients = plan.rounds.flatMap((r) => r.clients);
  assert.equal(clients.find((c) => c.namespace === 'shop')?.labels, { app: 'frontend', [PROBE_LABEL]: RUN });
  assert.equal(clients.find((c) => c.namespace === 'monitoring')?.labels, { [PROBE_LABEL]: RUN }, 'a workspace without pods: an unlabelled client');
  // payments' own pods are isolated and allow no payments → api traffic.
  assert.is(plan.pairs.find((p) => p.source === 'payments' && p.destination === 'payments/api (Service)')?.predicted ?? 'closed', 'closed');
});

test('plan: rounds keep servers to half of --parallel; every pair lands in exactly one client', () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 5, parallel: 2 });
  assert.ok(plan.rounds.length >= 2);
  for (const r of plan.rounds) assert.is(r.servers.length, 1);
  const seen = plan.rounds.flatMap((r) => r.clients.flatMap((c) => c.pairs)).sort((a, b) => a - b);
  assert.equal(
    seen,
    plan.pairs.map((_, i) => i),
  );
  for (const r of plan.rounds) {
    const names = new Set(r.servers.map((s) => s.name));
    for (const c of r.clients) for (const i of c.pairs) assert.ok(names.has(plan.pairs[i]?.server as string), "a client only targets its round's servers");
  }
  assert.throws(() => planProbe(view().input, { runId: RUN, closedPerSource: 1, parallel: 1 }), /at least 2/);
});

test('plan: a client never gets more targets than its report can carry', () => {
  const many: unknown[] = [namespace('a'), namespace('b')];
  for (let i = 0; i < 3; i++)
    many.push(
      deployment(
        `b/s${i}`,
        { app: `s${i}` },
        Array.from({ length: 400 }, (_, p) => 1000 + p),
      ),
    );
  const v = plainView(many.map((value) => ({ value, source: { file: 't', line: 1 } })));
  const plan = planProbe(v.input, { runId: RUN, closedPerSource: 0, parallel: 8 });
  const clients = plan.rounds.flatMap((r) => r.clients).filter((c) => c.namespace === 'a');
  assert.is(
    clients.reduce((n, c) => n + c.pairs.length, 0),
    1200,
  );
  assert.ok(clients.every((c) => c.pairs.length <= MAX_TARGETS_PER_CLIENT));
  assert.ok(formatReport(new Array<Outcome>(MAX_TARGETS_PER_CLIENT).fill('timeout')).length <= 4096);
});

/** The restricted Pod Security Standard (v1.30), the checks a probe pod could trip. */
function restrictedViolations(manifest: PodManifest): string[] {
  const spec = manifest.spec as Record<string, any>;
  const v: string[] = [];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push('host namespaces');
  if ((spec.volumes ?? []).some((vol: Record<string, unknown>) => vol.hostPath)) v.push('hostPath');
  const safeSysctls = [
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.ip_unprivileged_port_start',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_keepalive_time',
    'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_keepalive_intvl',
    'net.ipv4.tcp_keepalive_probes',
  ];
  for (const s of spec.securityContext?.sysctls ?? []) if (!safeSysctls.includes(s.name)) v.push(`sysctl ${s.name}`);
  const podRunAsNonRoot = spec.securityContext?.runAsNonRoot === true;
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  if (spec.securityContext?.runAsUser === 0) v.push('runAsUser 0');
  for (const c of spec.containers as Record<string, any>[]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) v.push('privileged');
    if (sc.allowPrivilegeEscalation !== false) v.push('allowPrivilegeEscalation');
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && podRunAsNonRoot))) v.push('runAsNonRoot');
    if (sc.runAsUser === 0) v.push('runAsUser 0');
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push('seccompProfile');
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push('capabilities.drop ALL');
    for (const add of sc.capabilities?.add ?? []) if (add !== 'NET_BIND_SERVICE') v.push(`capability ${add}`);
    if ((c.ports ?? []).some((p: Record<string, unknown>) => p.hostPort)) v.push('hostPort');
  }
  return v;
}

const PLACEMENT: PodPlacement = { image: 'registry.example/govcloud:1', deadlineSeconds: 120, nodeSelector: { 'govcloud.dev/real-node': 'true' } };

test('pods: servers and clients pass the restricted Pod Security Standard, have a deadline and never serve a Service', () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 3, parallel: 8 });
  const server = plan.rounds.flatMap((r) => r.servers).find((s) => s.standsFor.startsWith('payments/dns')) as ProbePlan['rounds'][number]['servers'][number];
  const s = serverPod(server, PLACEMENT);
  assert.equal(restrictedViolations(s), []);
  assert.equal((s.spec.containers as { args: string[] }[])[0]?.args, ['connectivity', '--probe-serve', '53/UDP']);
  assert.equal(s.spec.readinessGates, [{ conditionType: NEVER_READY_GATE }]);
  assert.equal((s.spec.securityContext as { sysctls: unknown }).sysctls, [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }], 'port 53 as non-root');
  assert.is(s.spec.activeDeadlineSeconds, 120);
  assert.equal(s.spec.nodeSelector, { 'govcloud.dev/real-node': 'true' });
  assert.is(s.metadata.labels[PROBE_LABEL], RUN);

  const client = plan.rounds.flatMap((r) => r.clients)[0] as ProbePlan['rounds'][number]['clients'][number];
  const c = clientPod(
    client,
    [
      { ip: '10.1.0.5', port: 443, protocol: 'TCP' },
      { ip: 'fd00::5', port: 53, protocol: 'UDP' },
    ],
    { timeoutMs: 1500, delayMs: 3000 },
    PLACEMENT,
  );
  assert.equal(restrictedViolations(c), []);
  assert.equal((c.spec.containers as { args: string[] }[])[0]?.args, [
    'connectivity',
    '--probe-connect',
    '--probe-timeout',
    '1500',
    '--probe-delay',
    '3000',
    '10.1.0.5:443/TCP',
    '[fd00::5]:53/UDP',
  ]);
  assert.is(c.spec.restartPolicy, 'Never');
  assert.is(c.spec.automountServiceAccountToken, false);
  assert.is((c.spec.securityContext as { sysctls?: unknown }).sysctls, undefined, 'no sysctl when no low port is served');
});

test("the default probe image is the chart's operator image", () => {
  const chart = parse(readFileSync(fileURLToPath(new URL('../../../charts/govcloud-operator/Chart.yaml', import.meta.url)), 'utf8')) as { appVersion: string };
  const values = parse(readFileSync(fileURLToPath(new URL('../../../charts/govcloud-operator/values.yaml', import.meta.url)), 'utf8')) as {
    image: { repository: string };
  };
  assert.is(DEFAULT_PROBE_IMAGE, `${values.image.repository}:${chart.appVersion}`);
});

test('report: one character per target, parsed back; bad reports are named', () => {
  const outcomes: Outcome[] = ['open', 'timeout', 'refused', 'error'];
  const text = formatReport(outcomes);
  assert.is(text, 'govcloud-probe/1 otre');
  assert.equal(parseReport(text + '\n', 4), { ok: true, outcomes });
  assert.equal(parseReport('govcloud-probe/1 ', 0), { ok: true, outcomes: [] });
  assert.match((parseReport(text, 5) as { message: string }).message, /4 results for 5 targets/);
  assert.match((parseReport('govcloud-probe/1 ox', 2) as { message: string }).message, /unknown result "x"/);
  assert.match((parseReport('exec format error', 1) as { message: string }).message, /not a probe report/);
  assert.equal(parseTargetSpec('[fd00::1]:53/udp'), { ip: 'fd00::1', port: 53, protocol: 'UDP' });
  assert.is(parseTargetSpec('10.0.0.1:70000/TCP'), undefined);
});

test('agent: real TCP and UDP on loopback: open, refused, and a UDP server that never answers times out', async () => {
  const free = await new Promise<number[]>((resolve) => {
    const a = createServer().listen(0, '127.0.0.1', () => {
      const b = createServer().listen(0, '127.0.0.1', () => {
        const ports = [(a.address() as AddressInfo).port, (b.address() as AddressInfo).port];
        a.close();
        b.close(() => resolve(ports));
      });
    });
  });
  const [tcp, closed] = free as [number, number];
  const stop = new AbortController();
  await serve(
    [
      { port: tcp, protocol: 'TCP' },
      { port: tcp, protocol: 'UDP' },
    ],
    stop.signal,
  );
  const mute = createSocket('udp4');
  await new Promise<void>((resolve) => mute.bind(0, '127.0.0.1', () => resolve()));
  const mutePort = mute.address().port;
  try {
    const outcomes = await probeTargets(
      [
        { ip: '127.0.0.1', port: tcp, protocol: 'TCP' },
        { ip: '127.0.0.1', port: tcp, protocol: 'UDP' },
        { ip: '127.0.0.1', port: closed, protocol: 'TCP' },
        { ip: '127.0.0.1', port: mutePort, protocol: 'UDP' },
      ],
      300,
      4,
      10,
    );
    assert.equal(outcomes, ['open', 'open', 'refused', 'timeout']);
  } finally {
    stop.abort();
    mute.close();
  }
});

test('agent: the client writes its report where the kubelet (or node agent) reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-probe-'));
  try {
    const report = await runClient([], 100, 0, join(dir, 'termination-log'));
    assert.is(report, 'govcloud-probe/1 ');
    assert.is(readFileSync(join(dir, 'termination-log'), 'utf8'), report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kube: a probe pod is controlled by its namespace, so no workload controller adopts it', () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 0, parallel: 8 });
  const server = serverPod(plan.rounds[0]!.servers[0]!, PLACEMENT);
  const owned = ownedByNamespace(server, 'uid-1');
  assert.equal(owned.metadata.ownerReferences, [
    { apiVersion: 'v1', kind: 'Namespace', name: server.metadata.namespace, uid: 'uid-1', controller: true, blockOwnerDeletion: false },
  ]);
  assert.equal(owned.metadata.labels, server.metadata.labels, 'labels untouched: the policies see the stood-in pod');
});

test("kube: pod state read from a Pod's status", () => {
  assert.equal(podState({}), { phase: 'Pending' });
  assert.equal(
    podState({
      status: { phase: 'Succeeded', podIP: '10.0.0.9', containerStatuses: [{ state: { terminated: { message: 'govcloud-probe/1 o', exitCode: 0 } } }] },
    }),
    { phase: 'Succeeded', podIP: '10.0.0.9', message: 'govcloud-probe/1 o', exitCode: 0 },
  );
  assert.equal(podState({ status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ImageNotRunnableLocally' } } }] } }), {
    phase: 'Pending',
    waitingReason: 'ImageNotRunnableLocally',
  });
});

/**
 * A simulated kubelet and network: servers run and get addresses; a client's report says
 * open where `reachable(server, port)` does. It records how many probe pods were alive at once.
 */
function fakeCluster(
  reachable: (server: string, port: string, role: string, source: string) => boolean,
  faults: { failClientCreate?: boolean; serverWaiting?: string; serverPending?: string } = {},
) {
  const pods = new Map<string, PodManifest>();
  const ips = new Map<string, string>();
  let peak = 0;
  const deleted: string[] = [];
  let onClientCreated: (() => void) | undefined;
  const api: ProbeApi = {
    async createPod(p) {
      await Promise.resolve();
      const isClient = ((p.spec.containers as { args: string[] }[])[0]?.args ?? []).includes('--probe-connect');
      if (isClient && faults.failClientCreate) throw new Error('forbidden: pods is forbidden');
      pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
      if (!isClient) ips.set(`10.9.0.${ips.size + 1}`, p.metadata.name);
      peak = Math.max(peak, pods.size);
      if (isClient) onClientCreated?.();
    },
    async readPod(ns, name): Promise<PodState> {
      await Promise.resolve();
      const p = pods.get(`${ns}/${name}`);
      if (!p) throw new Error(`no pod ${ns}/${name}`);
      const args = (p.spec.containers as { args: string[] }[])[0]?.args ?? [];
      if (!args.includes('--probe-connect')) {
        if (faults.serverWaiting) return { phase: 'Pending', waitingReason: faults.serverWaiting };
        if (faults.serverPending) return { phase: 'Pending', unscheduled: faults.serverPending };
        const ip = [...ips.entries()].find(([, n]) => n === name)?.[0] as string;
        return { phase: 'Running', podIP: ip };
      }
      const outcomes = args.slice(6).map((t): Outcome => {
        const target = parseTargetSpec(t);
        if (!target) throw new Error(`bad target ${t}`);
        const server = ips.get(target.ip) as string;
        const role = [...pods.values()].find((q) => q.metadata.name === server)?.metadata.annotations['govcloud.dev/probe-role'] ?? '';
        return reachable(server, `${target.port}/${target.protocol}`, role, ns) ? 'open' : 'timeout';
      });
      return { phase: 'Succeeded', message: formatReport(outcomes), exitCode: 0 };
    },
    async deletePod(ns, name) {
      pods.delete(`${ns}/${name}`);
    },
    async deleteProbePods(ns, runId) {
      for (const [k, p] of pods) if (p.metadata.namespace === ns && p.metadata.labels[PROBE_LABEL] === runId) pods.delete(k);
      deleted.push(ns);
    },
  };
  return {
    api,
    alive: () => pods.size,
    peak: () => peak,
    deleted,
    onClientCreated: (f: () => void) => (onClientCreated = f),
  };
}

const OPTIONS = { placement: PLACEMENT, connectTimeoutMs: 500, settleMs: 0, pollMs: 1 };

test('run: measured as predicted when the network agrees; at most --parallel pods at once; none left', async () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 5, parallel: 4 });
  const open = new Set(plan.pairs.filter((p) => p.predicted === 'open').map((p) => `${p.source} ${p.server} ${p.target.port}/${p.target.protocol}`));
  const cluster = fakeCluster((server, port, _role, source) => open.has(`${source} ${server} ${port}`));
  const measured = await runProbe(cluster.api, plan, { ...OPTIONS, parallel: 4, signal: new AbortController().signal });
  const c = compare(plan.pairs, measured);
  assert.is(c.mismatches, 0);
  assert.is(c.notProbed, 0);
  assert.is(c.matches, plan.pairs.length);
  assert.ok(cluster.peak() <= 4, `peak ${cluster.peak()} pods`);
  assert.is(cluster.alive(), 0);
});

test('run: a path the enforcer leaves open against the prediction is a mismatch', async () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 5, parallel: 8 });
  const cluster = fakeCluster(() => true);
  const c = compare(plan.pairs, await runProbe(cluster.api, plan, { ...OPTIONS, parallel: 8, signal: new AbortController().signal }));
  const closed = plan.pairs.filter((p) => p.predicted === 'closed').length;
  assert.ok(closed > 0);
  assert.is(c.mismatches, closed);
  assert.ok(c.pairs.filter((p) => p.result === 'mismatch').every((p) => p.predicted === 'closed' && p.measured === 'open'));
});

test('run: a server that cannot start leaves its pairs not probed, with the reason', async () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 1, parallel: 8 });
  const cluster = fakeCluster(() => true, { serverWaiting: 'ImageNotRunnableLocally' });
  const c = compare(plan.pairs, await runProbe(cluster.api, plan, { ...OPTIONS, parallel: 8, signal: new AbortController().signal }));
  assert.is(c.notProbed, plan.pairs.length);
  assert.match(c.pairs[0]?.note ?? '', /ImageNotRunnableLocally/);
  assert.is(cluster.alive(), 0);
});

test('run: a pod that never gets scheduled leaves its pairs not probed after the start limit', async () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 1, parallel: 8 });
  const cluster = fakeCluster(() => true, { serverPending: "0/3 nodes are available: node(s) didn't match Pod's node affinity/selector" });
  const c = compare(plan.pairs, await runProbe(cluster.api, plan, { ...OPTIONS, startTimeoutMs: 20, parallel: 8, signal: new AbortController().signal }));
  assert.is(c.notProbed, plan.pairs.length);
  assert.match(c.pairs[0]?.note ?? '', /did not start within 0 s: 0\/3 nodes are available/);
  assert.is(cluster.alive(), 0);
});

test('run: on an error the probe pods are deleted, then the error surfaces', async () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 1, parallel: 8 });
  const cluster = fakeCluster(() => true, { failClientCreate: true });
  await rejects(runProbe(cluster.api, plan, { ...OPTIONS, parallel: 8, signal: new AbortController().signal }), /forbidden/);
  assert.is(cluster.alive(), 0);
  assert.ok(cluster.deleted.length > 0);
});

test('run: an abort (SIGINT, time limit) stops the run and deletes the pods', async () => {
  const plan = planProbe(view().input, { runId: RUN, closedPerSource: 1, parallel: 2 });
  const cluster = fakeCluster(() => true);
  const stop = new AbortController();
  cluster.onClientCreated(() => stop.abort(new Error('interrupted')));
  await rejects(runProbe(cluster.api, plan, { ...OPTIONS, parallel: 2, signal: stop.signal }), /interrupted/);
  assert.is(cluster.alive(), 0);
});

test('bounded: never more than the limit at once, every item done, the first failure thrown', async () => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  await bounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, n % 3));
    done.push(n);
    running--;
  });
  assert.is(peak, 3);
  assert.equal(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
  await rejects(
    bounded([1, 2], 2, async (n) => {
      if (n === 2) throw new Error('two');
    }),
    /two/,
  );
});

async function runCommand(args: string[], reachable: (server: string, port: string, role: string, source: string) => boolean) {
  const cluster = fakeCluster(reachable);
  const command = {
    ...connectivityCommand,
    readLive: async () => objects().map((value) => ({ value, source: { file: 'cluster test', line: 0 } })),
    openProbe: () => ({ api: cluster.api, close: async () => undefined }),
  };
  const io = captureIo();
  const code = await command.run(['--kubeconfig', 'k', '--probe', '--settle', '0', ...args], io);
  return { code, out: io.out(), err: io.err(), cluster };
}

test('command: exit 0 when every pair is as predicted; JSON lists every pair', async () => {
  // The network of the fixture: who reaches which stood-in pod on which port, as its policies say.
  const open = new Set([
    'server for shop/frontend (Deployment) 8080/TCP',
    'server for payments/dns (Pod) 53/UDP',
    'server for payments/api (Deployment) 8443/TCP',
  ]);
  const ok = await runCommand(['--output', 'json', '--closed-per-workspace', '0', '--workspace', 'monitoring', '--workspace', 'payments'], (_s, port, role) =>
    open.has(`${role} ${port}`),
  );
  assert.is(ok.code, 0, ok.err);
  const json = JSON.parse(ok.out) as { mismatches: number; notProbed: number; pairs: { source: string; destination: string; measured: string }[] };
  assert.is(json.mismatches, 0);
  assert.is(json.notProbed, 0);
  assert.equal(json.pairs.map((p) => `${p.source} → ${p.destination} ${p.measured}`).sort(), [
    'monitoring → payments/dns (Pod) open',
    'payments → payments/dns (Pod) open',
  ]);
  assert.is(ok.cluster.alive(), 0);
});

test('command: a mismatch exits 3 and the table names it', async () => {
  const r = await runCommand([], () => true);
  assert.is(r.code, EXIT_MISMATCH);
  assert.match(r.out, /mismatch/);
  assert.match(r.out, /PREDICTED\s+MEASURED/);
  assert.match(r.out, /closed\s+open\s+mismatch/);
  assert.match(r.err, /probe run [0-9a-f]{6}: \d+ pairs/);
});

test('command: probe options without --probe, or --probe without a cluster, are usage errors', async () => {
  const io = captureIo();
  await rejects(connectivityCommand.run(['--kubeconfig', 'k', '--workspace', 'shop'], io), /--workspace goes with --probe/);
  await rejects(connectivityCommand.run(['samples', '--probe'], io), /--probe needs a cluster/);
  await rejects(connectivityCommand.run(['--kubeconfig', 'k', '--probe', '--parallel', '1'], io), /--parallel must be a whole number of at least 2/);
  await rejects(connectivityCommand.run(['--kubeconfig', 'k', '--probe', '--toleration', '=x'], io), /--toleration must look like/);
});

test.run();
