/**
 * The NetworkPolicy evaluator: may traffic go from a source to a destination on a port?
 *
 * Kubernetes semantics (networking.k8s.io/v1):
 * - A pod is isolated for ingress (egress) when at least one policy in its namespace selects
 *   it (spec.podSelector) and affects ingress (egress), per policyTypes or its default.
 * - Traffic is allowed when the source's egress allows it (or the source is not isolated for
 *   egress) and the destination's ingress allows it (or it is not isolated for ingress).
 *   Policies are additive: any rule of any selecting policy is enough.
 * - A rule allows when one of its peers matches (no peers: all) and one of its ports
 *   matches (no ports: all). Named ports resolve against the destination pod's container
 *   ports, by name and protocol.
 *
 * Where Kubernetes leaves the answer to the network plugin, this evaluator decides:
 * - ipBlock peers match external hosts only, never pods (pod IPs are ephemeral and plugins
 *   differ on whether ipBlock matches them, and on source NAT).
 * - an external host is not governed by any policy: its own side of the decision is "not
 *   applicable", only the pod's side decides.
 * - a workload's representative pod stands for all its replicas, so traffic from it to itself
 *   is evaluated as replica-to-replica traffic (subject to the policies). Traffic from a pod's
 *   own node, always allowed by Kubernetes, is not modelled.
 */
import { AddressSet } from '../model/ip.ts';
import {
  NAMESPACE_NAME_LABEL,
  PROTOCOLS,
  type Direction,
  type Endpoint,
  type Host,
  type Namespace,
  type Peer,
  type Policy,
  type PolicyPort,
  type Protocol,
  type Rule,
} from './model.ts';
import { matches, type Labels } from './selector.ts';

export type Party = { kind: 'pod'; endpoint: Endpoint } | { kind: 'host'; host: Host };

export interface PortQuery {
  protocol: Protocol;
  port: number;
}

/** A rule that allowed the traffic. */
export interface RuleMatch {
  policy: string;
  direction: Direction;
  rule: number;
  /** Index of the peer that matched; absent when the rule has no peers (all). */
  peer?: number;
  /** Index of the port entry that matched; absent when the rule has no ports (all). */
  port?: number;
  /** For an external host: the part of its addresses this rule allows. */
  addresses?: string[];
}

export type Coverage = 'all' | 'some' | 'none';

export interface DirectionVerdict {
  direction: Direction;
  /** False when this side is an external host: no cluster policy governs it. */
  applies: boolean;
  isolated: boolean;
  /** Policies that isolate the pod in this direction, `namespace/name`, sorted. */
  isolatedBy: string[];
  /** Rules that allow the traffic. */
  allowedBy: RuleMatch[];
  /** How much of the traffic this side lets through: all, none, or (for a host range) some addresses. */
  coverage: Coverage;
  /** For an external host and coverage "some": the addresses allowed. */
  addresses?: string[];
}

export type VerdictValue = 'allowed' | 'denied' | 'partial';

export interface Verdict {
  protocol: Protocol;
  port: number;
  verdict: VerdictValue;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

/** A port range with one verdict, from `allowedPorts`. */
export interface PortSpan {
  protocol: Protocol;
  from: number;
  to: number;
  verdict: VerdictValue;
}

export function namespaceLabels(name: string, labels: Labels = {}): Labels {
  return { ...labels, [NAMESPACE_NAME_LABEL]: name };
}

export class Evaluator {
  private readonly namespaces = new Map<string, Labels>();
  private readonly policiesByNamespace = new Map<string, Policy[]>();
  private readonly isolationCache = new WeakMap<Endpoint, { ingress: Policy[]; egress: Policy[] }>();

  constructor(input: { namespaces: readonly Namespace[]; policies: readonly Policy[] }) {
    for (const ns of input.namespaces) this.namespaces.set(ns.name, namespaceLabels(ns.name, ns.labels));
    const sorted = [...input.policies].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
    for (const p of sorted) {
      const list = this.policiesByNamespace.get(p.namespace) ?? [];
      list.push(p);
      this.policiesByNamespace.set(p.namespace, list);
    }
  }

  /** Labels of a namespace; one not declared has only its implied name label. */
  namespaceLabels(name: string): Labels {
    return this.namespaces.get(name) ?? namespaceLabels(name);
  }

