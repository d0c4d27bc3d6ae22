/**
 * From Kubernetes objects (YAML documents or live objects) to what the evaluator needs:
 * namespaces, pods (real ones, or one representative pod per workload), Services and
 * NetworkPolicies. govcloud.dev objects are set aside for rendering.
 *
 * Workloads: Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController and Job
 * stand for their pod template; CronJob for its job's template. When real Pods are present
 * (a live cluster), a workload they descend from (ownerReferences) is represented by them and
 * not again by its template; a ReplicaSet or Job whose owning workload is present is
 * represented by that owner.
 */
import { fieldPath, type Problem } from '../load/problem.ts';
import { parseNetworkPolicy, parseProtocol, isPortName, type FieldError, type Path } from './policy.ts';
import { NAMESPACE_NAME_LABEL, type ContainerPort, type Endpoint, type Namespace, type Policy, type Protocol } from './model.ts';

export const DEFAULT_NAMESPACE = 'default';

/** Where an object came from: a LoadedDocument fits, and so does `{ file: 'cluster', line: 0 }`. */
export interface Source {
  file: string;
  line: number;
  lineOf?(path: readonly (string | number)[]): number;
}

export interface InputObject {
  value: unknown;
  source?: Source;
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol: Protocol;
  /** A number, or the name of a container port of each selected pod. */
  targetPort: number | string;
}

export interface Service {
  namespace: string;
  name: string;
  /** null: a Service without selector (its endpoints are managed by hand): no pods known. */
  selector: Readonly<Record<string, string>> | null;
  ports: readonly ServicePort[];
  type: string;
}

export interface Inventory {
  namespaces: Namespace[];
  endpoints: Endpoint[];
  services: Service[];
  policies: Policy[];
  /** Objects of the govcloud.dev API group, left for the renderers. */
  govcloud: InputObject[];
  problems: Problem[];
  /** Kinds read but not used, with their counts. */
  ignored: Record<string, number>;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'] as const;
const TEMPLATE_PATH: Record<string, Path> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function at(v: unknown, path: Path): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') return undefined;
    out[k] = val;
  }
  return out;
}

interface Item {
  value: Obj;
  source: Source;
  /** Path prefix of the item inside its document (for `kind: List`). */
  base: Path;
}

/** Reads objects; never throws on bad input, every fault becomes a Problem. */
export function readInventory(objects: readonly InputObject[], options: { defaultNamespace?: string } = {}): Inventory {
  const inv: Inventory = { namespaces: [], endpoints: [], services: [], policies: [], govcloud: [], problems: [], ignored: {} };
  const reading: Reading = { inv, defaultNs: options.defaultNamespace ?? DEFAULT_NAMESPACE, seen: new Set(), workloads: [], pods: [], uidIndex: new Map() };
  for (const item of unrollDocuments(objects, inv.problems)) readItem(reading, item);
  inv.endpoints.push(...representedWorkloads(reading));
  addImpliedNamespaces(inv);
  sortInventory(inv);
  return inv;
}

interface Workload {
  kind: string;
  namespace: string;
  name: string;
  owners: Owner[];
  endpoint: Endpoint;
}

/** What one readInventory call gathers while it goes through the objects. */
interface Reading {
  inv: Inventory;
  defaultNs: string;
  /** Objects read so far, by API group, kind, namespace and name: a second definition is refused. */
  seen: Set<string>;
  /** Workloads, each standing for its pod template unless something more concrete does (representedWorkloads). */
  workloads: Workload[];
  pods: { namespace: string; owners: Owner[] }[];
  /** `namespace|kind|name` by uid, to follow ownerReferences. */
  uidIndex: Map<string, string>;
}

