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
  const defaultNs = options.defaultNamespace ?? DEFAULT_NAMESPACE;
  const inv: Inventory = { namespaces: [], endpoints: [], services: [], policies: [], govcloud: [], problems: [], ignored: {} };
  const items: Item[] = [];
  for (const o of objects) {
    const source = o.source ?? { file: '<input>', line: 0 };
    if (o.value === null || o.value === undefined) continue;
    if (!isObject(o.value)) {
      inv.problems.push({ file: source.file, line: source.line, object: '', message: 'a document must be a Kubernetes object (a mapping)' });
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

  const problem = (item: Item, objectName: string, path: Path, message: string) => {
    const full = [...item.base, ...path];
    inv.problems.push({
      file: item.source.file,
      line: item.source.lineOf ? item.source.lineOf(full) : item.source.line,
      object: objectName,
      ...(path.length > 0 ? { field: fieldPath(path) } : {}),
      message,
    });
  };

  const seen = new Set<string>();
  const workloads: { kind: string; namespace: string; name: string; owners: Owner[]; endpoint: Endpoint }[] = [];
  const pods: { namespace: string; owners: Owner[] }[] = [];
  const uidIndex = new Map<string, string>();

  for (const item of items) {
    const v = item.value;
    const apiVersion = typeof v.apiVersion === 'string' ? v.apiVersion : '';
    const kind = typeof v.kind === 'string' ? v.kind : '';
    const meta = isObject(v.metadata) ? v.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const label = `${kind || '?'}/${name || '?'}`;
    if (apiVersion.startsWith('govcloud.dev/')) {
      inv.govcloud.push({ value: v, source: { ...item.source, lineOf: (p) => (item.source.lineOf ? item.source.lineOf([...item.base, ...p]) : item.source.line) } });
      continue;
    }
    if (!kind || !apiVersion) {
      problem(item, label, [], 'not a Kubernetes object: apiVersion and kind are required');
      continue;
    }
    if (!name) {
      problem(item, label, ['metadata', 'name'], 'metadata.name is required');
      continue;
    }
    const namespace = kind === 'Namespace' ? '' : typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNs;
    const key = `${apiVersion.split('/')[0]}|${kind}|${namespace}|${name}`;
    if (seen.has(key)) {
      problem(item, label, ['metadata', 'name'], `${kind} ${namespace ? namespace + '/' : ''}${name} is defined more than once; the first definition is used`);
      continue;
    }
    seen.add(key);
    const labels = stringMap(meta.labels);
    if (!labels) {
      problem(item, label, ['metadata', 'labels'], 'labels must be a mapping of strings to strings');
      continue;
    }
    const owners = readOwners(meta.ownerReferences);
    if (typeof meta.uid === 'string') uidIndex.set(meta.uid, `${namespace}|${kind}|${name}`);

    switch (kind) {
      case 'Namespace':
        inv.namespaces.push({ name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name } });
        break;
      case 'Pod': {
        if (apiVersion !== 'v1') {
          problem(item, label, ['apiVersion'], 'a Pod is apiVersion v1');
          break;
        }
        const phase = at(v, ['status', 'phase']);
        if (phase === 'Succeeded' || phase === 'Failed') break; // not running: reaches nothing
        const ports = containerPorts(at(v, ['spec']), ['spec'], (p, m) => problem(item, label, p, m));
        inv.endpoints.push({ kind, namespace, name, labels, ports });
        pods.push({ namespace, owners });
        break;
      }
      case 'Service': {
        const svc = readService(v, namespace, name, (p, m) => problem(item, label, p, m));
        if (svc) inv.services.push(svc);
        break;
      }
      case 'NetworkPolicy': {
        if (apiVersion !== 'networking.k8s.io/v1') {
          problem(item, label, ['apiVersion'], 'a NetworkPolicy is apiVersion networking.k8s.io/v1');
          break;
        }
        const parsed = parseNetworkPolicy(v, namespace);
        for (const e of parsed.errors) problem(item, label, e.path, e.message);
        if (parsed.policy) inv.policies.push(parsed.policy);
        else problem(item, label, [], 'the API server would refuse this NetworkPolicy; it is left out of the evaluation');
        break;
      }
      default: {
        const templatePath = TEMPLATE_PATH[kind];
        if (!templatePath) {
          inv.ignored[kind] = (inv.ignored[kind] ?? 0) + 1;
          break;
        }
        const template = at(v, templatePath);
        if (!isObject(template)) {
          problem(item, label, templatePath, 'the pod template is missing');
          break;
        }
        const tLabels = stringMap(at(template, ['metadata', 'labels']));
        if (!tLabels) {
          problem(item, label, [...templatePath, 'metadata', 'labels'], 'labels must be a mapping of strings to strings');
          break;
        }
        const ports = containerPorts(template.spec, [...templatePath, 'spec'], (p, m) => problem(item, label, p, m));
        workloads.push({ kind, namespace, name, owners, endpoint: { kind, namespace, name, labels: tLabels, ports } });
        break;
      }
    }
  }

  // Which workloads are represented by something more concrete: real pods, or an owner.
  const present = new Set(workloads.map((w) => `${w.namespace}|${w.kind}|${w.name}`));
  const ownersOf = new Map(workloads.map((w) => [`${w.namespace}|${w.kind}|${w.name}`, w.owners]));
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
  for (const w of workloads) {
    const k = `${w.namespace}|${w.kind}|${w.name}`;
    if (covered.has(k)) continue;
    if (w.owners.some((o) => present.has(resolve(w.namespace, o)))) continue;
    inv.endpoints.push(w.endpoint);
  }

  // Namespaces referred to but not declared exist with their implied label only.
  const declared = new Set(inv.namespaces.map((n) => n.name));
  const referred = [...inv.endpoints.map((e) => e.namespace), ...inv.services.map((s) => s.namespace), ...inv.policies.map((p) => p.namespace)];
  for (const ns of referred) {
    if (declared.has(ns)) continue;
    declared.add(ns);
    inv.namespaces.push({ name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns } });
  }
  inv.namespaces.sort((a, b) => cmp(a.name, b.name));
  inv.endpoints.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind));
  inv.services.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  inv.policies.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  return inv;
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
            report([...pPath, 'name'], `"${String(p.name)}" is not a valid port name (at most 15 lowercase letters, digits and dashes, with a letter)`);
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
