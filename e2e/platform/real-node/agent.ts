// The real node's test agent (issue 13): NOT a kubelet. It keeps one real Node of a local
// cluster alive and gives each pod bound to it a network namespace with a routed address from
// the node's pod CIDR, in which it runs the small programs of catalogue.ts (no container
// runtime works on the project's machines). Pod status (IPs, phase, Ready) is written back;
// a deleted pod's namespace is removed and the pod object finalised (deleted with grace 0, as
// a kubelet does once its containers stopped). It also serves the unix socket through which
// the node namespace's relay (relay.ts) reaches the API server on the root namespace's
// loopback. Started and stopped by e2e/platform/up.sh / down.sh.
//
// usage: node agent.ts --cluster C --kubeconfig FILE --node NAME --node-ns NS --node-ip IP
//          --pod-cidr A.B.C.0/24 --region R --api-port PORT --state DIR
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Watch, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { ApiError, Cluster } from '../../harness/clusters.ts';
import { catalogueRepositories, programFor, type Program } from './catalogue.ts';
import { fixedAddress, GATEWAY_NODE_LABEL, isGatewayNode, NOT_GATEWAY_NODE, removePodFiles, runGateway } from './gateway-pod.ts';
import { NETNS_ANNOTATION, NOT_RUNNABLE, REAL_NODE_LABEL, REAL_NODE_TAINT_KEY } from './names.ts';
import { namespacesWithPrefix, plumbPod, unplumbPod } from './netns.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..', '..');
const REQUIRED = ['cluster', 'kubeconfig', 'node', 'node-ns', 'node-ip', 'pod-cidr', 'region', 'api-port', 'state'];
const { values: opt } = parseArgs({ options: Object.fromEntries(REQUIRED.map((k) => [k, { type: 'string' as const }])) });
for (const k of REQUIRED) {
  if (!opt[k]) {
    console.error(`agent.ts: --${k} is required`);
    process.exit(2);
  }
}
const CLUSTER = opt.cluster!;
const NODE = opt.node!;
const NODE_NS = opt['node-ns']!;
const NODE_IP = opt['node-ip']!;
const POD_CIDR = opt['pod-cidr']!;
const STATE = opt.state!;
const RELAY_PORT = 6443;
// As a kubelet: the Lease is the heartbeat (renewed every 10 s, 40 s long); the Node's status
// is re-sent once a minute, which keeps the idle background of the API servers small.
const LEASE_SECONDS = 40;
const LEASE_RENEW_MS = 10_000;
const NODE_STATUS_MS = 60_000;
const RESYNC_MS = 30_000;

const cluster = new Cluster(opt.kubeconfig!, CLUSTER);
const log = (msg: string): void => console.log(`${new Date().toISOString()} ${msg}`);

