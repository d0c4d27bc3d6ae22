// The exchange gateway's pod on a real node (issue 15): Debian's haproxy binary in the pod's
// network namespace, as the pod asks for it (the image docker.io/library/haproxy, catalogue.ts).
// What a container runtime would give the container is given here as far as the gateway needs
// it:
// - its ConfigMap, Secret and projected volumes as files at their mountPaths, read-only, in a
//   mount namespace of the pod's own: an overlay of the pod's files over the host's directory
//   that holds the mountPath (`/etc` for `/etc/govcloud-gateway`), so the host's /etc is never
//   written and nothing remains when the pod's processes end;
// - `/etc/hosts` naming each Service whose selected pod runs on this node
//   (`<svc>.<ns>.svc`), what cluster DNS and a Service proxy give a real pod: the node has
//   neither;
// - its user and group (runAsUser, runAsGroup) and no new privileges, by setpriv;
// - its fixed address, from Calico's annotation `cni.projectcalico.org/ipAddrs`, which real
//   clusters' IPAM honours the same way.
// Only a node labelled `govcloud.dev/exchange-gateway=true` runs it (the threat model: gateways
// on nodes of their own).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { Cluster } from '../../harness/clusters.ts';
import { ApiError } from '../../harness/clusters.ts';

export const GATEWAY_NODE_LABEL = 'govcloud.dev/exchange-gateway';
export const FIXED_ADDRESS_ANNOTATION = 'cni.projectcalico.org/ipAddrs';
/** Waiting reason of a gateway pod bound to a node that is not a gateway node. */
export const NOT_GATEWAY_NODE = 'NotAGatewayNode';

/** The address the pod asks for (the first IPv4 of Calico's annotation), if any. */
export function fixedAddress(pod: V1Pod): string | undefined {
  const raw = pod.metadata?.annotations?.[FIXED_ADDRESS_ANNOTATION];
  if (!raw) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error(`annotation ${FIXED_ADDRESS_ANNOTATION} is not a JSON list of addresses: ${raw}`);
  }
  const v4 = Array.isArray(list) ? list.find((a): a is string => typeof a === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(a)) : undefined;
  if (!v4) throw new Error(`annotation ${FIXED_ADDRESS_ANNOTATION} names no IPv4 address: ${raw}`);
  return v4;
}

export async function isGatewayNode(cluster: Cluster, node: string): Promise<boolean> {
  const n = (await cluster.call('GET', `/api/v1/nodes/${node}`)) as { metadata: { labels?: Record<string, string> } };
  return n.metadata.labels?.[GATEWAY_NODE_LABEL] === 'true';
}

/** Where a pod's files are kept while it runs: `<state>/pods/<uid>`. */
export function podFilesDir(state: string, uid: string): string {
  return path.join(state, 'pods', uid);
}

export function removePodFiles(state: string, uid: string): void {
  rmSync(podFilesDir(state, uid), { recursive: true, force: true });
}

async function readObject(cluster: Cluster, kind: 'configmaps' | 'secrets', namespace: string, name: string): Promise<Record<string, string>> {
  try {
    const o = (await cluster.call('GET', `/api/v1/namespaces/${namespace}/${kind}/${name}`)) as { data?: Record<string, string> };
    const data = o.data ?? {};
    return kind === 'secrets' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new Error(`volume source ${kind.slice(0, -1)} ${namespace}/${name} does not exist (yet)`);
    throw err;
  }
}

/** The keys of one source under a volume, with items mapping keys to paths as the kubelet does. */
function itemsOf(data: Record<string, string>, items: { key: string; path: string }[] | undefined, what: string): [string, string][] {
  if (!items) return Object.entries(data);
  return items.map((i) => {
    const v = data[i.key];
    if (v === undefined) throw new Error(`${what} has no key ${i.key}`);
    return [i.path, v];
  });
}

async function volumeFiles(cluster: Cluster, namespace: string, volume: V1Volume): Promise<[string, string][]> {
  if (volume.configMap) {
    const name = volume.configMap.name!;
    return itemsOf(await readObject(cluster, 'configmaps', namespace, name), volume.configMap.items, `configmap ${name}`);
  }
  if (volume.secret) {
    const name = volume.secret.secretName!;
    return itemsOf(await readObject(cluster, 'secrets', namespace, name), volume.secret.items, `secret ${name}`);
  }
  if (volume.projected) {
    const out: [string, string][] = [];
    for (const s of volume.projected.sources ?? []) {
      if (s.configMap)
        out.push(...itemsOf(await readObject(cluster, 'configmaps', namespace, s.configMap.name!), s.configMap.items, `configmap ${s.configMap.name}`));
      else if (s.secret) out.push(...itemsOf(await readObject(cluster, 'secrets', namespace, s.secret.name!), s.secret.items, `secret ${s.secret.name}`));
      else throw new Error(`volume ${volume.name}: only configMap and secret sources are materialised here`);
    }
    return out;
  }
  throw new Error(`volume ${volume.name}: only configMap, secret and projected volumes are materialised here`);
}

