// Real packets on the local platform's real nodes (issue 13; e2e/platform/real-node/README.md):
// pods in network namespaces, real TCP and UDP connections, NetworkPolicies enforced by
// upstream's kube-network-policies (not by the project's evaluator), and a cross-data-centre
// path through the router namespace that ipBlock rules judge.
import { existsSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { e2eSuite, waitFor } from '../harness/index.ts';
import type { Cluster } from '../harness/index.ts';
import { NOT_RUNNABLE, REAL_NODE_LABEL, REAL_NODE_TAINT_KEY, realNodeName } from '../platform/real-node/names.ts';
import { PAUSE_IMAGE, probeFrom, realPod, waitRunning } from '../platform/real-node/pods.ts';
import type { RunningPod } from '../platform/real-node/pods.ts';
import type { ProbeResult, Target } from '../platform/real-node/probe.ts';
import { platformDataCentres } from '../operator/platform.ts';

const test = e2eSuite('packets: enforcer');

const TCP = 8080;
const UDP = 5353;
const ECHO_PORTS = [
  { port: TCP, protocol: 'TCP' as const },
  { port: UDP, protocol: 'UDP' as const },
];
/** Longest wait for the enforcer to act on a policy change (it measured ~2 s here). */
const POLICY_WAIT_MS = 20_000;

const byName = (clusters: Cluster[], name: string): Cluster => {
  const c = clusters.find((x) => x.name === name);
  if (!c) throw new Error(`no cluster ${name} in the kubeconfig`);
  return c;
};

async function echoAndClient(server: Cluster, serverNs: string, client: Cluster, clientNs: string): Promise<{ echo: RunningPod; from: RunningPod }> {
  await server.apply(realPod('echo', serverNs, { labels: { app: 'echo' }, ports: ECHO_PORTS }));
  await client.apply(realPod('client', clientNs, { image: PAUSE_IMAGE, labels: { app: 'client' } }));
  return { echo: await waitRunning(server, serverNs, 'echo'), from: await waitRunning(client, clientNs, 'client') };
}

const targets = (ip: string): Target[] => [
  { host: ip, port: TCP, protocol: 'tcp' },
  { host: ip, port: UDP, protocol: 'udp' },
];
const results = (rs: ProbeResult[]): string[] => rs.map((r) => `${r.protocol}/${r.port} ${r.result}`);

/** Probes until every target gives the expected result (policy changes take effect asynchronously). */
async function until(from: RunningPod, ts: Target[], expected: Array<ProbeResult['result']>, what: string): Promise<ProbeResult[]> {
  let last: ProbeResult[] = [];
  return waitFor(
    what,
    async () => {
      last = await probeFrom(from.netns, ts, 1500);
      return last.every((r, i) => r.result === expected[i]) ? last : undefined;
    },
    { timeoutMs: POLICY_WAIT_MS, intervalMs: 200, describe: () => results(last).join(', ') },
  );
}

/** A NetworkPolicy as written (the client library's type renames `from`). */
interface Policy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string };
  spec: object;
}

const denyAll = (namespace: string): Policy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
});