// ------------------------------------------------------------------ API server relay
const SOCKET = path.join(STATE, `${CLUSTER}-api.sock`);
function serveApiSocket(): void {
  rmSync(SOCKET, { force: true });
  net
    .createServer((client) => {
      const upstream = net.connect(Number(opt['api-port']), '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    })
    .listen(SOCKET);
}

// The relay is what the enforcer reaches its API server through: if it ever exits, the enforcer
// waits for its caches for ever, so it is started again (and its exit logged).
let stopping = false;
function startRelay(): void {
  const relay = inNamespace(NODE_NS, `${CLUSTER}-relay`, [RELAY, '--listen', String(RELAY_PORT), '--unix', SOCKET]);
  relay.on('exit', (code, signal) => {
    if (stopping) return;
    log(`relay in ${NODE_NS} exited (${code ?? signal}): starting it again`);
    setTimeout(startRelay, 1000);
  });
}

// ------------------------------------------------------------------ children
// The programs run per pod (and the relay) are stripped of their types once, here: a Node
// that loads .ts itself carries the type stripper (about 20 MB more per process).
function stripped(file: string): string {
  mkdirSync(path.join(STATE, 'bin'), { recursive: true });
  const out = path.join(STATE, 'bin', path.basename(file).replace(/\.ts$/, '.mjs'));
  // Every cluster's agent writes the same file while the others' children load it: written
  // in place, a child could read it truncated (an empty relay exits at once, silently).
  const tmp = `${out}.${process.pid}`;
  writeFileSync(tmp, stripTypeScriptTypes(readFileSync(path.join(HERE, file), 'utf8')));
  renameSync(tmp, out);
  return out;
}
const SERVE = stripped('serve.ts');
const RELAY = stripped('relay.ts');

const children = new Set<ChildProcess>();
function inNamespace(ns: string, logName: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  mkdirSync(path.join(STATE, 'logs'), { recursive: true });
  const out = openSync(path.join(STATE, 'logs', `${logName}.log`), 'a');
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// ------------------------------------------------------------------ node and heartbeat
const now = (): string => new Date().toISOString();
const microNow = (): string => new Date().toISOString().replace('Z', '000Z');

async function registerNode(): Promise<void> {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE,
      labels: {
        [REAL_NODE_LABEL]: 'true',
        // Also the data centre's gateway node (gateway-pod.ts), with its label and taint.
        [GATEWAY_NODE_LABEL]: 'true',
        'kubernetes.io/hostname': NODE,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': opt.region!,
        'topology.kubernetes.io/zone': `${opt.region!.replace(/^dc-/, '')}-real`,
      },
    },
    spec: {
      podCIDR: POD_CIDR,
      podCIDRs: [POD_CIDR],
      taints: [{ key: REAL_NODE_TAINT_KEY, value: 'true', effect: 'NoSchedule' }],
    },
  };
  try {
    await cluster.call('POST', '/api/v1/nodes', node);
    log(`registered Node ${NODE} (pod CIDR ${POD_CIDR})`);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    // Registered by an earlier agent: its labels and taints become this one's.
    await cluster.call(
      'PATCH',
      `/api/v1/nodes/${NODE}`,
      { metadata: { labels: node.metadata.labels }, spec: { taints: node.spec.taints } },
      'application/merge-patch+json',
    );
  }
  await patchNodeStatus();
  await renewLease();
}

async function nodeStatus(): Promise<void> {
  try {
    await patchNodeStatus();
  } catch (err) {
    // The cluster's store was wiped (a fresh etcd): register again.
    if (err instanceof ApiError && err.status === 404) await registerNode();
    else throw err;
  }
}

/** The conditions hold since the agent started: their transition time stays that. */
const SINCE = now();

async function patchNodeStatus(): Promise<void> {
  const t = now();
  const resources = { cpu: '8', memory: '16Gi', 'ephemeral-storage': '100Gi', pods: '250' };
  await cluster.call(
    'PATCH',
    `/api/v1/nodes/${NODE}/status`,
    {
      status: {
        capacity: resources,
        allocatable: resources,
        addresses: [
          { type: 'InternalIP', address: NODE_IP },
          { type: 'Hostname', address: NODE },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'RealNodeAgentReady',
            message: 'govcloud test agent (not a kubelet) is running',
            lastHeartbeatTime: t,
            lastTransitionTime: SINCE,
          },
          { type: 'MemoryPressure', status: 'False', reason: 'RealNodeAgentReady', lastHeartbeatTime: t, lastTransitionTime: SINCE },
          { type: 'DiskPressure', status: 'False', reason: 'RealNodeAgentReady', lastHeartbeatTime: t, lastTransitionTime: SINCE },
          { type: 'PIDPressure', status: 'False', reason: 'RealNodeAgentReady', lastHeartbeatTime: t, lastTransitionTime: SINCE },
          { type: 'NetworkUnavailable', status: 'False', reason: 'RealNodeAgentReady', lastHeartbeatTime: t, lastTransitionTime: SINCE },
        ],
        nodeInfo: {
          kubeletVersion: 'govcloud-real-node-agent',
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: 'amd64',
          containerRuntimeVersion: 'none://',
          kernelVersion: '',
          osImage: 'govcloud local platform',
          machineID: '',
          systemUUID: '',
          bootID: '',
        },
      },
    },
    'application/merge-patch+json',
  );
}

async function renewLease(): Promise<void> {
  await cluster.apply({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: NODE, namespace: 'kube-node-lease' },
    spec: { holderIdentity: NODE, leaseDurationSeconds: LEASE_SECONDS, renewTime: microNow() },
  } as never);
}

