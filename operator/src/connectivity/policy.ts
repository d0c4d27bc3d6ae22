/**
 * Reads a networking.k8s.io/v1 NetworkPolicy into the evaluator's form, with the API
 * server's defaulting and validation. A policy the API server would refuse cannot exist in a
 * cluster, so it is reported (with the field at fault) and left out, never half-applied.
 */
import { AddressSet, isStrictSubset, parseCidr, type Cidr } from '../model/ip.ts';
import { PROTOCOLS, type Peer, type Policy, type PolicyPort, type Protocol, type Rule } from './model.ts';
import { parseSelector, type Selector } from './selector.ts';

export type Path = (string | number)[];

export interface FieldError {
  path: Path;
  message: string;
}

/** IANA service name, as Kubernetes validates named ports. */
const PORT_NAME = /^(?=.{1,15}$)(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function isPortName(s: string): boolean {
  return PORT_NAME.test(s) && /[a-z]/.test(s);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function list(v: unknown, path: Path, errors: FieldError[]): unknown[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) {
    errors.push({ path, message: 'must be a list' });
    return null;
  }
  return v as unknown[];
}

function selector(raw: unknown, path: Path, errors: FieldError[]): Selector | undefined {
  const r = parseSelector(raw, '');
  if (r.ok) return r.selector;
  const sub = r.field
    .split('.')
    .filter(Boolean)
    .flatMap((p) => {
      const m = /^(.*)\[(\d+)\]$/.exec(p);
      return m ? [m[1] as string, Number(m[2])] : [p];
    });
  errors.push({ path: [...path, ...sub], message: r.message });
  return undefined;
}

export function parseProtocol(raw: unknown, path: Path, errors: FieldError[]): Protocol {
  if (raw === undefined || raw === null) return 'TCP';
  if (typeof raw === 'string' && (PROTOCOLS as readonly string[]).includes(raw)) return raw as Protocol;
  errors.push({ path, message: `protocol must be one of ${PROTOCOLS.join(', ')}` });
  return 'TCP';
}

function parsePort(raw: unknown, path: Path, errors: FieldError[]): PolicyPort | undefined {
  if (!isObject(raw)) {
    errors.push({ path, message: 'a port must be a mapping (protocol, port, endPort)' });
    return undefined;
  }
  const before = errors.length;
  const protocol = parseProtocol(raw.protocol, [...path, 'protocol'], errors);
  const out: PolicyPort = { protocol };
  const port = raw.port;
  if (port !== undefined && port !== null) {
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push({ path: [...path, 'port'], message: 'a port number is between 1 and 65535' });
      else out.port = port;
    } else if (typeof port === 'string') {
      if (/^[0-9]+$/.test(port)) {
        // An int-or-string holding digits: Kubernetes reads it as a name and refuses it.
        errors.push({ path: [...path, 'port'], message: `"${port}" is a string, not a number: write the port without quotes` });
      } else if (!isPortName(port)) {
        errors.push({
          path: [...path, 'port'],
          message: `"${port}" is not a valid port name (at most 15 lowercase letters, digits and dashes, with a letter)`,
        });
      } else out.port = port;
    } else {
      errors.push({ path: [...path, 'port'], message: 'port must be a number or a port name' });
    }
  }
  const endPort = raw.endPort;
  if (endPort !== undefined && endPort !== null) {
    if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < 1 || endPort > 65535) {
      errors.push({ path: [...path, 'endPort'], message: 'endPort is a port number between 1 and 65535' });
    } else if (typeof out.port !== 'number') {
      errors.push({ path: [...path, 'endPort'], message: 'endPort needs a numeric port to start the range' });
    } else if (endPort < out.port) {
      errors.push({ path: [...path, 'endPort'], message: `endPort ${endPort} is below port ${out.port}` });
    } else out.endPort = endPort;
  }
  return errors.length === before ? out : undefined;
}

function parseCidrField(raw: unknown, path: Path, errors: FieldError[]): Cidr | undefined {
  if (typeof raw !== 'string') {
    errors.push({ path, message: 'must be a CIDR string such as 10.0.0.0/8' });
    return undefined;
  }
  const r = parseCidr(raw);
  if (!r.ok) {
    errors.push({ path, message: r.message });
    return undefined;
  }
  return r.cidr;
}

