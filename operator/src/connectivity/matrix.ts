/**
 * The connectivity matrix: which workspace (namespace) can reach which destination, on
 * which port, and which policies decided it.
 *
 * Sources are namespaces (all their pods; a namespace without pods is represented by one
 * unlabelled pod, "a new workload there") and external hosts. Destinations are Services
 * (each port, through the pods the Service selects, on the resolved target port), pods no
 * Service selects (each container port; every port when they declare none), and external
 * hosts. A cell is allowed when every source pod reaches every destination pod, denied when
 * none does, partial otherwise (or when only part of a host range is reachable). Where every
 * port is evaluated (a pod declaring no port, a host), the cell lists the open ports and is
 * allowed when some port is open.
 */
import { mergeSpans } from '../model/ports.ts';
import { Evaluator, type DirectionVerdict, type Party, type PortSpan, type RuleMatch, type Verdict, type VerdictValue } from './evaluate.ts';
import type { Endpoint, Host, Namespace, Policy, Protocol } from './model.ts';
import type { Service } from './objects.ts';
import { matches } from './selector.ts';

export interface MatrixInput {
  namespaces: readonly Namespace[];
  endpoints: readonly Endpoint[];
  services: readonly Service[];
  policies: readonly Policy[];
  hosts?: readonly Host[];
}

export type SourceRef =
  /** `unlabelledPod`: the namespace has no pods; one unlabelled pod stands for it. */
  { kind: 'Namespace'; namespace: string; pods: string[]; unlabelledPod?: true } | { kind: 'Host'; name: string; cidrs: string[] };

export type DestinationRef =
  | { kind: 'Service'; namespace: string; name: string; port: number; protocol: Protocol; targetPort: number | string; pods: string[] }
  | { kind: 'Pod'; podKind: string; namespace: string; name: string; port: number | '*'; protocol: Protocol | '*'; portName?: string }
  | { kind: 'Host'; name: string; cidrs: string[]; port: number | '*'; endPort?: number; protocol: Protocol | '*' };

export type CellVerdict = VerdictValue | 'no-endpoints';

export interface SideSummary {
  /** Policies isolating the pods on this side, `namespace/name`. */
  isolatedBy: string[];
  /** Rules that allowed some of the traffic. */
  allowedBy: RuleMatch[];
}

export interface Cell {
  source: SourceRef;
  destination: DestinationRef;
  verdict: CellVerdict;
  /** Source-pod × destination-pod pairs evaluated, and how many were allowed (fully). */
  pairs: { total: number; allowed: number };
  egress: SideSummary;
  ingress: SideSummary;
  /** For destinations evaluated on every port: the ports allowed, as `443/TCP`, `8000-8100/TCP`. */
  openPorts?: string[];
}

export interface Matrix {
  sources: SourceRef[];
  destinations: DestinationRef[];
  cells: Cell[];
}

/** The pod that stands for a namespace without pods. */
export function anyPodOf(namespace: string): Endpoint {
  return { kind: 'Namespace', namespace, name: '*', labels: {}, ports: [] };
}

export function sourceKey(s: SourceRef): string {
  return s.kind === 'Namespace' ? s.namespace : `host:${s.name}`;
}

export function destinationLabel(d: DestinationRef): string {
  switch (d.kind) {
    case 'Service':
      return `${d.namespace}/${d.name} (Service)`;
    case 'Pod':
      return `${d.namespace}/${d.name} (${d.podKind})`;
    case 'Host':
      return d.name;
  }
}

export function destinationPort(d: DestinationRef): string {
  switch (d.kind) {
    case 'Service':
      return `${d.port}/${d.protocol}${String(d.targetPort) !== String(d.port) ? ` → ${d.targetPort}` : ''}`;
    case 'Pod':
      return d.port === '*' ? '*' : `${d.port}/${d.protocol}${d.portName ? ` (${d.portName})` : ''}`;
    case 'Host':
      return d.port === '*' ? '*' : `${d.port}${d.endPort ? `-${d.endPort}` : ''}/${d.protocol}`;
  }
}

export function formatSpan(s: { protocol: string; from: number; to: number }): string {
  if (s.from === 1 && s.to === 65535) return `all/${s.protocol}`;
  return `${s.from === s.to ? s.from : `${s.from}-${s.to}`}/${s.protocol}`;
}

/**
 * A matrix of the same cluster, and the namespaces whose objects differ from the input's
 * (the hosts being the same): a cell depends only on the objects of its source's and its
 * destination's namespaces, so its cells between other namespaces (or hosts) hold as they are.
 */
export interface PreviousMatrix {
  cells: readonly Cell[];
  changed: ReadonlySet<string>;
}