test('every cluster has a Ready real node, tainted, whose pod CIDR lies in its DataCentre networkRanges (samples/platform, and beyond them those the platform registers)', async ({
  clusters,
}) => {
  const dcs = platformDataCentres(clusters);
  for (const c of clusters) {
    const node = await c.core.readNode({ name: realNodeName(c.name) }).catch((err: unknown) => {
      throw new Error(
        `${c.name}: no real node ${realNodeName(c.name)} (make cluster-up without REAL_NODES=0): ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    assert.is(node.metadata?.labels?.[REAL_NODE_LABEL], 'true', `${c.name}: label`);
    assert.ok(
      node.spec?.taints?.some((t) => t.key === REAL_NODE_TAINT_KEY && t.effect === 'NoSchedule'),
      `${c.name}: taint`,
    );
    assert.ok(
      node.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
      `${c.name}: Ready`,
    );
    assert.not.ok(node.metadata?.annotations?.['kwok.x-k8s.io/node'], `${c.name}: kwok must not manage the real node`);
    const dc = dcs.find((o) => o.kind === 'DataCentre' && o.metadata.name === c.name);
    assert.ok(dc, `a DataCentre for cluster ${c.name}`);
    const [base] = node.spec!.podCIDR!.split('/') as [string];
    const inside = dc!.spec.networkRanges.some((r) => r.endsWith('/16') && base.startsWith(`${r.split('.').slice(0, 2).join('.')}.`));
    assert.ok(inside, `${c.name}: pod CIDR ${node.spec!.podCIDR} outside networkRanges ${dc!.spec.networkRanges.join(', ')}`);
  }
});

test('two namespaces on dc-hanoi: real TCP and UDP, closed by a default-deny policy, opened again by an allow policy', async ({ clusters, ns }) => {
  const hanoi = byName(clusters, 'dc-hanoi');
  const serverNs = await ns.create(hanoi, 'pk-server');
  const clientNs = await ns.create(hanoi, 'pk-client');
  const { echo, from } = await echoAndClient(hanoi, serverNs, hanoi, clientNs);
  assert.is(echo.node, realNodeName('dc-hanoi'));

  const open = await until(from, targets(echo.ip), ['open', 'open'], 'TCP and UDP open without a policy');
  assert.equal(
    open.map((r) => r.reply),
    [`${serverNs}/echo`, `${serverNs}/echo`],
    'the echo pod answered, by name',
  );
  const closedPort = await probeFrom(from.netns, [{ host: echo.ip, port: 9, protocol: 'tcp' }]);
  assert.is(closedPort[0]!.result, 'refused', 'a port nothing listens on answers RST: the address is real');

  await hanoi.apply(denyAll(serverNs));
  await until(from, targets(echo.ip), ['timeout', 'timeout'], 'TCP and UDP dropped after default-deny');

  await hanoi.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-client-tcp', namespace: serverNs },
    spec: {
      podSelector: { matchLabels: { app: 'echo' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': clientNs } }, podSelector: { matchLabels: { app: 'client' } } }],
          ports: [{ port: TCP, protocol: 'TCP' }],
        },
      ],
    },
  } satisfies Policy);
  await until(from, targets(echo.ip), ['open', 'timeout'], 'TCP open again (allowed port), UDP still dropped');
});

test('an image outside the catalogue waits with ImageNotRunnableLocally and never runs', async ({ clusters, ns }) => {
  const hanoi = byName(clusters, 'dc-hanoi');
  const name = await ns.create(hanoi, 'pk-image');
  await hanoi.apply(realPod('nginx', name, { image: 'docker.io/library/nginx:1.27', ports: [{ port: 80, protocol: 'TCP' }] }));
  const pod = await waitFor(`pod ${name}/nginx refused by the agent`, async () => {
    const p = await hanoi.core.readNamespacedPod({ namespace: name, name: 'nginx' });
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === NOT_RUNNABLE ? p : undefined;
  });
  assert.is(pod.spec?.nodeName, realNodeName('dc-hanoi'));
  assert.is(pod.status?.phase, 'Pending');
  assert.match(pod.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '', /not in the local platform's catalogue/);
  assert.not.ok(pod.status?.podIP, 'no address: nothing runs');
});

test('cross-data-centre packets cross the router; an ipBlock of another data centre does not open the path', async ({ clusters, ns }) => {
  const hanoi = byName(clusters, 'dc-hanoi');
  const hcm = byName(clusters, 'dc-hcm');
  const serverNs = await ns.create(hanoi, 'pk-xdc');
  const clientNs = await ns.create(hcm, 'pk-xdc');
  const { echo, from } = await echoAndClient(hanoi, serverNs, hcm, clientNs);
  assert.ok(from.ip.startsWith('10.20.'), `the dc-hcm client has a dc-hcm address (${from.ip})`);
  await until(from, targets(echo.ip), ['open', 'open'], 'dc-hcm -> dc-hanoi open without a policy');

  const fromRange = (cidr: string): Policy => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-range', namespace: serverNs },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] },
  });
  await hanoi.apply(fromRange('10.30.0.0/16'));
  await until(from, targets(echo.ip), ['timeout', 'timeout'], 'closed: the ipBlock names dc-danang, the client is in dc-hcm');
  await hanoi.apply(fromRange('10.20.0.0/16'));
  await until(from, targets(echo.ip), ['open', 'open'], 'open: the ipBlock names dc-hcm');
});

test('a deleted pod is finalised by the agent and leaves no network namespace behind', async ({ clusters, ns }) => {
  const hanoi = byName(clusters, 'dc-hanoi');
  const name = await ns.create(hanoi, 'pk-gone');
  await hanoi.apply(realPod('echo', name, { ports: ECHO_PORTS }));
  const { netns } = await waitRunning(hanoi, name, 'echo');
  assert.ok(existsSync(`/run/netns/${netns}`), `${netns} exists while the pod runs`);
  // The default grace period (30 s): the pod object goes only when the agent finalises it.
  await hanoi.core.deleteNamespacedPod({ namespace: name, name: 'echo' });
  await waitFor(
    `pod ${name}/echo finalised by the agent`,
    async () => {
      const list = await hanoi.core.listNamespacedPod({ namespace: name });
      return list.items.length === 0;
    },
    { timeoutMs: 20_000 },
  );
  assert.not.ok(existsSync(`/run/netns/${netns}`), `${netns} removed before the pod object went`);
});

test.run();
