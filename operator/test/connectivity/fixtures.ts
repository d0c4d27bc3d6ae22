/** Small builders for Kubernetes objects, and a world to ask questions of. */
import * as assert from 'uvu/assert';
import { Evaluator, type Party, type Verdict } from '../../src/connectivity/evaluate.ts';
import { AddressSet, parseCidr } from '../../src/model/ip.ts';
import type { Host, Protocol } from '../../src/connectivity/model.ts';
import { readInventory, type Inventory } from '../../src/connectivity/objects.ts';

type Labels = Record<string, string>;
type Port = number | [number, string] | [number, string, Protocol] | { containerPort: number; name?: string; protocol?: Protocol };

export function namespace(name: string, labels: Labels = {}) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function toContainerPorts(ports: Port[]) {
  return ports.map((p) =>
    typeof p === 'number' ? { containerPort: p } : Array.isArray(p) ? { containerPort: p[0], name: p[1], ...(p[2] ? { protocol: p[2] } : {}) } : p,
  );
}

/** `ns/name` */
export function pod(id: string, labels: Labels = {}, ports: Port[] = []) {
  const [ns, name] = id.split('/') as [string, string];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'main', image: 'x', ports: toContainerPorts(ports) }] },
  };
}

export function deployment(id: string, labels: Labels, ports: Port[] = [], kind = 'Deployment', apiVersion = 'apps/v1') {
  const [ns, name] = id.split('/') as [string, string];
  const template = { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'x', ports: toContainerPorts(ports) }] } };
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: ns },
    spec: kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: labels }, template },
  };
}

export function service(id: string, selector: Labels, ports: { port: number; targetPort?: number | string; protocol?: Protocol; name?: string }[]) {
  const [ns, name] = id.split('/') as [string, string];
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports } };
}

/** `ns/name` */
export function policy(id: string, spec: Record<string, unknown>) {
  const [ns, name] = id.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function host(name: string, ...cidrs: string[]): Host {
  const parsed = cidrs.map((c) => {
    const r = parseCidr(c, true);
    if (!r.ok) throw new Error(r.message);
    return r.cidr;
  });
  return { name, cidrs: parsed.map((c) => c.text), addresses: AddressSet.of(parsed) };
}

export interface World {
  inv: Inventory;
  ev: Evaluator;
  hosts: Map<string, Host>;
  party(ref: string): Party;
  /** The verdict from `a` to `b` (`ns/pod` or a host name) on `port/protocol`. */
  check(a: string, b: string, port: number, protocol?: Protocol): Verdict;
  can(a: string, b: string, port: number, protocol?: Protocol): boolean;
}

export function world(objects: unknown[], hosts: Host[] = [], options: { allowProblems?: boolean } = {}): World {
  const inv = readInventory(objects.map((value) => ({ value, source: { file: 'test.yaml', line: 1 } })));
  if (!options.allowProblems) assert.equal(inv.problems, [], 'fixture has problems');
  const ev = new Evaluator(inv);
  const hostMap = new Map(hosts.map((h) => [h.name, h]));
  const party = (ref: string): Party => {
    const h = hostMap.get(ref);
    if (h) return { kind: 'host', host: h };
    const [ns, name] = ref.split('/');
    const e = inv.endpoints.find((x) => x.namespace === ns && x.name === name);
    if (!e) throw new Error(`no pod ${ref}`);
    return { kind: 'pod', endpoint: e };
  };
  const check = (a: string, b: string, port: number, protocol: Protocol = 'TCP') => ev.evaluate(party(a), party(b), { protocol, port });
  return { inv, ev, hosts: hostMap, party, check, can: (a, b, port, protocol) => check(a, b, port, protocol).verdict === 'allowed' };
}