// ------------------------------------------------------------------ pods
interface Running {
  podNs: string;
  ip: string | undefined;
  programs: ChildProcess[];
}
const running = new Map<string, Running>(); // by pod uid
/** Settles once a started pod's Running status is written (by pod uid). */
const runningWritten = new Map<string, Promise<void>>();

const [cidrBase] = POD_CIDR.split('/') as [string];
const cidrPrefix = cidrBase.split('.').slice(0, 3).join('.');
function allocateIP(pod: V1Pod): string {
  const taken = new Set([...running.values()].map((r) => r.ip));
  const fixed = fixedAddress(pod);
  if (fixed !== undefined) {
    if (!fixed.startsWith(`${cidrPrefix}.`) || fixed.endsWith('.0') || fixed.endsWith('.1') || fixed.endsWith('.255'))
      throw new Error(`fixed address ${fixed} is not a pod address of ${NODE} (${POD_CIDR})`);
    if (taken.has(fixed)) throw new Error(`fixed address ${fixed} is held by another pod`);
    return fixed;
  }
  // .1 is the node's own address; .255 the /24's broadcast.
  for (let i = 2; i < 255; i++) if (!taken.has(`${cidrPrefix}.${i}`)) return `${cidrPrefix}.${i}`;
  throw new Error(`pod CIDR ${POD_CIDR} of ${NODE} is full`);
}

const podNsOf = (uid: string): string => `${NODE_NS}-${uid}`;
const hostVethOf = (uid: string): string => `p${uid.replace(/-/g, '').slice(0, 12)}`;
const podKey = (p: V1Pod): string => `${p.metadata!.namespace}/${p.metadata!.name}`;
const podPath = (p: V1Pod): string => `/api/v1/namespaces/${p.metadata!.namespace}/pods/${p.metadata!.name}`;

function containerStatus(c: { name: string; image?: string }, state: object, ready: boolean): object {
  return { name: c.name, image: c.image ?? '', imageID: '', ready, started: ready, restartCount: 0, state };
}

async function startPod(pod: V1Pod): Promise<void> {
  const uid = pod.metadata!.uid!;
  const containers = pod.spec!.containers;
  const programs = containers.map((c) => ({ c, program: programFor(c) }));
  const refused = programs.filter((p) => !p.program);
  const t = now();
  if (programs.some((p) => p.program?.kind === 'haproxy') && !(await isGatewayNode(cluster, NODE))) {
    running.set(uid, { podNs: '', ip: undefined, programs: [] });
    await patchStatus(pod, {
      phase: 'Pending',
      hostIP: NODE_IP,
      containerStatuses: containers.map((c) =>
        containerStatus(c, { waiting: { reason: NOT_GATEWAY_NODE, message: `${NODE} is not labelled ${GATEWAY_NODE_LABEL}=true` } }, false),
      ),
    });
    log(`${podKey(pod)}: ${NOT_GATEWAY_NODE}`);
    return;
  }
  if (refused.length) {
    running.set(uid, { podNs: '', ip: undefined, programs: [] });
    const message = (image: string | undefined): string =>
      `image ${image} is not in the local platform's catalogue (${catalogueRepositories().join(', ')}): there is no container runtime here (e2e/platform/real-node/catalogue.ts)`;
    await patchStatus(pod, {
      phase: 'Pending',
      hostIP: NODE_IP,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: t },
        { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: t },
      ],
      containerStatuses: programs.map(({ c, program }) =>
        containerStatus(c, program ? { waiting: { reason: 'PodInitializing' } } : { waiting: { reason: NOT_RUNNABLE, message: message(c.image) } }, false),
      ),
    });
    log(`${podKey(pod)}: ${NOT_RUNNABLE} (${refused.map((r) => r.c.image).join(', ')})`);
    return;
  }
  const podNs = podNsOf(uid);
  const podIP = allocateIP(pod);
  const entry: Running = { podNs, ip: podIP, programs: [] };
  running.set(uid, entry);
  let markRunning = (): void => undefined;
  runningWritten.set(uid, new Promise<void>((resolve) => (markRunning = resolve)));
  await unplumbPod(podNs);
  await plumbPod(NODE_NS, podNs, hostVethOf(uid), podIP);
  for (const { c, program } of programs) entry.programs.push(...(await launch(pod, podNs, c, program!)));
  await cluster.call('PATCH', podPath(pod), { metadata: { annotations: { [NETNS_ANNOTATION]: podNs } } }, 'application/merge-patch+json');
  await patchStatus(pod, {
    phase: 'Running',
    hostIP: NODE_IP,
    hostIPs: [{ ip: NODE_IP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: t,
    conditions: ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled'].map((type) => ({
      type,
      status: 'True',
      lastTransitionTime: t,
    })),
    containerStatuses: containers.map((c) => containerStatus(c, { running: { startedAt: t } }, true)),
  }).finally(markRunning);
  log(`${podKey(pod)}: Running at ${podIP} in ${podNs}`);
}