/** The objects of every document, the items of a `kind: *List` each on its own; a document that is no mapping is a problem. */
function unrollDocuments(objects: readonly InputObject[], problems: Problem[]): Item[] {
  const items: Item[] = [];
  for (const o of objects) {
    const source = o.source ?? { file: '<input>', line: 0 };
    if (o.value === null || o.value === undefined) continue;
    if (!isObject(o.value)) {
      problems.push({ file: source.file, line: source.line, object: '', message: 'a document must be a Kubernetes object (a mapping)' });
      continue;
    }
    const kind = o.value.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(o.value.items)) {
      for (const [i, item] of (o.value.items as unknown[]).entries()) {
        if (isObject(item)) items.push({ value: item, source, base: ['items', i] });
      }
    } else {
      items.push({ value: o.value, source, base: [] });
    }
  }
  return items;
}

/** A problem at `path` within the item, on the line the path is on. */
function itemProblem(problems: Problem[], item: Item, objectName: string, path: Path, message: string): void {
  const full = [...item.base, ...path];
  problems.push({
    file: item.source.file,
    line: item.source.lineOf ? item.source.lineOf(full) : item.source.line,
    object: objectName,
    ...(path.length > 0 ? { field: fieldPath(path) } : {}),
    message,
  });
}

/** What every object needs before its kind is read: a govcloud.dev one is set aside, one without identity is a problem. */
interface Identity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  owners: Owner[];
  /** `Kind/name` as problems name the object. */
  label: string;
}

function identify(reading: Reading, item: Item): Identity | undefined {
  const { inv } = reading;
  const v = item.value;
  const apiVersion = typeof v.apiVersion === 'string' ? v.apiVersion : '';
  const kind = typeof v.kind === 'string' ? v.kind : '';
  const meta = isObject(v.metadata) ? v.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const label = `${kind || '?'}/${name || '?'}`;
  const problem = (path: Path, message: string) => itemProblem(inv.problems, item, label, path, message);
  if (apiVersion.startsWith('govcloud.dev/')) {
    inv.govcloud.push({
      value: v,
      source: { ...item.source, lineOf: (p) => (item.source.lineOf ? item.source.lineOf([...item.base, ...p]) : item.source.line) },
    });
    return undefined;
  }
  if (!kind || !apiVersion) return void problem([], 'not a Kubernetes object: apiVersion and kind are required');
  if (!name) return void problem(['metadata', 'name'], 'metadata.name is required');
  const namespace = kind === 'Namespace' ? '' : typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : reading.defaultNs;
  const key = `${apiVersion.split('/')[0]}|${kind}|${namespace}|${name}`;
  if (reading.seen.has(key))
    return void problem(['metadata', 'name'], `${kind} ${namespace ? namespace + '/' : ''}${name} is defined more than once; the first definition is used`);
  reading.seen.add(key);
  const labels = stringMap(meta.labels);
  if (!labels) return void problem(['metadata', 'labels'], 'labels must be a mapping of strings to strings');
  const owners = readOwners(meta.ownerReferences);
  if (typeof meta.uid === 'string') reading.uidIndex.set(meta.uid, `${namespace}|${kind}|${name}`);
  return { apiVersion, kind, namespace, name, labels, owners, label };
}