/** `<svc>.<ns>.svc` for each Service that selects a running pod of this node (the first such pod's address). */
async function serviceHosts(cluster: Cluster, node: string): Promise<string[]> {
  const services = (await cluster.call('GET', '/api/v1/services')) as {
    items: { metadata: { name: string; namespace: string }; spec?: { selector?: Record<string, string> } }[];
  };
  const pods = (await cluster.call('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node},status.phase=Running`)}`)) as {
    items: V1Pod[];
  };
  const lines: string[] = [];
  for (const s of services.items) {
    const selector = Object.entries(s.spec?.selector ?? {});
    if (selector.length === 0) continue;
    const pod = pods.items.find(
      (p) => p.metadata!.namespace === s.metadata.namespace && p.status?.podIP && selector.every(([k, v]) => p.metadata!.labels?.[k] === v),
    );
    if (pod) lines.push(`${pod.status!.podIP} ${s.metadata.name}.${s.metadata.namespace}.svc ${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`);
  }
  return lines;
}

/**
 * Writes the container's volumes and /etc/hosts under the pod's files directory, owned by
 * root and the pod's fsGroup with the volume's mode; returns the host directories to overlay.
 */
async function materialise(cluster: Cluster, node: string, state: string, pod: V1Pod, c: V1Container): Promise<string[]> {
  const root = podFilesDir(state, pod.metadata!.uid!);
  rmSync(root, { recursive: true, force: true });
  const namespace = pod.metadata!.namespace!;
  const group = pod.spec!.securityContext?.fsGroup ?? 0;
  // By absolute path inside the pod (/etc/govcloud-gateway/haproxy.d/0000.cfg).
  const files = new Map<string, string>();
  const modes = new Map<string, number>();
  for (const m of c.volumeMounts ?? []) {
    const volume = (pod.spec!.volumes ?? []).find((v) => v.name === m.name);
    if (!volume) throw new Error(`volumeMount ${m.name}: no such volume`);
    const mode = volume.projected?.defaultMode ?? volume.secret?.defaultMode ?? volume.configMap?.defaultMode ?? 0o644;
    for (const [rel, content] of await volumeFiles(cluster, namespace, volume)) {
      const file = path.posix.join(m.mountPath, rel);
      files.set(file, content);
      modes.set(file, mode);
    }
  }
  files.set('/etc/hosts', ['127.0.0.1 localhost', ...(await serviceHosts(cluster, node))].join('\n') + '\n');
  modes.set('/etc/hosts', 0o644);
  const tops = new Set<string>();
  for (const [file, content] of files) {
    const top = `/${file.split('/')[1]}`;
    const target = path.join(root, file);
    // The agent runs as root: a path that leaves the pod's directory, or a top directory that
    // is not a plain name (it goes into the mount command), is refused.
    if (!/^\/[\w.-]+$/.test(top) || file.split('/').length < 3 || !target.startsWith(`${root}${path.sep}`))
      throw new Error(`mountPath ${file}: a plain directory below / is needed`);
    tops.add(top);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, content);
    chownSync(target, 0, group);
    chmodSync(target, modes.get(file)!);
  }
  return [...tops];
}

/**
 * Starts `haproxy ARGS` for the pod: in its network namespace, in a mount namespace of its own
 * with its files overlaid read-only, as its user. Output to logFd (the agent's pod log).
 */
export async function runGateway(
  o: { cluster: Cluster; node: string; state: string; podNs: string; logFd: number },
  pod: V1Pod,
  c: V1Container,
  args: string[],
): Promise<ChildProcess> {
  const tops = await materialise(o.cluster, o.node, o.state, pod, c);
  const root = podFilesDir(o.state, pod.metadata!.uid!);
  const security = { ...pod.spec!.securityContext, ...c.securityContext };
  const uid = security.runAsUser ?? 0;
  const gid = security.runAsGroup ?? uid;
  // An overlay without an upper directory is read-only; the pod's files lie over the host's.
  const mounts = tops.map((top) => `mount -t overlay govcloud-pod -o lowerdir=${path.join(root, top)}:${top} ${top}`).join(' && ');
  const script = `${mounts} && exec setpriv --reuid ${uid} --regid ${gid} --clear-groups --no-new-privs haproxy "$@"`;
  return spawn('ip', ['netns', 'exec', o.podNs, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'haproxy', ...args], {
    stdio: ['ignore', o.logFd, o.logFd],
    // A container starts in its image's working directory, never in the agent's (a checkout
    // the pod's user may not enter: HAProxy goes back to where it started and fails there).
    cwd: c.workingDir ?? '/',
  });
}
