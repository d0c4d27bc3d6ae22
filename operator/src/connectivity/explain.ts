/**
 * `--explain SRC DST`: the verdict per port between two ends, and the policies that decided
 * it: the isolating policies on each side and the rules that matched, or the absence of any.
 *
 * An end is `namespace/name` (a pod or workload; for a destination also a Service, meaning
 * the pods it selects on its ports), `namespace` (every pod there, or the unlabelled pod that
 * stands for it when there is none), or an IP address or CIDR (an external host; when it
 * falls inside a known host such as another data centre's range, it is named after it).
 */
import { Evaluator, type DirectionVerdict, type Party, type PortSpan, type RuleMatch, type Verdict } from './evaluate.ts';
import { AddressSet, parseCidr } from '../model/ip.ts';
import { anyPodOf, formatSpan, type MatrixInput } from './matrix.ts';
import { PROTOCOLS, type Host, type Policy, type Protocol } from './model.ts';
import { formatSelector } from './selector.ts';

export interface ResolvedEnd {
  spec: string;
  parties: Party[];
  /** For a destination given as a Service: its ports, to evaluate on their target ports. */
  servicePorts?: { service: string; port: number; protocol: Protocol; targetPort: number | string }[];
}

export type ResolveResult = { ok: true; end: ResolvedEnd } | { ok: false; message: string };

export function partyLabel(p: Party): string {
  if (p.kind === 'host') {
    const cidrs = p.host.cidrs.join(', ');
    return cidrs.length > 0 && !p.host.name.includes(cidrs) ? `${p.host.name} (${cidrs})` : p.host.name;
  }
  const e = p.endpoint;
  if (e.kind === 'Namespace') return `${e.namespace}/* (any unlabelled pod of namespace ${e.namespace}, which has no pods)`;
  return `${e.namespace}/${e.name} (${e.kind})`;
}

