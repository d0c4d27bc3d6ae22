/**
 * What a pull request changes: the govcloud records added, changed and removed; per data
 * centre, the Kubernetes objects the operator would add, change (field by field) and remove,
 * and the quota placed against the capacity offered; and the access it opens and closes.
 * Both sides are rendered with the operator's renderers at the same time `now`. Pure.
 */
import type { Platform } from '../model/platform.ts';
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../model/quantity.ts';
import type { PlatformObject } from '../model/rules.ts';
import { placementOf, renderPlatform, type DesiredObject, type RenderIssue } from '../render/index.ts';
import { objectIdentity } from '../render/meta.ts';
import { hostsFor } from '../connectivity/govcloud.ts';
import { accessPairs, evaluateAccess, pairKey, type AccessPair } from './access.ts';
import { diffLists, type ListDiff } from './diff.ts';

export const RESOURCES = ['cpu', 'memory', 'storage'] as const;
export type Resource = (typeof RESOURCES)[number];

export interface Amount {
  before: string;
  after: string;
  /** `+8`, `-512Gi`, `0`. */
  delta: string;
}

export interface DataCentreChange {
  dataCentre: string;
  objects: ListDiff<DesiredObject>;
  /** Sum of the quotas of the agencies placed here. */
  quota: Record<Resource, Amount>;
  /** What the data centre offers. */
  capacity: Record<Resource, Amount>;
}

export interface PlanDiff {
  now: string;
  records: ListDiff<PlatformObject>;
  dataCentres: DataCentreChange[];
  /** `changed`: open before and after, with another verdict, justification or window (a grant renewed, say). */
  access: { opened: AccessPair[]; closed: AccessPair[]; changed: { before: AccessPair; after: AccessPair }[] };
  /** What is asked for but not rendered: new issues, and issues this change resolves. */
  issues: { added: RenderIssue[]; resolved: RenderIssue[] };
}

export function recordKey(o: PlatformObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function allRecords(p: Platform): PlatformObject[] {
  return [...p.dataCentres, ...p.agencies, ...p.links, ...p.services, ...p.requests, ...p.grants];
}

export function planDiff(before: Platform, after: Platform, now: Date): PlanDiff {
  const renderedBefore = renderPlatform(before, now);
  const renderedAfter = renderPlatform(after, now);
  const objectsBefore = new Map(renderedBefore.perDataCentre.map((r) => [r.dataCentre, r.objects]));
  const objectsAfter = new Map(renderedAfter.perDataCentre.map((r) => [r.dataCentre, r.objects]));
  const names = [...new Set([...objectsBefore.keys(), ...objectsAfter.keys()])].sort();
  const quotasBefore = placedQuotas(before);
  const quotasAfter = placedQuotas(after);
  const dataCentres = names.map((dc) => ({
    dataCentre: dc,
    objects: diffLists(objectsBefore.get(dc) ?? [], objectsAfter.get(dc) ?? [], objectIdentity),
    quota: amounts(quotasBefore.get(dc), quotasAfter.get(dc)),
    capacity: amounts(capacityOf(before, dc), capacityOf(after, dc)),
  }));

  // Where the external hosts stay, only the namespaces whose objects change are evaluated again.
  const evaluatedBefore = evaluateAccess(before, renderedBefore, now);
  const touched = new Map(
    dataCentres
      .filter((d) => objectsBefore.has(d.dataCentre) && objectsAfter.has(d.dataCentre) && sameHosts(before, after, d.dataCentre))
      .map((d) => [d.dataCentre, changedNamespaces(d.objects)]),
  );
  const evaluatedAfter = evaluateAccess(after, renderedAfter, now, { from: evaluatedBefore, changed: touched });
  const pairsBefore = accessPairs(before, renderedBefore, now, evaluatedBefore);
  const pairsAfter = accessPairs(after, renderedAfter, now, evaluatedAfter);
  const byKeyBefore = new Map(pairsBefore.map((p) => [pairKey(p), p]));
  const keysAfter = new Set(pairsAfter.map(pairKey));
  const changed: PlanDiff['access']['changed'] = [];
  for (const after of pairsAfter) {
    const before = byKeyBefore.get(pairKey(after));
    if (before && JSON.stringify(before) !== JSON.stringify(after)) changed.push({ before, after });
  }
  const issueKey = (i: RenderIssue) => JSON.stringify([i.owner, i.dataCentre, i.field, i.reason, i.message]);
  const issuesBefore = new Set(renderedBefore.issues.map(issueKey));
  const issuesAfter = new Set(renderedAfter.issues.map(issueKey));
  return {
    now: now.toISOString(),
    records: diffLists(allRecords(before), allRecords(after), recordKey),
    dataCentres,
    access: {
      opened: pairsAfter.filter((p) => !byKeyBefore.has(pairKey(p))),
      closed: pairsBefore.filter((p) => !keysAfter.has(pairKey(p))),
      changed,
    },
    issues: {
      added: renderedAfter.issues.filter((i) => !issuesBefore.has(issueKey(i))),
      resolved: renderedBefore.issues.filter((i) => !issuesAfter.has(issueKey(i))),
    },
  };
}

/** The namespaces of the objects added, changed or removed (a Namespace's own name). */
function changedNamespaces(diff: ListDiff<DesiredObject>): Set<string> {
  const of = (o: DesiredObject) => (o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? ''));
  return new Set([...diff.added.map(of), ...diff.changed.flatMap((c) => [of(c.before), of(c.after)]), ...diff.removed.map(of)]);
}

