/**
 * NetworkPolicy building blocks. Namespaces are selected by `kubernetes.io/metadata.name`,
 * which the API server sets and no tenant can change, never by labels a tenant could write.
 * A rule never gets an empty peer list: in Kubernetes that would mean "everyone".
 */
import { NAMESPACE_NAME_LABEL, metadata, sortedUnique, type MetaOptions } from './meta.ts';
import type { PortRange } from '../model/ports.ts';
import type { DesiredObject } from './types.ts';

export type Peer = Record<string, unknown>;

/** One peer selecting the named namespaces (all pods in them, or those matching `podLabels`). */
export function namespacesPeer(namespaces: Iterable<string>, podLabels?: Record<string, string>): Peer[] {
  const names = sortedUnique(namespaces);
  if (names.length === 0) return [];
  const namespaceSelector =
    names.length === 1
      ? { matchLabels: { [NAMESPACE_NAME_LABEL]: names[0] } }
      : { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: names }] };
  const peer: Peer = { namespaceSelector };
  if (podLabels) peer.podSelector = { matchLabels: { ...podLabels } };
  return [peer];
}

/** One ipBlock peer per range, sorted. */
export function ipBlockPeers(cidrs: Iterable<string>): Peer[] {
  return sortedUnique(cidrs).map((cidr) => ({ ipBlock: { cidr } }));
}

/** One ipBlock peer per kept range (model/addresses.ts), sorted, with its excepts where it has any. */
export function addressPeers(blocks: readonly { cidr: string; except: readonly string[] }[]): Peer[] {
  return [...blocks]
    .sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0))
    .filter((b, i, all) => i === 0 || all[i - 1]!.cidr !== b.cidr)
    .map((b) => ({ ipBlock: b.except.length > 0 ? { cidr: b.cidr, except: [...b.except] } : { cidr: b.cidr } }));
}

export function policyPorts(ports: readonly PortRange[]): Record<string, unknown>[] {
  return ports.map((p) => (p.endPort === undefined ? { protocol: p.protocol, port: p.port } : { protocol: p.protocol, port: p.port, endPort: p.endPort }));
}

export function networkPolicy(meta: MetaOptions, spec: Record<string, unknown>): DesiredObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(meta), spec };
}

/** A policy that opens one direction to the peers on the ports; undefined when there is no peer. */
export function directionalPolicy(
  meta: MetaOptions,
  direction: 'Ingress' | 'Egress',
  peers: Peer[],
  ports: readonly PortRange[],
  podSelector: Record<string, unknown> = {},
): DesiredObject | undefined {
  if (peers.length === 0) return undefined;
  const rule: Record<string, unknown> = direction === 'Egress' ? { to: peers } : { from: peers };
  if (ports.length > 0) rule.ports = policyPorts(ports);
  return networkPolicy(meta, {
    podSelector,
    policyTypes: [direction],
    [direction === 'Egress' ? 'egress' : 'ingress']: [rule],
  });
}