function parsePeer(raw: unknown, path: Path, errors: FieldError[]): Peer | undefined {
  if (!isObject(raw)) {
    errors.push({ path, message: 'a peer must be a mapping (podSelector, namespaceSelector or ipBlock)' });
    return undefined;
  }
  const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
  const count = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(has).length;
  if (count === 0) {
    errors.push({ path, message: 'must specify a peer: podSelector, namespaceSelector or ipBlock' });
    return undefined;
  }
  if (has('ipBlock')) {
    if (count > 1) {
      errors.push({ path, message: 'may not specify both ipBlock and another peer' });
      return undefined;
    }
    const block = raw.ipBlock;
    if (!isObject(block)) {
      errors.push({ path: [...path, 'ipBlock'], message: 'ipBlock must be a mapping with cidr and except' });
      return undefined;
    }
    const before = errors.length;
    const cidr = parseCidrField(block.cidr, [...path, 'ipBlock', 'cidr'], errors);
    const except: Cidr[] = [];
    const rawExcept = list(block.except, [...path, 'ipBlock', 'except'], errors) ?? [];
    for (const [i, e] of rawExcept.entries()) {
      const ePath = [...path, 'ipBlock', 'except', i];
      const c = parseCidrField(e, ePath, errors);
      if (!c || !cidr) continue;
      if (!isStrictSubset(c, cidr)) errors.push({ path: ePath, message: `${c.text} must be a strict subset of cidr ${cidr.text}` });
      else except.push(c);
    }
    if (errors.length !== before || !cidr) return undefined;
    return { kind: 'ipBlock', cidr, except, addresses: AddressSet.block(cidr, except) };
  }
  const before = errors.length;
  const peer: Peer = { kind: 'selector' };
  if (has('podSelector')) peer.podSelector = selector(raw.podSelector, [...path, 'podSelector'], errors);
  if (has('namespaceSelector')) peer.namespaceSelector = selector(raw.namespaceSelector, [...path, 'namespaceSelector'], errors);
  return errors.length === before ? peer : undefined;
}

function parseRule(raw: unknown, index: number, peersKey: 'from' | 'to', path: Path, errors: FieldError[]): Rule | undefined {
  if (!isObject(raw)) {
    errors.push({ path, message: `a rule must be a mapping (${peersKey}, ports)` });
    return undefined;
  }
  const before = errors.length;
  const rawPeers = list(raw[peersKey], [...path, peersKey], errors);
  const rawPorts = list(raw.ports, [...path, 'ports'], errors);
  const peers = rawPeers && rawPeers.length > 0 ? rawPeers.map((p, i) => parsePeer(p, [...path, peersKey, i], errors)) : null;
  const ports = rawPorts && rawPorts.length > 0 ? rawPorts.map((p, i) => parsePort(p, [...path, 'ports', i], errors)) : null;
  if (errors.length !== before) return undefined;
  return { index, peers: peers as Peer[] | null, ports: ports as PolicyPort[] | null };
}

export interface ParsedPolicy {
  policy?: Policy;
  errors: FieldError[];
}

/** `namespace` is used when the object has none (a manifest applied to a default namespace). */
export function parseNetworkPolicy(raw: unknown, namespace: string): ParsedPolicy {
  const errors: FieldError[] = [];
  if (!isObject(raw)) return { errors: [{ path: [], message: 'a NetworkPolicy must be a mapping' }] };
  const meta = isObject(raw.metadata) ? raw.metadata : {};
  const name = meta.name;
  if (typeof name !== 'string' || name === '') errors.push({ path: ['metadata', 'name'], message: 'metadata.name is required' });
  const spec = raw.spec;
  if (!isObject(spec)) {
    errors.push({ path: ['spec'], message: 'spec is required' });
    return { errors };
  }
  // podSelector is a non-pointer field in the API: absent is the empty selector, every pod.
  const podSelector = selector(spec.podSelector, ['spec', 'podSelector'], errors);
  const rawTypes = list(spec.policyTypes, ['spec', 'policyTypes'], errors);
  const rawIngress = list(spec.ingress, ['spec', 'ingress'], errors) ?? [];
  const rawEgress = list(spec.egress, ['spec', 'egress'], errors) ?? [];
  let affectsIngress: boolean;
  let affectsEgress: boolean;
  const typesDefaulted = !rawTypes || rawTypes.length === 0;
  if (typesDefaulted) {
    // SetDefaults_NetworkPolicy: Ingress always; Egress only when the egress list is non-empty
    // (`egress: []` does not make a policy an egress policy).
    affectsIngress = true;
    affectsEgress = rawEgress.length > 0;
  } else {
    affectsIngress = false;
    affectsEgress = false;
    for (const [i, t] of (rawTypes ?? []).entries()) {
      if (t === 'Ingress') affectsIngress = true;
      else if (t === 'Egress') affectsEgress = true;
      else errors.push({ path: ['spec', 'policyTypes', i], message: 'policyTypes entries are Ingress or Egress' });
    }
  }
  const ingress = rawIngress.map((r, i) => parseRule(r, i, 'from', ['spec', 'ingress', i], errors));
  const egress = rawEgress.map((r, i) => parseRule(r, i, 'to', ['spec', 'egress', i], errors));
  if (errors.length > 0 || !podSelector) return { errors };
  return {
    errors,
    policy: {
      namespace,
      name: name as string,
      podSelector,
      affectsIngress,
      affectsEgress,
      typesDefaulted,
      ingress: ingress as Rule[],
      egress: egress as Rule[],
    },
  };
}