export function resolveEnd(spec: string, input: MatrixInput): ResolveResult {
  const text = spec.trim();
  if (/^[0-9.]+(\/\d+)?$/.test(text) || text.includes(':')) {
    const r = parseCidr(text, true);
    if (!r.ok) return { ok: false, message: r.message };
    const addresses = AddressSet.of([r.cidr]);
    const known = (input.hosts ?? []).find((h) => h.addresses.covers(addresses));
    const host: Host = known
      ? { ...known, name: `${r.cidr.text} in ${known.name}`, cidrs: [r.cidr.text], addresses }
      : { name: r.cidr.text, cidrs: [r.cidr.text], addresses, description: 'an external address' };
    return { ok: true, end: { spec: text, parties: [{ kind: 'host', host }] } };
  }
  const known = (input.hosts ?? []).find((h) => h.name === text);
  if (known) return { ok: true, end: { spec: text, parties: [{ kind: 'host', host: known }] } };
  const slash = text.indexOf('/');
  if (slash < 0) {
    const pods = input.endpoints.filter((e) => e.namespace === text);
    if (pods.length > 0) return { ok: true, end: { spec: text, parties: pods.map((endpoint) => ({ kind: 'pod', endpoint })) } };
    if (input.namespaces.some((n) => n.name === text)) return { ok: true, end: { spec: text, parties: [{ kind: 'pod', endpoint: anyPodOf(text) }] } };
    return { ok: false, message: `"${text}" is no namespace, host or IP address known here` };
  }
  const namespace = text.slice(0, slash);
  const name = text.slice(slash + 1);
  const pods = input.endpoints.filter((e) => e.namespace === namespace && e.name === name);
  if (pods.length > 0) return { ok: true, end: { spec: text, parties: pods.map((endpoint) => ({ kind: 'pod', endpoint })) } };
  const svc = input.services.find((s) => s.namespace === namespace && s.name === name);
  if (svc) {
    const selected = svc.selector
      ? input.endpoints.filter((e) => e.namespace === namespace && Object.entries(svc.selector ?? {}).every(([k, v]) => e.labels[k] === v))
      : [];
    if (selected.length === 0) return { ok: false, message: `Service ${text} selects no pod or workload here` };
    return {
      ok: true,
      end: {
        spec: text,
        parties: selected.map((endpoint) => ({ kind: 'pod', endpoint })),
        servicePorts: svc.ports.map((p) => ({ service: svc.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
      },
    };
  }
  return { ok: false, message: `no pod, workload or Service ${text}` };
}

export interface PortResult extends Verdict {
  /** `443/TCP`, with the Service port or the container port's name where there is one. */
  label: string;
}

export interface PairExplanation {
  source: Party;
  destination: Party;
  /** Evaluated ports. */
  ports: PortResult[];
  /** When no port is known for the destination: every port, in spans of one verdict. */
  spans?: PortSpan[];
}

export interface Explanation {
  source: string;
  destination: string;
  pairs: PairExplanation[];
}

export interface ExplainOptions {
  /** Only this port. */
  port?: { port: number; protocol: Protocol };
}

export function explain(input: MatrixInput, src: ResolvedEnd, dst: ResolvedEnd, options: ExplainOptions = {}, evaluator = new Evaluator(input)): Explanation {
  const out: Explanation = { source: src.spec, destination: dst.spec, pairs: [] };
  for (const s of src.parties) {
    for (const d of dst.parties) {
      if (s.kind === 'host' && d.kind === 'host') continue;
      const queries = portsFor(d, dst, options, input);
      const pair: PairExplanation = { source: s, destination: d, ports: [] };
      if (queries.length === 0) {
        pair.spans = evaluator.allowedPorts(s, d);
        // One representative port of each open span shows which rules opened it.
        const open = pair.spans.filter((x) => x.verdict !== 'denied');
        for (const span of open) {
          pair.ports.push({ ...evaluator.evaluate(s, d, { protocol: span.protocol, port: span.from }), label: formatSpan(span) });
        }
        // Nothing open: say why on one port (every port is denied for the same reason).
        const first = pair.spans[0];
        if (open.length === 0 && first) {
          pair.ports.push({ ...evaluator.evaluate(s, d, { protocol: first.protocol, port: first.from }), label: 'every port' });
        }
      } else {
        for (const q of queries) pair.ports.push({ ...evaluator.evaluate(s, d, q), label: q.label });
      }
      out.pairs.push(pair);
    }
  }
  return out;
}

function portsFor(d: Party, end: ResolvedEnd, options: ExplainOptions, input: MatrixInput): { protocol: Protocol; port: number; label: string }[] {
  if (options.port) return [{ ...options.port, label: `${options.port.port}/${options.port.protocol}` }];
  if (d.kind === 'host') {
    return (d.host.ports ?? []).filter((p) => p.endPort === undefined).map((p) => ({ protocol: p.protocol, port: p.port, label: `${p.port}/${p.protocol}` }));
  }
  const pod = d.endpoint;
  if (end.servicePorts) {
    const out: { protocol: Protocol; port: number; label: string }[] = [];
    for (const sp of end.servicePorts) {
      const target =
        typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === sp.protocol)?.containerPort;
      if (target === undefined) continue;
      out.push({ protocol: sp.protocol, port: target, label: `${target}/${sp.protocol} (Service ${sp.service} port ${sp.port})` });
    }
    return out;
  }
  // Container ports, each with the Service ports that lead to it.
  const services = input.services.filter(
    (s) => s.namespace === pod.namespace && s.selector && Object.entries(s.selector).every(([k, v]) => pod.labels[k] === v),
  );
  return pod.ports.map((cp) => {
    const via = services.flatMap((s) =>
      s.ports
        .filter((sp) => sp.protocol === cp.protocol && (sp.targetPort === cp.containerPort || sp.targetPort === cp.name))
        .map((sp) => `Service ${s.namespace}/${s.name} port ${sp.port}`),
    );
    const notes = [...(cp.name ? [cp.name] : []), ...via];
    return { protocol: cp.protocol, port: cp.containerPort, label: `${cp.containerPort}/${cp.protocol}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}` };
  });
}

/** The text people read. */
export function formatExplanation(x: Explanation, policies: readonly Policy[]): string {
  const byRef = new Map(policies.map((p) => [`${p.namespace}/${p.name}`, p]));
  const lines: string[] = [];
  if (x.pairs.length === 0) lines.push(`${x.source} → ${x.destination}: nothing to evaluate (both ends are outside the cluster)`);
  for (const pair of x.pairs) {
    lines.push(`${partyLabel(pair.source)} → ${partyLabel(pair.destination)}`);
    if (pair.spans) {
      const open = pair.spans.filter((s) => s.verdict !== 'denied');
      lines.push(`  no port is declared at the destination; every port evaluated:`);
      lines.push(`  open: ${open.length === 0 ? 'none' : open.map((s) => `${formatSpan(s)}${s.verdict === 'partial' ? ' (partly)' : ''}`).join(', ')}`);
    }
    for (const r of pair.ports) {
      lines.push(`  ${r.label}: ${r.verdict.toUpperCase()}`);
      lines.push(`    ${describeSide(r.egress, pair.source, byRef)}`);
      lines.push(`    ${describeSide(r.ingress, pair.destination, byRef)}`);
    }
    if (pair.ports.length === 0) lines.push('  no port to evaluate');
  }
  return lines.join('\n') + '\n';
}

function describeSide(v: DirectionVerdict, party: Party, byRef: Map<string, Policy>): string {
  const who = party.kind === 'pod' ? `${party.endpoint.namespace}/${party.endpoint.name}` : party.host.name;
  const dir = v.direction;
  if (!v.applies) return `${dir}: ${who} is outside the cluster; no NetworkPolicy governs it`;
  if (!v.isolated) {
    const ns = party.kind === 'pod' ? party.endpoint.namespace : '';
    return `${dir} of ${who}: not isolated (no policy in ${ns} selects it with ${dir === 'ingress' ? 'Ingress' : 'Egress'} in its policyTypes): allowed`;
  }
  const head = `${dir} of ${who}: isolated by ${v.isolatedBy.join(', ')}`;
  if (v.allowedBy.length === 0) return `${head}; no ${dir} rule of these policies matches: denied`;
  const rules = v.allowedBy.map((m) => describeMatch(m, byRef));
  const coverage = v.coverage === 'some' ? ` (only ${v.addresses?.join(', ')})` : '';
  return `${head}; allowed${coverage} by ${rules.join('; ')}`;
}

export function describeMatch(m: RuleMatch, byRef: Map<string, Policy>): string {
  const policy = byRef.get(m.policy);
  const rule = policy ? (m.direction === 'ingress' ? policy.ingress : policy.egress)[m.rule] : undefined;
  const peersKey = m.direction === 'ingress' ? 'from' : 'to';
  let peer = `${peersKey}: all`;
  if (rule && rule.peers && m.peer !== undefined) {
    const p = rule.peers[m.peer];
    if (p?.kind === 'ipBlock')
      peer = `${peersKey}[${m.peer}] ipBlock ${p.cidr.text}${p.except.length ? ` except ${p.except.map((e) => e.text).join(', ')}` : ''}`;
    else if (p) {
      const parts: string[] = [];
      if (p.namespaceSelector) parts.push(`namespaceSelector ${formatSelector(p.namespaceSelector)}`);
      if (p.podSelector) parts.push(`podSelector ${formatSelector(p.podSelector)}`);
      if (!p.namespaceSelector) parts.push(`(namespace ${policy?.namespace})`);
      peer = `${peersKey}[${m.peer}] ${parts.join(' + ')}`;
    }
  }
  let ports = 'all ports';
  if (rule && rule.ports && m.port !== undefined) {
    const pp = rule.ports[m.port];
    if (pp) ports = `ports[${m.port}] ${pp.port === undefined ? 'all' : pp.port}${pp.endPort ? `-${pp.endPort}` : ''}/${pp.protocol}`;
  }
  const addr = m.addresses ? ` for ${m.addresses.join(', ')}` : '';
  return `${m.policy} ${m.direction}[${m.rule}] (${peer}; ${ports})${addr}`;
}

/** `443`, `443/TCP`, `53/udp`. */
export function parsePortOption(text: string): { ok: true; port: { port: number; protocol: Protocol } } | { ok: false; message: string } {
  const m = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  const protocol = (m?.[2] ?? 'TCP').toUpperCase();
  if (!m || n < 1 || n > 65535 || !(PROTOCOLS as readonly string[]).includes(protocol)) {
    return { ok: false, message: `"${text}" is not a port: write 443, 443/TCP, 53/UDP or 3868/SCTP` };
  }
  return { ok: true, port: { port: n, protocol: protocol as Protocol } };
}
