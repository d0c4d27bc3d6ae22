// Pods on a data centre's real node, and real connections from inside them (the node agent's
// probe.ts, run in the pod's network namespace).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, waitFor, type Cluster } from '../harness/index.ts';
import { NETNS_ANNOTATION } from '../platform/real-node/names.ts';
import { ECHO_IMAGE, PAUSE_IMAGE, realPod as realPodManifest } from '../platform/real-node/pods.ts';

const run = promisify(execFile);
const PROBE = path.join(ROOT, 'e2e', 'platform', 'real-node', 'probe.ts');

export type Protocol = 'TCP' | 'UDP';
export interface RealPod {
  namespace: string;
  name: string;
  ip: string;
  netns: string;
}

/**
 * A pod on the real node: an echo server (agnhost) on `ports`, or with none only an address
 * (pause). Restricted Pod Security, so it starts in any workspace. It is returned once the
 * enforcer judges its packets, unless `unjudged` (a pod no policy selects never is).
 */
export async function realPod(
  cluster: Cluster,
  namespace: string,
  name: string,
  o: { labels?: Record<string, string>; ports?: { port: number; protocol: Protocol }[]; unjudged?: boolean } = {},
): Promise<RealPod> {
  const ports = o.ports ?? [];
  await cluster.call(
    'POST',
    `/api/v1/namespaces/${namespace}/pods`,
    realPodManifest(name, namespace, { image: ports.length > 0 ? ECHO_IMAGE : PAUSE_IMAGE, ports, ...(o.labels ? { labels: o.labels } : {}) }),
  );
  const pod = await waitFor(
    `pod ${namespace}/${name} running on the real node`,
    async () => {
      const p = (await cluster.call('GET', `/api/v1/namespaces/${namespace}/pods/${name}`)) as {
        metadata: { uid: string; annotations?: Record<string, string> };
        status?: { phase?: string; podIP?: string };
      };
      const netns = p.metadata.annotations?.[NETNS_ANNOTATION];
      return p.status?.phase === 'Running' && p.status.podIP && netns ? { namespace, name, ip: p.status.podIP, netns, uid: p.metadata.uid } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  const running = Date.now();
  if (o.unjudged) return { namespace: pod.namespace, name: pod.name, ip: pod.ip, netns: pod.netns };
  await judged(pod.netns.slice(0, -(pod.uid.length + 1)), pod.ip);
  console.log(`      ${namespace}/${name}: judged by the enforcer ${Date.now() - running} ms after Running`);
  return { namespace: pod.namespace, name: pod.name, ip: pod.ip, netns: pod.netns };
}

/**
 * Until the enforcer has added the pod's address to the set of addresses it judges, its
 * packets pass unjudged (kube-network-policies diverts only packets from or to pod addresses
 * it knows): a test starts once the address is there.
 */
export async function judged(nodeNs: string, ip: string): Promise<void> {
  await waitFor(
    `${ip} in the enforcer's pod address set (node namespace ${nodeNs})`,
    async () => {
      const { stdout } = await run('ip', ['netns', 'exec', nodeNs, 'nft', 'list', 'set', 'inet', 'kube-network-policies', 'podips-v4']);
      return new RegExp(`[\\s{,]${ip.replace(/\./g, '\\.')}[\\s,}]`).test(stdout);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

export type Result = 'open' | 'refused' | 'closed' | 'timeout' | 'error';

/** One new connection from inside `from` to host:port. */
export async function connect(from: RealPod | { netns: string }, host: string, port: number, protocol: Protocol, timeoutMs = 1000): Promise<Result> {
  const args = ['netns', 'exec', from.netns, process.execPath, PROBE, host, String(port), protocol.toLowerCase(), '--timeout-ms', String(timeoutMs)];
  let stdout: string;
  try {
    ({ stdout } = await run('ip', args, { timeout: timeoutMs + 15_000 }));
  } catch (err) {
    // probe.ts exits 1 for anything but open, with its JSON line on stdout.
    stdout = (err as { stdout?: string }).stdout ?? '';
    if (!stdout) throw err;
  }
  return (JSON.parse(stdout) as { result: Result }).result;
}

/** Polls new connections until one gives `want`; the time it did (ms since the epoch). */
export async function until(what: string, want: (r: Result) => boolean, attempt: () => Promise<Result>, timeoutMs: number): Promise<number> {
  let last: Result | undefined;
  return waitFor(
    what,
    async () => {
      last = await attempt();
      return want(last) ? Date.now() : undefined;
    },
    { timeoutMs, intervalMs: 100, describe: () => `last result ${last}` },
  );
}

export async function deletePod(cluster: Cluster, pod: RealPod): Promise<void> {
  await cluster.request('DELETE', `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`);
}