async function launch(pod: V1Pod, podNs: string, c: V1Container, program: Program): Promise<ChildProcess[]> {
  if (program.kind === 'idle') return [];
  if (program.kind === 'haproxy') return [await gateway(pod, podNs, c, program.args)];
  if (program.kind === 'govcloud') return [runToCompletion(pod, podNs, program.args)];
  if (!program.tcp.length && !program.udp.length) return [];
  return [inNamespace(podNs, podNs, [SERVE, '--name', podKey(pod), '--tcp', program.tcp.join(','), '--udp', program.udp.join(',')])];
}

/**
 * The govcloud bundle with the container's args. When it exits (a probe client does, a probe
 * server when stopped), the container is terminated with its exit code and its report as the
 * termination message (at most 4096 bytes, as a kubelet keeps), and a pod that does not
 * restart ends Succeeded or Failed.
 */
function runToCompletion(pod: V1Pod, podNs: string, args: string[]): ChildProcess {
  const reports = path.join(STATE, 'reports');
  mkdirSync(reports, { recursive: true });
  const report = path.join(reports, pod.metadata!.uid!);
  rmSync(report, { force: true });
  const child = inNamespace(podNs, podNs, [path.join(ROOT, 'dist', 'govcloud.js'), ...args], { GOVCLOUD_PROBE_REPORT: report });
  // After the Running status, never before: a quick program must not be reported Running again.
  const exited = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
    await runningWritten.get(pod.metadata!.uid!);
    // Killed by stopPod: the pod is going away, nothing to report.
    if (signal === 'SIGKILL') return;
    let message = '';
    try {
      message = readFileSync(report).subarray(0, 4096).toString('utf8');
    } catch {
      // No report: the program wrote none (not a probe client, or it failed first).
    }
    const exitCode = code ?? 1;
    const t = now();
    const c = pod.spec!.containers[0]!;
    await patchStatus(pod, {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: ['Ready', 'ContainersReady'].map((type) => ({ type, status: 'False', reason: 'PodCompleted', lastTransitionTime: t })),
      containerStatuses: [containerStatus(c, { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', message, finishedAt: t } }, false)],
    }).catch((err: unknown) => log(`${podKey(pod)}: status after exit: ${err instanceof Error ? err.message : String(err)}`));
    log(`${podKey(pod)}: exited ${exitCode}`);
  };
  child.on('exit', (code, signal) => void exited(code, signal));
  return child;
}

/** The gateway's HAProxy; its output is the pod's log. An exit (a bad configuration) makes the pod not Ready. */
async function gateway(pod: V1Pod, podNs: string, c: V1Container, args: string[]): Promise<ChildProcess> {
  mkdirSync(path.join(STATE, 'logs'), { recursive: true });
  const logFd = openSync(path.join(STATE, 'logs', `${podNs}.log`), 'a');
  const child = await runGateway({ cluster, node: NODE, state: STATE, podNs, logFd }, pod, c, args);
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (signal === 'SIGKILL') return;
    const t = now();
    void runningWritten
      .get(pod.metadata!.uid!)
      ?.then(() =>
        patchStatus(pod, {
          conditions: ['Ready', 'ContainersReady'].map((type) => ({ type, status: 'False', reason: 'ContainersNotReady', lastTransitionTime: t })),
          containerStatuses: [containerStatus(c, { terminated: { exitCode: code ?? 1, reason: 'Error', finishedAt: t } }, false)],
        }),
      )
      .catch((err: unknown) => log(`${podKey(pod)}: status after exit: ${err instanceof Error ? err.message : String(err)}`));
    log(`${podKey(pod)}: haproxy exited ${code ?? signal} (its log: ${podNs}.log)`);
  });
  return child;
}