/** One object into the inventory, by its kind; a kind the evaluation does not use is only counted. */
function readItem(reading: Reading, item: Item): void {
  const id = identify(reading, item);
  if (!id) return;
  const { inv } = reading;
  const v = item.value;
  const { apiVersion, kind, namespace, name, labels, owners } = id;
  const problem = (path: Path, message: string) => itemProblem(inv.problems, item, id.label, path, message);
  switch (kind) {
    case 'Namespace':
      inv.namespaces.push({
        name,
        labels: { ...labels, [NAMESPACE_NAME_LABEL]: name },
        ...(at(v, ['metadata', 'deletionTimestamp']) !== undefined ? { terminating: true } : {}),
      });
      return;
    case 'Pod': {
      if (apiVersion !== 'v1') return problem(['apiVersion'], 'a Pod is apiVersion v1');
      const phase = at(v, ['status', 'phase']);
      if (phase === 'Succeeded' || phase === 'Failed') return; // not running: reaches nothing
      const ports = containerPorts(at(v, ['spec']), ['spec'], problem);
      inv.endpoints.push({ kind, namespace, name, labels, ports });
      reading.pods.push({ namespace, owners });
      return;
    }
    case 'Service': {
      const svc = readService(v, namespace, name, problem);
      if (svc) inv.services.push(svc);
      return;
    }
    case 'NetworkPolicy': {
      if (apiVersion !== 'networking.k8s.io/v1') return problem(['apiVersion'], 'a NetworkPolicy is apiVersion networking.k8s.io/v1');
      const parsed = parseNetworkPolicy(v, namespace);
      for (const e of parsed.errors) problem(e.path, e.message);
      if (parsed.policy) inv.policies.push(parsed.policy);
      else problem([], 'the API server would refuse this NetworkPolicy; it is left out of the evaluation');
      return;
    }
    default: {
      const templatePath = TEMPLATE_PATH[kind];
      if (!templatePath) {
        inv.ignored[kind] = (inv.ignored[kind] ?? 0) + 1;
        return;
      }
      const template = at(v, templatePath);
      if (!isObject(template)) return problem(templatePath, 'the pod template is missing');
      const tLabels = stringMap(at(template, ['metadata', 'labels']));
      if (!tLabels) return problem([...templatePath, 'metadata', 'labels'], 'labels must be a mapping of strings to strings');
      const ports = containerPorts(template.spec, [...templatePath, 'spec'], problem);
      reading.workloads.push({ kind, namespace, name, owners, endpoint: { kind, namespace, name, labels: tLabels, ports } });
    }
  }
}

/** The endpoints of the workloads not represented by something more concrete: real pods descending from them, or an owner that is present. */
function representedWorkloads(reading: Reading): Endpoint[] {
  const { workloads, pods, uidIndex } = reading;
  const keyOf = (w: Workload) => `${w.namespace}|${w.kind}|${w.name}`;
  const present = new Set(workloads.map(keyOf));
  const ownersOf = new Map(workloads.map((w) => [keyOf(w), w.owners]));
  const resolve = (ns: string, o: Owner) => (o.uid && uidIndex.get(o.uid)) || `${ns}|${o.kind}|${o.name}`;
  const covered = new Set<string>();
  for (const pod of pods) {
    const queue = pod.owners.map((o) => resolve(pod.namespace, o));
    while (queue.length > 0) {
      const k = queue.shift() as string;
      if (covered.has(k)) continue;
      covered.add(k);
      const ns = k.split('|')[0] as string;
      for (const o of ownersOf.get(k) ?? []) queue.push(resolve(ns, o));
    }
  }
  return workloads.filter((w) => !covered.has(keyOf(w)) && !w.owners.some((o) => present.has(resolve(w.namespace, o)))).map((w) => w.endpoint);
}

/** Namespaces referred to but not declared exist with their implied label only. */
function addImpliedNamespaces(inv: Inventory): void {
  const declared = new Set(inv.namespaces.map((n) => n.name));
  const referred = [...inv.endpoints.map((e) => e.namespace), ...inv.services.map((s) => s.namespace), ...inv.policies.map((p) => p.namespace)];
  for (const ns of referred) {
    if (declared.has(ns)) continue;
    declared.add(ns);
    inv.namespaces.push({ name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns } });
  }
}

/** A stable order, whatever the order of the input. */
function sortInventory(inv: Inventory): void {
  inv.namespaces.sort((a, b) => cmp(a.name, b.name));
  inv.endpoints.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind));
  inv.services.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  inv.policies.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}

interface Owner {
  kind: string;
  name: string;
  uid?: string;
}

