/**
 * What every rule across objects shares: the problem they report, the index of the
 * platform they look things up in, and the small helpers of their messages.
 */
import {
  agencyNameOfHubNamespace,
  normaliseAgencyCode,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type ConsolidationTarget,
  type DataCentre,
  type MigrationPlan,
  type NetworkLink,
  type SharedDataService,
} from '../../api/index.ts';
import type { Platform } from '../platform.ts';
// Quantities with the same exact arithmetic as the renderers, so validation and rendering agree to the byte.
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../quantity.ts';

export type PlatformObject = DataCentre | Agency | NetworkLink | SharedDataService | AccessRequest | AccessGrant | MigrationPlan | ConsolidationTarget;

export interface RuleProblem {
  /** Errors make the platform invalid; warnings (pending consent, needless requests) do not. */
  severity: 'error' | 'warning';
  /** Which rule found it (`links`, `reserved-namespaces`, ...): named in the operator's conditions and Events. */
  rule: string;
  /** The object at fault. */
  object: PlatformObject;
  /** Field path from the object's root, e.g. `['spec', 'placement', 'dataCentres', 1]`. */
  path: (string | number)[];
  message: string;
  /** Another object the problem is about (the first of two with one name, for example). */
  related?: PlatformObject;
}

export interface ObjectRef {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export interface RuleOptions {
  /** Objects that exist but are not in the platform (invalid on their own): references to them resolve. */
  alsoPresent?: readonly ObjectRef[];
  /** More namespaces of the platform no agency may have (the operator's own, when it runs under another name). */
  platformNamespaces?: readonly string[];
}

export type Report = (object: PlatformObject, path: (string | number)[], message: string, related?: PlatformObject) => void;

export const RESOURCES = ['cpu', 'memory', 'storage'] as const;

/** Plain code-unit order: the same on every machine (localeCompare follows the locale, and loads ICU's collation data). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function refKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function objectRef(o: PlatformObject): ObjectRef {
  return { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
}

export function describeObject(o: PlatformObject | ObjectRef): string {
  const ref = 'metadata' in o ? objectRef(o) : o;
  return `${ref.kind}/${ref.name}`;
}

/** The normalised code of an agency, or its code as written when it cannot be normalised. */
export function agencyCode(agency: Agency): string {
  const r = normaliseAgencyCode(agency.spec.code);
  return r.ok ? r.code : agency.spec.code;
}

/** The NetworkLink the peer must declare for `link` to open: its key fields. */
export function reverseLinkKey(actingAgency: string, link: NetworkLink): string | undefined {
  const peer = link.spec.peer.agency;
  if (!peer) return undefined;
  return [peer.name, peer.workspace, actingAgency, link.spec.workspace].join('|');
}

export function ownLinkKey(actingAgency: string, link: NetworkLink): string | undefined {
  const peer = link.spec.peer.agency;
  if (!peer) return undefined;
  return [actingAgency, link.spec.workspace, peer.name, peer.workspace].join('|');
}

export class Index {
  readonly dataCentres = new Map<string, DataCentre>();
  readonly agencies = new Map<string, Agency>();
  readonly services = new Map<string, SharedDataService>();
  readonly present = new Set<string>();
  /** Links by `agency|workspace|peerAgency|peerWorkspace`. */
  readonly links = new Map<string, NetworkLink[]>();
  /** Requests by `consumer|provider|service`. */
  readonly requests = new Map<string, AccessRequest[]>();

  constructor(platform: Platform, options: RuleOptions) {
    for (const o of options.alsoPresent ?? []) this.present.add(refKey(o.kind, o.namespace, o.name));
    for (const d of platform.dataCentres) if (!this.dataCentres.has(d.metadata.name)) this.dataCentres.set(d.metadata.name, d);
    for (const a of platform.agencies) if (!this.agencies.has(a.metadata.name)) this.agencies.set(a.metadata.name, a);
    for (const s of platform.services) {
      const key = `${s.metadata.namespace}/${s.metadata.name}`;
      if (!this.services.has(key)) this.services.set(key, s);
    }
    for (const l of platform.links) {
      const acting = agencyNameOfHubNamespace(l.metadata.namespace);
      const key = acting === undefined ? undefined : ownLinkKey(acting, l);
      if (key !== undefined) push(this.links, key, l);
    }
    for (const r of platform.requests) {
      const consumer = agencyNameOfHubNamespace(r.metadata.namespace);
      if (consumer !== undefined) push(this.requests, `${consumer}|${r.spec.provider}|${r.spec.service}`, r);
    }
  }

  /** The object is known, valid or not. */
  exists(kind: string, namespace: string | undefined, name: string): boolean {
    if (this.present.has(refKey(kind, namespace, name))) return true;
    if (kind === 'DataCentre') return this.dataCentres.has(name);
    if (kind === 'Agency') return this.agencies.has(name);
    if (kind === 'SharedDataService') return this.services.has(`${namespace}/${name}`);
    return false;
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function list(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** The acting agency of a namespaced object, reporting when its hub namespace belongs to no Agency. */
export function acting(object: PlatformObject, index: Index, error: Report): Agency | undefined | null {
  const name = agencyNameOfHubNamespace(object.metadata.namespace);
  if (name === undefined) return null;
  const agency = index.agencies.get(name);
  if (agency) return agency;
  if (!index.exists('Agency', undefined, name)) {
    error(object, ['metadata', 'namespace'], `namespace ${object.metadata.namespace} belongs to no agency: there is no Agency named "${name}"`);
  }
  return undefined;
}

export function hasWorkspace(agency: Agency, workspace: string): boolean {
  return agency.spec.workspaces.some((w) => w.name === workspace);
}

export function workspaceNames(agency: Agency): string {
  return list(agency.spec.workspaces.map((w) => w.name));
}

/** A quota resource in exact units: millicores for CPU, bytes for memory and storage. */
export function exact(resource: (typeof RESOURCES)[number], value: string | number): bigint | undefined {
  return resource === 'cpu' ? parseMilli(value) : parseBytes(value);
}

export function formatExact(resource: (typeof RESOURCES)[number], value: bigint): string {
  return resource === 'cpu' ? formatMilli(value) : formatBytes(value);
}