async function patchStatus(pod: V1Pod, status: object): Promise<void> {
  await cluster.call('PATCH', `${podPath(pod)}/status`, { status }, 'application/merge-patch+json');
}

async function stopPod(uid: string): Promise<void> {
  const entry = running.get(uid);
  if (!entry) return;
  for (const p of entry.programs) p.kill('SIGKILL');
  if (entry.podNs) await unplumbPod(entry.podNs);
  removePodFiles(STATE, uid);
  running.delete(uid);
  runningWritten.delete(uid);
}

async function finalise(pod: V1Pod): Promise<void> {
  await stopPod(pod.metadata!.uid!);
  try {
    await cluster.call('DELETE', `${podPath(pod)}`, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata!.uid },
    });
    log(`${podKey(pod)}: stopped and deleted`);
  } catch (err) {
    if (!(err instanceof ApiError && (err.status === 404 || err.status === 409))) throw err;
  }
}

// ------------------------------------------------------------------ reconcile
let pending: Promise<void> | undefined;
let again = false;
function reconcileSoon(): void {
  if (pending) {
    again = true;
    return;
  }
  pending = reconcile()
    .catch((err: unknown) => log(`reconcile failed: ${err instanceof Error ? err.message : String(err)}`))
    .finally(() => {
      pending = undefined;
      if (again) {
        again = false;
        reconcileSoon();
      }
    });
}

async function reconcile(): Promise<void> {
  const list = (await cluster.call('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${NODE}`)}`)) as { items: V1Pod[] };
  const seen = new Set<string>();
  for (const pod of list.items) {
    const uid = pod.metadata!.uid!;
    seen.add(uid);
    try {
      if (pod.metadata!.deletionTimestamp) await finalise(pod);
      else if (!running.has(uid) && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') await startPod(pod);
    } catch (err) {
      log(`${podKey(pod)}: ${err instanceof Error ? err.message : String(err)}`);
      await stopPod(uid).catch(() => undefined);
    }
  }
  for (const uid of [...running.keys()]) if (!seen.has(uid)) await stopPod(uid);
}

function watchPods(): void {
  const restart = (): void => {
    setTimeout(watchPods, 1000);
  };
  new Watch(cluster.kubeconfig).watch('/api/v1/pods', { fieldSelector: `spec.nodeName=${NODE}` }, () => reconcileSoon(), restart).catch(restart);
}

// ------------------------------------------------------------------ main
async function shutdown(): Promise<void> {
  stopping = true;
  for (const uid of [...running.keys()]) await stopPod(uid);
  for (const c of children) c.kill('SIGKILL');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

// A previous agent's pods (a crash, a restart) are rebuilt from the API: addresses may change.
for (const ns of await namespacesWithPrefix(`${NODE_NS}-`)) await unplumbPod(ns);
serveApiSocket();
startRelay();
await registerNode();
const logFailure =
  (what: string) =>
  (err: unknown): void =>
    log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
setInterval(() => void renewLease().catch(logFailure('lease renewal')), LEASE_RENEW_MS);
setInterval(() => void nodeStatus().catch(logFailure('node status')), NODE_STATUS_MS);
setInterval(reconcileSoon, RESYNC_MS);
watchPods();
reconcileSoon();
log(`agent of ${NODE} (${CLUSTER}) running; node namespace ${NODE_NS}`);
