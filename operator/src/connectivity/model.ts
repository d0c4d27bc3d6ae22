/**
 * What the evaluator reasons about: namespaces, pods (or a workload's representative pod),
 * external hosts and NetworkPolicies read into a checked, defaulted form.
 */
import type { AddressSet, Cidr } from '../model/ip.ts';
import type { Labels, Selector } from './selector.ts';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The label every namespace carries (set by the API server, implied here). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface Namespace {
  name: string;
  /** Labels as written, plus `kubernetes.io/metadata.name: <name>`. */
  labels: Labels;
  /** Being deleted: its policies still hold, but no new pod may start in it. */
  terminating?: boolean;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

/**
 * A pod, or the representative pod of a workload (its template's labels and ports). Kind
 * says which: `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`,
 * `CronJob`, or `Namespace` for the unlabelled pod that stands for a namespace without pods.
 */
export interface Endpoint {
  kind: string;
  namespace: string;
  name: string;
  labels: Labels;
  ports: readonly ContainerPort[];
}

/** Something outside the cluster, addressed by IP: a data centre's range, an external network. */
export interface Host {
  name: string;
  /** The ranges as given, normalised. */
  cidrs: readonly string[];
  addresses: AddressSet;
  /** Ports to show in the matrix when the host is a destination. Absent: every port, summarised. */
  ports?: readonly PortRange[];
  /** Why the host is there, e.g. "data centre dc-hcm (network range)". */
  description?: string;
}

export interface PortRange {
  protocol: Protocol;
  port: number;
  endPort?: number;
}

export interface PolicyPort {
  /** Defaulted to TCP. */
  protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named port of the destination pod. */
  port?: number | string;
  endPort?: number;
}

export type Peer =
  { kind: 'selector'; podSelector?: Selector; namespaceSelector?: Selector } | { kind: 'ipBlock'; cidr: Cidr; except: readonly Cidr[]; addresses: AddressSet };

export interface Rule {
  /** Position in the policy's ingress or egress list. */
  index: number;
  /** null: the list was empty or missing, so every peer (pods and external addresses). */
  peers: readonly Peer[] | null;
  /** null: the list was empty or missing, so every port and protocol. */
  ports: readonly PolicyPort[] | null;
}

export type Direction = 'ingress' | 'egress';

export interface Policy {
  namespace: string;
  name: string;
  podSelector: Selector;
  /** From policyTypes, or its default: Ingress always, Egress when the egress list is non-empty. */
  affectsIngress: boolean;
  affectsEgress: boolean;
  /** policyTypes was absent (or empty) and the default applied. */
  typesDefaulted: boolean;
  ingress: readonly Rule[];
  egress: readonly Rule[];
}

export function policyRef(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

export function endpointRef(e: Endpoint): string {
  return `${e.namespace}/${e.name}`;
}