  /** Policies that select the pod and affect the direction, sorted by name. */
  isolating(endpoint: Endpoint, direction: Direction): Policy[] {
    let entry = this.isolationCache.get(endpoint);
    if (!entry) {
      const selecting = (this.policiesByNamespace.get(endpoint.namespace) ?? []).filter((p) => matches(p.podSelector, endpoint.labels));
      entry = { ingress: selecting.filter((p) => p.affectsIngress), egress: selecting.filter((p) => p.affectsEgress) };
      this.isolationCache.set(endpoint, entry);
    }
    return entry[direction];
  }

  evaluate(src: Party, dst: Party, query: PortQuery): Verdict {
    const egress = src.kind === 'pod' ? this.side('egress', src.endpoint, dst, dst, query) : notApplicable('egress');
    const ingress = dst.kind === 'pod' ? this.side('ingress', dst.endpoint, src, dst, query) : notApplicable('ingress');
    return { protocol: query.protocol, port: query.port, verdict: combine(egress.coverage, ingress.coverage), egress, ingress };
  }

  /**
   * Every port of every protocol, cut into spans with one verdict each. Exact: the spans are
   * cut at every boundary a relevant rule draws, and one port of each span is evaluated.
   */
  allowedPorts(src: Party, dst: Party): PortSpan[] {
    const dstPod = dst.kind === 'pod' ? dst.endpoint : undefined;
    const relevant: Policy[] = [];
    if (src.kind === 'pod') relevant.push(...this.isolating(src.endpoint, 'egress'));
    if (dstPod) relevant.push(...this.isolating(dstPod, 'ingress'));
    const spans: PortSpan[] = [];
    for (const protocol of PROTOCOLS) {
      const cuts = new Set<number>([1]);
      for (const p of relevant) {
        for (const rule of [...(p.affectsIngress ? p.ingress : []), ...(p.affectsEgress ? p.egress : [])]) {
          for (const pp of rule.ports ?? []) {
            if (pp.protocol !== protocol) continue;
            for (const [lo, hi] of numericRanges(pp, dstPod)) {
              cuts.add(lo);
              if (hi < 65535) cuts.add(hi + 1);
            }
          }
        }
      }
      const starts = [...cuts].sort((a, b) => a - b);
      for (const [i, from] of starts.entries()) {
        const to = (starts[i + 1] ?? 65536) - 1;
        const verdict = this.evaluate(src, dst, { protocol, port: from }).verdict;
        const last = spans[spans.length - 1];
        if (last && last.protocol === protocol && last.verdict === verdict && last.to === from - 1) last.to = to;
        else spans.push({ protocol, from, to, verdict });
      }
    }
    return spans;
  }

  /**
   * One side of the decision: `pod` is the isolated-or-not pod on this side; `peer` the other
   * party (matched against the rules' peers); `destination` resolves named ports.
   */
  private side(direction: Direction, pod: Endpoint, peer: Party, destination: Party, query: PortQuery): DirectionVerdict {
    const policies = this.isolating(pod, direction);
    if (policies.length === 0) {
      return { direction, applies: true, isolated: false, isolatedBy: [], allowedBy: [], coverage: 'all' };
    }
    const dstPod = destination.kind === 'pod' ? destination.endpoint : undefined;
    const allowedBy: RuleMatch[] = [];
    let hostAllowed = AddressSet.EMPTY;
    let podAllowed = false;
    for (const policy of policies) {
      const ref = `${policy.namespace}/${policy.name}`;
      for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
        const port = portMatch(rule, query, dstPod);
        if (port === false) continue;
        const peerMatch = this.peerMatch(rule, policy, peer);
        if (!peerMatch) continue;
        const match: RuleMatch = { policy: ref, direction, rule: rule.index };
        if (peerMatch.peer !== undefined) match.peer = peerMatch.peer;
        if (port !== true) match.port = port;
        if (peer.kind === 'host') {
          const covered = peerMatch.addresses.intersect(peer.host.addresses);
          if (covered.isEmpty()) continue;
          if (!covered.equals(peer.host.addresses)) match.addresses = covered.toCidrs();
          hostAllowed = hostAllowed.union(covered);
        } else {
          podAllowed = true;
        }
        allowedBy.push(match);
      }
    }
    const out: DirectionVerdict = {
      direction,
      applies: true,
      isolated: true,
      isolatedBy: policies.map((p) => `${p.namespace}/${p.name}`),
      allowedBy,
      coverage: 'none',
    };
    if (peer.kind === 'host') {
      if (hostAllowed.covers(peer.host.addresses)) out.coverage = 'all';
      else if (!hostAllowed.isEmpty()) {
        out.coverage = 'some';
        out.addresses = hostAllowed.toCidrs();
      }
    } else if (podAllowed) out.coverage = 'all';
    return out;
  }