function readOwners(raw: unknown): Owner[] {
  if (!Array.isArray(raw)) return [];
  const out: Owner[] = [];
  for (const o of raw) {
    if (!isObject(o) || typeof o.kind !== 'string' || typeof o.name !== 'string') continue;
    out.push({ kind: o.kind, name: o.name, ...(typeof o.uid === 'string' ? { uid: o.uid } : {}) });
  }
  return out;
}

/** Container ports of a pod spec: containers, and init containers that keep running (sidecars). */
function containerPorts(spec: unknown, path: Path, report: (path: Path, message: string) => void): ContainerPort[] {
  const out: ContainerPort[] = [];
  if (!isObject(spec)) return out;
  for (const key of ['containers', 'initContainers'] as const) {
    const containers = spec[key];
    if (!Array.isArray(containers)) continue;
    for (const [ci, c] of containers.entries()) {
      if (!isObject(c)) continue;
      if (key === 'initContainers' && c.restartPolicy !== 'Always') continue;
      if (c.ports === undefined || c.ports === null) continue;
      if (!Array.isArray(c.ports)) {
        report([...path, key, ci, 'ports'], 'ports must be a list');
        continue;
      }
      for (const [pi, p] of c.ports.entries()) {
        const pPath = [...path, key, ci, 'ports', pi];
        if (!isObject(p)) {
          report(pPath, 'a container port must be a mapping');
          continue;
        }
        const n = p.containerPort;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
          report([...pPath, 'containerPort'], 'containerPort is a number between 1 and 65535');
          continue;
        }
        const errors: FieldError[] = [];
        const protocol = parseProtocol(p.protocol, [...pPath, 'protocol'], errors);
        for (const e of errors) report(e.path, e.message);
        if (errors.length > 0) continue;
        const port: ContainerPort = { containerPort: n, protocol };
        if (p.name !== undefined && p.name !== null) {
          if (typeof p.name !== 'string' || !isPortName(p.name)) {
            report(
              [...pPath, 'name'],
              `${typeof p.name === 'string' ? `"${p.name}"` : JSON.stringify(p.name)} is not a valid port name (at most 15 lowercase letters, digits and dashes, with a letter)`,
            );
            continue;
          }
          port.name = p.name;
        }
        out.push(port);
      }
    }
  }
  return out;
}

function readService(v: Obj, namespace: string, name: string, report: (path: Path, message: string) => void): Service | undefined {
  const spec = isObject(v.spec) ? v.spec : {};
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  let selector: Record<string, string> | null = null;
  if (spec.selector !== undefined && spec.selector !== null) {
    const s = stringMap(spec.selector);
    if (!s) {
      report(['spec', 'selector'], 'a Service selector is a mapping of label to value');
      return undefined;
    }
    // An empty selector on a Service selects nothing (it is treated as "no selector").
    selector = Object.keys(s).length > 0 ? s : null;
  }
  if (type === 'ExternalName') selector = null;
  const ports: ServicePort[] = [];
  const rawPorts = Array.isArray(spec.ports) ? spec.ports : [];
  for (const [i, p] of rawPorts.entries()) {
    const path: Path = ['spec', 'ports', i];
    if (!isObject(p)) continue;
    const port = p.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      report([...path, 'port'], 'port is a number between 1 and 65535');
      continue;
    }
    const errors: FieldError[] = [];
    const protocol = parseProtocol(p.protocol, [...path, 'protocol'], errors);
    for (const e of errors) report(e.path, e.message);
    if (errors.length > 0) continue;
    let targetPort: number | string = port;
    const tp = p.targetPort;
    if (typeof tp === 'number' && Number.isInteger(tp) && tp >= 1 && tp <= 65535) targetPort = tp;
    else if (typeof tp === 'string' && isPortName(tp)) targetPort = tp;
    else if (tp !== undefined && tp !== null) {
      report([...path, 'targetPort'], 'targetPort is a port number or a container port name');
      continue;
    }
    ports.push({ ...(typeof p.name === 'string' ? { name: p.name } : {}), port, protocol, targetPort });
  }
  return { namespace, name, selector, ports, type };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
