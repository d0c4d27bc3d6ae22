/**
 * Which pairs `govcloud connectivity --probe` measures, with which probe pods, in which rounds.
 * Pure: a cluster's view in, a plan out.
 *
 * A destination (a Service port, or a container port of a pod no Service selects) is stood in
 * for by a server pod in its namespace carrying the labels of one of its pods; a source
 * workspace by a client pod carrying the labels of one of its pods (none when it has none).
 * Both also carry `govcloud.dev/probe`, and the prediction is the evaluator's verdict for
 * exactly these two pods, so what is measured and what is predicted are the same question.
 * Every pair predicted open is probed, and a deterministic sample of the pairs predicted
 * closed per source (closed pairs are most pairs of a platform; every one would cost a
 * timeout each).
 */
import { Evaluator } from '../evaluate.ts';
import { destinationLabel, destinationPort, destinationsOf, type MatrixInput } from '../matrix.ts';
import type { Endpoint } from '../model.ts';

export const PROBE_LABEL = 'govcloud.dev/probe';
/** Targets one client pod tries: its report (one character each) fits the 4096-byte termination message. */
export const MAX_TARGETS_PER_CLIENT = 1000;

export type ProbeProtocol = 'TCP' | 'UDP';

export interface ProbePort {
  port: number;
  protocol: ProbeProtocol;
}

export interface ServerSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ports: ProbePort[];
  /** The pod it stands in for, `namespace/name (Kind)`. */
  standsFor: string;
}

export interface ClientSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Indexes into the plan's pairs, in the order the client tries them. */
  pairs: number[];
}

export interface ProbePair {
  /** The source workspace. */
  source: string;
  /** What the matrix calls the destination: `ns/name (Service)`, `ns/name (Deployment)`. */
  destination: string;
  /** As the matrix shows it: `443/TCP → 8443`. */
  port: string;
  /** The server pod and the port it listens on (the resolved target port). */
  server: string;
  target: ProbePort;
  predicted: 'open' | 'closed';
}

export interface Round {
  servers: ServerSpec[];
  clients: ClientSpec[];
}

export interface ProbePlan {
  runId: string;
  pairs: ProbePair[];
  rounds: Round[];
  /** Destinations left out, with why (SCTP, no endpoint, every port). */
  skipped: string[];
}

export interface PlanOptions {
  runId: string;
  /** Only pairs between these workspaces (both ends), so probe pods go only there; all but kube-* when absent. */
  workspaces?: readonly string[];
  /** Pairs predicted closed to probe per source workspace. */
  closedPerSource: number;
  /** Probe pods alive at once (servers of a round plus its running clients); at least 2. */
  parallel: number;
}

export function probeLabels(labels: Readonly<Record<string, string>>, runId: string): Record<string, string> {
  return { ...labels, [PROBE_LABEL]: runId };
}