  /**
   * Which peer of the rule matches the party, if any. For a host, the addresses the rule
   * lets through (a rule without peers lets everything through).
   */
  private peerMatch(rule: Rule, policy: Policy, party: Party): { peer?: number; addresses: AddressSet } | undefined {
    if (rule.peers === null) return { addresses: AddressSet.ALL };
    if (party.kind === 'host') {
      let addresses = AddressSet.EMPTY;
      let first: number | undefined;
      for (const [i, peer] of rule.peers.entries()) {
        if (peer.kind !== 'ipBlock') continue;
        if (peer.addresses.intersect(party.host.addresses).isEmpty()) continue;
        addresses = addresses.union(peer.addresses);
        first ??= i;
      }
      if (first === undefined) return undefined;
      return { peer: first, addresses };
    }
    for (const [i, peer] of rule.peers.entries()) {
      if (this.peerMatchesPod(peer, policy, party.endpoint)) return { peer: i, addresses: AddressSet.EMPTY };
    }
    return undefined;
  }

  private peerMatchesPod(peer: Peer, policy: Policy, pod: Endpoint): boolean {
    if (peer.kind === 'ipBlock') return false; // ipBlocks match external hosts only: see the file comment
    if (peer.namespaceSelector) {
      if (!matches(peer.namespaceSelector, this.namespaceLabels(pod.namespace))) return false;
    } else if (pod.namespace !== policy.namespace) {
      return false; // podSelector alone: the policy's own namespace
    }
    return peer.podSelector ? matches(peer.podSelector, pod.labels) : true;
  }
}

function notApplicable(direction: Direction): DirectionVerdict {
  return { direction, applies: false, isolated: false, isolatedBy: [], allowedBy: [], coverage: 'all' };
}

function combine(a: Coverage, b: Coverage): VerdictValue {
  if (a === 'none' || b === 'none') return 'denied';
  if (a === 'all' && b === 'all') return 'allowed';
  return 'partial';
}

/**
 * Whether the rule's ports admit the query: true (no ports: all), the index of the first
 * matching port entry, or false.
 */
export function portMatch(rule: Rule, query: PortQuery, dstPod: Endpoint | undefined): number | boolean {
  if (rule.ports === null) return true;
  for (const [i, pp] of rule.ports.entries()) {
    if (policyPortMatches(pp, query, dstPod)) return i;
  }
  return false;
}

export function policyPortMatches(pp: PolicyPort, query: PortQuery, dstPod: Endpoint | undefined): boolean {
  if (pp.protocol !== query.protocol) return false;
  if (pp.port === undefined) return true;
  if (typeof pp.port === 'number') {
    const end = pp.endPort ?? pp.port;
    return query.port >= pp.port && query.port <= end;
  }
  // A named port: the destination pod must declare a container port of that name and
  // protocol, and the traffic must go to its number. An external host has no named ports.
  if (!dstPod) return false;
  return dstPod.ports.some((cp) => cp.name === pp.port && cp.protocol === query.protocol && cp.containerPort === query.port);
}

/** The numeric ranges a policy port stands for at a destination (named ports resolved). */
function numericRanges(pp: PolicyPort, dstPod: Endpoint | undefined): [number, number][] {
  if (pp.port === undefined) return [[1, 65535]];
  if (typeof pp.port === 'number') return [[pp.port, pp.endPort ?? pp.port]];
  if (!dstPod) return [];
  return dstPod.ports.filter((cp) => cp.name === pp.port && cp.protocol === pp.protocol).map((cp) => [cp.containerPort, cp.containerPort]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