function sameHosts(before: Platform, after: Platform, dataCentre: string): boolean {
  const seen = (p: Platform) => JSON.stringify(hostsFor(p, dataCentre).map((h) => [h.name, h.cidrs, h.ports ?? null]));
  return seen(before) === seen(after);
}

/** Whether anything at all changes. */
export function isEmpty(diff: PlanDiff): boolean {
  const r = diff.records;
  return (
    r.added.length + r.changed.length + r.removed.length === 0 &&
    diff.dataCentres.every((d) => d.objects.added.length + d.objects.changed.length + d.objects.removed.length === 0) &&
    diff.access.opened.length + diff.access.closed.length + diff.access.changed.length === 0
  );
}

type Totals = Record<Resource, bigint>;

/** Per data centre, the quotas of the agencies it accepts (as the renderers place them). */
function placedQuotas(p: Platform): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const agency of p.agencies) {
    for (const placed of placementOf(p, agency).placed) {
      const name = placed.dataCentre.metadata.name;
      const t = out.get(name) ?? { cpu: 0n, memory: 0n, storage: 0n };
      t.cpu += placed.quota.cpu;
      t.memory += placed.quota.memory;
      t.storage += placed.quota.storage;
      out.set(name, t);
    }
  }
  return out;
}

function capacityOf(p: Platform, name: string): Totals | undefined {
  const dc = p.dataCentres.find((d) => d.metadata.name === name);
  if (!dc) return undefined;
  const c = dc.spec.capacity;
  return { cpu: parseMilli(c.cpu) ?? 0n, memory: parseBytes(c.memory) ?? 0n, storage: parseBytes(c.storage) ?? 0n };
}

function format(resource: Resource, value: bigint): string {
  return resource === 'cpu' ? formatMilli(value) : formatBytes(value);
}

function amounts(before: Totals | undefined, after: Totals | undefined): Record<Resource, Amount> {
  const zero: Totals = { cpu: 0n, memory: 0n, storage: 0n };
  const b = before ?? zero;
  const a = after ?? zero;
  const one = (r: Resource): Amount => {
    const d = a[r] - b[r];
    return { before: format(r, b[r]), after: format(r, a[r]), delta: d === 0n ? '0' : d > 0n ? `+${format(r, d)}` : `-${format(r, -d)}` };
  };
  return { cpu: one('cpu'), memory: one('memory'), storage: one('storage') };
}