export function planProbe(input: MatrixInput, options: PlanOptions): ProbePlan {
  if (options.parallel < 2) throw new Error('parallel must be at least 2: a server and a client');
  const wanted = options.workspaces ? new Set(options.workspaces) : undefined;
  // The cluster's own namespaces get no probe pods unless named; one being deleted takes no new pod.
  const terminating = new Set(input.namespaces.filter((n) => n.terminating).map((n) => n.name));
  const allowed = (ns: string) => !terminating.has(ns) && (!ns.startsWith('kube-') || wanted?.has(ns) === true);
  const inScope = (source: string, destination: string) =>
    allowed(source) && allowed(destination) && (!wanted || (wanted.has(source) && wanted.has(destination)));
  // Probe pods of an earlier run are not workloads to stand in for.
  const endpoints = input.endpoints.filter((e) => e.labels[PROBE_LABEL] === undefined);
  const evaluator = new Evaluator(input);
  const skipped: string[] = [...terminating].sort().map((ns) => `${ns}: the namespace is being deleted (no probe pod can start there)`);

  const servers = new Map<string, ServerSpec & { endpoint: Endpoint }>();
  const targets: { destination: string; port: string; namespace: string; server: string; target: ProbePort }[] = [];
  for (const dest of destinationsOf({ ...input, endpoints })) {
    if (dest.ref.kind === 'Host') continue;
    const label = destinationLabel(dest.ref);
    const first = dest.targets[0];
    if (first === undefined || first.party.kind !== 'pod') {
      skipped.push(`${label} ${destinationPort(dest.ref)}: no pod serves it`);
      continue;
    }
    if (first.port === '*' || first.protocol === '*') {
      skipped.push(`${label}: declares no container port`);
      continue;
    }
    if (first.protocol === 'SCTP') {
      skipped.push(`${label} ${destinationPort(dest.ref)}: SCTP is not probed`);
      continue;
    }
    const endpoint = first.party.endpoint;
    if (terminating.has(endpoint.namespace)) continue;
    const key = `${endpoint.namespace}/${endpoint.name}/${endpoint.kind}`;
    let server = servers.get(key);
    if (!server) {
      server = {
        name: '',
        namespace: endpoint.namespace,
        labels: probeLabels(endpoint.labels, options.runId),
        ports: [],
        standsFor: `${endpoint.namespace}/${endpoint.name} (${endpoint.kind})`,
        endpoint: { ...endpoint, labels: probeLabels(endpoint.labels, options.runId) },
      };
      servers.set(key, server);
    }
    const target: ProbePort = { port: first.port, protocol: first.protocol };
    if (!server.ports.some((p) => p.port === target.port && p.protocol === target.protocol)) server.ports.push(target);
    targets.push({ destination: label, port: destinationPort(dest.ref), namespace: dest.ref.namespace, server: key, target });
  }

  const sources = input.namespaces
    .map((n) => n.name)
    .filter((n) => allowed(n) && (!wanted || wanted.has(n)))
    .sort();
  const pairs: ProbePair[] = [];
  const pairServer: string[] = [];
  for (const source of sources) {
    const stand = endpoints.find((e) => e.namespace === source);
    const client: Endpoint = { kind: 'Pod', namespace: source, name: 'probe-client', labels: probeLabels(stand?.labels ?? {}, options.runId), ports: [] };
    const closed: { pair: ProbePair; server: string; rank: string }[] = [];
    for (const t of targets) {
      if (!inScope(source, t.namespace)) continue;
      const server = servers.get(t.server) as ServerSpec & { endpoint: Endpoint };
      const verdict = evaluator.evaluate({ kind: 'pod', endpoint: client }, { kind: 'pod', endpoint: server.endpoint }, t.target).verdict;
      const pair: ProbePair = {
        source,
        destination: t.destination,
        port: t.port,
        server: t.server,
        target: t.target,
        predicted: verdict === 'denied' ? 'closed' : 'open',
      };
      if (pair.predicted === 'open') {
        pairs.push(pair);
        pairServer.push(t.server);
      } else {
        closed.push({ pair, server: t.server, rank: stableHash(`${options.runId}|${source}|${t.destination}|${t.port}`) });
      }
    }
    closed.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const c of closed.slice(0, options.closedPerSource)) {
      pairs.push(c.pair);
      pairServer.push(c.server);
    }
  }

  // Servers no chosen pair needs are not started.
  const used = [...servers.entries()].filter(([key]) => pairServer.includes(key));
  used.forEach(([, s], i) => (s.name = `govcloud-probe-${options.runId}-s${i}`));
  for (const p of pairs) p.server = (servers.get(p.server) as ServerSpec).name;

  const serversPerRound = Math.floor(options.parallel / 2);
  const rounds: Round[] = [];
  for (let i = 0; i < used.length; i += serversPerRound) {
    const batch = used.slice(i, i + serversPerRound).map(([, s]) => serverSpec(s));
    const names = new Set(batch.map((s) => s.name));
    const clients: ClientSpec[] = [];
    for (const source of sources) {
      const stand = endpoints.find((e) => e.namespace === source);
      const mine = pairs
        .map((p, index) => ({ p, index }))
        .filter(({ p }) => p.source === source && names.has(p.server))
        .map(({ index }) => index);
      for (let c = 0; c < mine.length; c += MAX_TARGETS_PER_CLIENT) {
        clients.push({
          name: `govcloud-probe-${options.runId}-c${rounds.length}-${clients.length}`,
          namespace: source,
          labels: probeLabels(stand?.labels ?? {}, options.runId),
          pairs: mine.slice(c, c + MAX_TARGETS_PER_CLIENT),
        });
      }
    }
    rounds.push({ servers: batch, clients });
  }
  return { runId: options.runId, pairs, rounds, skipped };
}

function serverSpec(s: ServerSpec): ServerSpec {
  return { name: s.name, namespace: s.namespace, labels: s.labels, ports: s.ports, standsFor: s.standsFor };
}

/** FNV-1a, hex: a sample that is the same for the same run id and objects. */
function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
