/**
 * Labels every generated object carries, and the order objects are handed out in (the
 * apply order of kinds.ts).
 *
 * - `app.kubernetes.io/managed-by: govcloud`
 * - `govcloud.dev/agency: <normalised agency code>` where an agency owns the object, or,
 *   for objects in an agency's namespace, the agency of that namespace (a consumer's
 *   egress policy for another agency's service carries the consumer's code). Platform
 *   objects (the admission policy) carry none.
 * - `govcloud.dev/owner: <Kind>.<namespace>.<name>` of the govcloud object that wants it
 *   (hashed where too long, see names.ts), with the annotation `govcloud.dev/owner` then.
 */
import { ANNOTATIONS, LABELS, MANAGED_BY, normaliseAgencyCode, type Agency } from '../api/index.ts';
import { applyRank } from './kinds.ts';
import { ownerKey, ownerLabelValue } from './names.ts';
import type { DesiredObject, OwnerRef, RenderIssue } from './types.ts';

/** The agency's Kubernetes name on namespaces (`govcloud.dev/agency` holds the code). */
export const AGENCY_NAME_LABEL = LABELS.agencyName;
/** The full owner, where the owner label had to be hashed. */
export const OWNER_ANNOTATION = ANNOTATIONS.owner;
/** Set by the API server on every namespace; tenants cannot change it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function agencyOwner(agency: Agency): OwnerRef {
  return { kind: 'Agency', name: agency.metadata.name };
}

export function ownerOf(object: { kind: string; metadata: { namespace?: string; name: string } }): OwnerRef {
  return object.metadata.namespace === undefined
    ? { kind: object.kind, name: object.metadata.name }
    : { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

/** The agency's normalised code, or an issue when its code is not one. */
export function agencyCode(agency: Agency): { ok: true; code: string } | { ok: false; issue: RenderIssue } {
  const result = normaliseAgencyCode(agency.spec.code);
  if (result.ok) return result;
  return { ok: false, issue: { owner: agencyOwner(agency), field: 'spec.code', reason: 'InvalidCode', message: result.message } };
}

export interface MetaOptions {
  name: string;
  namespace?: string;
  owner: OwnerRef;
  /** Normalised agency code for `govcloud.dev/agency`. */
  agency?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function metadata(options: MetaOptions): DesiredObject['metadata'] {
  const labels: Record<string, string> = { [LABELS.managedBy]: MANAGED_BY };
  if (options.agency !== undefined) labels[LABELS.agency] = options.agency;
  const ownerValue = ownerLabelValue(options.owner);
  labels[LABELS.owner] = ownerValue;
  Object.assign(labels, options.labels);
  const annotations: Record<string, string> = { ...options.annotations };
  const full = ownerKey(options.owner);
  if (ownerValue !== full) annotations[OWNER_ANNOTATION] = full;
  const meta: DesiredObject['metadata'] =
    options.namespace === undefined ? { name: options.name, labels } : { name: options.name, namespace: options.namespace, labels };
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  return meta;
}

/** A deep copy as plain JSON: no value shared by reference, inside the object or with others. */
export function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plainCopy) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // for...in, not Object.entries: no array per object (there are hundreds of thousands).
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = plainCopy(v);
    }
    return out as T;
  }
  return value;
}

/** Code-unit order: the same everywhere, whatever the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareObjects(a: DesiredObject, b: DesiredObject): number {
  return (
    applyRank(a.kind) - applyRank(b.kind) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareStrings(a.metadata.name, b.metadata.name) ||
    compareStrings(a.apiVersion, b.apiVersion)
  );
}

export function objectIdentity(o: DesiredObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function compareIssues(a: RenderIssue, b: RenderIssue): number {
  return (
    compareStrings(a.owner.kind, b.owner.kind) ||
    compareStrings(a.owner.namespace ?? '', b.owner.namespace ?? '') ||
    compareStrings(a.owner.name, b.owner.name) ||
    compareStrings(a.dataCentre ?? '', b.dataCentre ?? '') ||
    compareStrings(a.field ?? '', b.field ?? '') ||
    compareStrings(a.reason, b.reason) ||
    compareStrings(a.message, b.message)
  );
}

/** Unique and sorted. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/**
 * Collects objects per data centre and hands them back sorted: data centres by name,
 * objects in apply order, each a deep copy sharing nothing with another (builders reuse
 * constants; a caller that adds fields while applying must not change other objects).
 */
export class PerDataCentre {
  private readonly byDc = new Map<string, DesiredObject[]>();

  add(dataCentre: string, ...objects: DesiredObject[]): void {
    const list = this.byDc.get(dataCentre) ?? [];
    list.push(...objects);
    this.byDc.set(dataCentre, list);
  }

  /** Makes the data centre appear even when nothing is rendered there. */
  touch(dataCentre: string): void {
    if (!this.byDc.has(dataCentre)) this.byDc.set(dataCentre, []);
  }

  /** With `copy: false` the objects are handed back as they are (they are copies already). */
  result(options: { copy?: boolean } = {}): { dataCentre: string; objects: DesiredObject[] }[] {
    const copy = options.copy ?? true;
    return [...this.byDc.keys()].sort(compareStrings).map((dataCentre) => {
      const objects = [...(this.byDc.get(dataCentre) ?? [])].sort(compareObjects);
      return { dataCentre, objects: copy ? objects.map(plainCopy) : objects };
    });
  }
}