/** `sources`: evaluate only the rows of these namespaces (the caller knows the others); no host's row. */
export function buildMatrix(input: MatrixInput, evaluator = new Evaluator(input), previous?: PreviousMatrix, sources?: ReadonlySet<string>): Matrix {
  const only = sources;
  const rows: { ref: SourceRef; parties: Party[] }[] = [];
  const byNamespace = endpointsByNamespace(input.endpoints);
  for (const ns of [...input.namespaces].sort((a, b) => cmp(a.name, b.name))) {
    const pods = byNamespace.get(ns.name) ?? [];
    const parties = (pods.length > 0 ? pods : [anyPodOf(ns.name)]).map((endpoint): Party => ({ kind: 'pod', endpoint }));
    const ref: SourceRef =
      pods.length > 0
        ? { kind: 'Namespace', namespace: ns.name, pods: pods.map((p) => p.name) }
        : { kind: 'Namespace', namespace: ns.name, pods: [], unlabelledPod: true };
    rows.push({ ref, parties });
  }
  for (const host of input.hosts ?? []) {
    rows.push({ ref: { kind: 'Host', name: host.name, cidrs: [...host.cidrs] }, parties: [{ kind: 'host', host }] });
  }

  const destinations = destinationsOf(input, byNamespace);
  const known = previous ? cellsBySource(previous.cells) : undefined;
  const changed = previous?.changed;
  const cells: Cell[] = [];
  for (const src of rows) {
    if (only && !(src.ref.kind === 'Namespace' && only.has(src.ref.namespace))) continue;
    const kept = changed && !(src.ref.kind === 'Namespace' && changed.has(src.ref.namespace)) ? known?.get(sourceKey(src.ref)) : undefined;
    for (const dst of destinations) {
      if (src.ref.kind === 'Host' && dst.ref.kind === 'Host') continue; // outside the cluster at both ends
      const same = kept && !(dst.ref.kind !== 'Host' && changed?.has(dst.ref.namespace)) ? kept.get(destinationKey(dst.ref)) : undefined;
      cells.push(same ?? evaluateCell(evaluator, src.ref, src.parties, dst));
    }
  }
  return { sources: rows.map((s) => s.ref), destinations: destinations.map((d) => d.ref), cells };
}

function destinationKey(d: DestinationRef): string {
  return `${destinationLabel(d)}|${destinationPort(d)}`;
}

/** Cells by source key, then by destination key. */
function cellsBySource(cells: readonly Cell[]): Map<string, Map<string, Cell>> {
  const out = new Map<string, Map<string, Cell>>();
  let source: SourceRef | undefined;
  let row: Map<string, Cell> | undefined;
  for (const cell of cells) {
    if (cell.source !== source || !row) {
      source = cell.source;
      const key = sourceKey(source);
      row = out.get(key) ?? new Map<string, Cell>();
      out.set(key, row);
    }
    row.set(destinationKey(cell.destination), cell);
  }
  return out;
}

/** A destination and, per destination pod (or host), the port to evaluate ('*': every port). */
export interface Dest {
  ref: DestinationRef;
  targets: { party: Party; protocol: Protocol | '*'; port: number | '*'; endPort?: number }[];
}

/** Every destination of the matrix: Service ports, pods no Service selects, external hosts. */
export function destinationsOf(input: MatrixInput, byNamespace = endpointsByNamespace(input.endpoints)): Dest[] {
  const out: Dest[] = [];
  const served = new Set<Endpoint>();
  for (const svc of input.services) {
    const pods = svc.selector
      ? (byNamespace.get(svc.namespace) ?? []).filter((p) => matches({ matchLabels: svc.selector ?? {}, matchExpressions: [] }, p.labels))
      : [];
    for (const p of pods) served.add(p);
    for (const sp of svc.ports) {
      const targets: Dest['targets'] = [];
      for (const pod of pods) {
        const port =
          typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === sp.protocol)?.containerPort;
        // A pod without the named target port is no endpoint of this Service port.
        if (port !== undefined) targets.push({ party: { kind: 'pod', endpoint: pod }, protocol: sp.protocol, port });
      }
      out.push({
        ref: {
          kind: 'Service',
          namespace: svc.namespace,
          name: svc.name,
          port: sp.port,
          protocol: sp.protocol,
          targetPort: sp.targetPort,
          pods: targets.map((t) => (t.party.kind === 'pod' ? t.party.endpoint.name : '')),
        },
        targets,
      });
    }
  }
  for (const pod of input.endpoints) {
    if (served.has(pod)) continue;
    const party: Party = { kind: 'pod', endpoint: pod };
    if (pod.ports.length === 0) {
      out.push({
        ref: { kind: 'Pod', podKind: pod.kind, namespace: pod.namespace, name: pod.name, port: '*', protocol: '*' },
        targets: [{ party, protocol: '*', port: '*' }],
      });
      continue;
    }
    for (const cp of pod.ports) {
      out.push({
        ref: {
          kind: 'Pod',
          podKind: pod.kind,
          namespace: pod.namespace,
          name: pod.name,
          port: cp.containerPort,
          protocol: cp.protocol,
          ...(cp.name ? { portName: cp.name } : {}),
        },
        targets: [{ party, protocol: cp.protocol, port: cp.containerPort }],
      });
    }
  }
  for (const host of input.hosts ?? []) {
    const party: Party = { kind: 'host', host };
    const base = { kind: 'Host' as const, name: host.name, cidrs: [...host.cidrs] };
    if (!host.ports || host.ports.length === 0) {
      out.push({ ref: { ...base, port: '*', protocol: '*' }, targets: [{ party, protocol: '*', port: '*' }] });
      continue;
    }
    for (const pr of host.ports) {
      out.push({
        ref: { ...base, port: pr.port, protocol: pr.protocol, ...(pr.endPort ? { endPort: pr.endPort } : {}) },
        targets: [{ party, protocol: pr.protocol, port: pr.port, ...(pr.endPort ? { endPort: pr.endPort } : {}) }],
      });
    }
  }
  return out;
}

function evaluateCell(evaluator: Evaluator, source: SourceRef, parties: Party[], dst: Dest): Cell {
  const cell: Cell = {
    source,
    destination: dst.ref,
    verdict: 'denied',
    pairs: { total: 0, allowed: 0 },
    egress: { isolatedBy: [], allowedBy: [] },
    ingress: { isolatedBy: [], allowedBy: [] },
  };
  if (dst.targets.length === 0) {
    cell.verdict = 'no-endpoints';
    return cell;
  }
  const open: PortSpan[] = [];
  let any = false;
  let allAllowed = true;
  for (const src of parties) {
    for (const t of dst.targets) {
      cell.pairs.total++;
      let verdicts: Verdict[];
      let pairVerdict: VerdictValue;
      if (t.port === '*' || t.endPort !== undefined || t.protocol === '*') {
        let spans = evaluator.allowedPorts(src, t.party);
        if (t.port !== '*' && t.protocol !== '*') {
          const from = t.port;
          const to = t.endPort ?? t.port;
          spans = spans
            .filter((s) => s.protocol === t.protocol && s.to >= from && s.from <= to)
            .map((s) => ({ ...s, from: Math.max(s.from, from), to: Math.min(s.to, to) }));
        }
        const values = new Set(spans.map((s) => s.verdict));
        if (t.port === '*') {
          // Every port: the cell says which ports are open (openPorts); it is allowed when
          // some port is open to the whole destination, partial when only to part of a host range.
          pairVerdict = values.has('allowed') ? 'allowed' : values.has('partial') ? 'partial' : 'denied';
        } else {
          // A declared range: allowed only when all of it is.
          pairVerdict = values.size === 1 ? (spans[0]?.verdict ?? 'denied') : values.has('allowed') || values.has('partial') ? 'partial' : 'denied';
        }
        open.push(...spans.filter((s) => s.verdict !== 'denied'));
        // Explain with one representative port of each open span, or the first port when none.
        const probes = spans.filter((s) => s.verdict !== 'denied').map((s) => ({ protocol: s.protocol, port: s.from }));
        if (probes.length === 0 && spans[0]) probes.push({ protocol: spans[0].protocol, port: spans[0].from });
        verdicts = probes.map((q) => evaluator.evaluate(src, t.party, q));
      } else {
        const v = evaluator.evaluate(src, t.party, { protocol: t.protocol, port: t.port });
        pairVerdict = v.verdict;
        verdicts = [v];
      }
      if (pairVerdict === 'allowed') cell.pairs.allowed++;
      if (pairVerdict !== 'denied') any = true;
      if (pairVerdict !== 'allowed') allAllowed = false;
      for (const v of verdicts) {
        summarise(cell.egress, v.egress);
        summarise(cell.ingress, v.ingress);
      }
    }
  }
  if (cell.pairs.total === 0) {
    cell.verdict = 'no-endpoints';
    return cell;
  }
  cell.verdict = allAllowed ? 'allowed' : any ? 'partial' : 'denied';
  if (dst.targets.some((t) => t.port === '*' || t.endPort !== undefined)) cell.openPorts = mergeSpans(open).map(formatSpan);
  cell.egress.isolatedBy.sort();
  cell.ingress.isolatedBy.sort();
  return cell;
}

function summarise(into: SideSummary, v: DirectionVerdict): void {
  for (const p of v.isolatedBy) if (!into.isolatedBy.includes(p)) into.isolatedBy.push(p);
  for (const m of v.allowedBy) {
    if (!into.allowedBy.some((x) => x.policy === m.policy && x.direction === m.direction && x.rule === m.rule)) {
      const { addresses: _drop, ...rest } = m;
      into.allowedBy.push(rest);
    }
  }
}

export function endpointsByNamespace(endpoints: readonly Endpoint[]): Map<string, Endpoint[]> {
  const byNamespace = new Map<string, Endpoint[]>();
  for (const e of endpoints) {
    const list = byNamespace.get(e.namespace) ?? [];
    list.push(e);
    byNamespace.set(e.namespace, list);
  }
  return byNamespace;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
