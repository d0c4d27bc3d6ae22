/**
 * What a pull request changes: the govcloud records added, changed and removed; per data
 * centre, the Kubernetes objects the operator would add, change (field by field) and remove,
 * and the quota placed against the capacity offered; and the access it opens and closes.
 * Both sides are rendered with the operator's renderers at the same time `now`. Pure.
 */
import type { Agency } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../model/quantity.ts';
import type { PlatformObject } from '../model/rules.ts';
import { agencyNamespaces, placementOf, renderPlatform, type DesiredObject, type PlatformRender, type Placement, type RenderIssue } from '../render/index.ts';
import { objectIdentity } from '../render/meta.ts';
import { hostsFor } from '../connectivity/govcloud.ts';
import { accessPairs, evaluateAccess, evaluateSources, indexRendered, ownerBases, ownerOfPolicy, pairKey, type AccessPair, type Evaluated } from './access.ts';
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

/**
 * `full`: both sides rendered and evaluated completely, the reference the shortcut is tested
 * against. Otherwise only what the change can reach (incrementalDiff), or, where that cannot
 * be argued, both sides rendered and the head's access evaluated again only where it changed.
 */
export function planDiff(before: Platform, after: Platform, now: Date, options: { full?: boolean } = {}): PlanDiff {
  if (!options.full) {
    const incremental = incrementalDiff(before, after, now);
    if (incremental !== undefined) return incremental;
  }
  const renderedBefore = renderPlatform(before, now);
  const renderedAfter = renderPlatform(after, now);
  const dataCentres = objectChanges(before, after, renderedBefore, renderedAfter, allPlacements(before), allPlacements(after));
  const evaluatedBefore = evaluateAccess(before, renderedBefore, now);
  let evaluatedAfter: Evaluated;
  if (options.full) evaluatedAfter = evaluateAccess(after, renderedAfter, now);
  else {
    // Where the external hosts stay, only the namespaces whose objects change are evaluated again.
    const touched = new Map(
      dataCentres
        .filter((d) => hasDataCentre(renderedBefore, d.dataCentre) && hasDataCentre(renderedAfter, d.dataCentre) && sameHosts(before, after, d.dataCentre))
        .map((d) => [d.dataCentre, changedNamespaces(d.objects)]),
    );
    evaluatedAfter = evaluateAccess(after, renderedAfter, now, { from: evaluatedBefore, changed: touched });
  }
  return {
    now: now.toISOString(),
    records: diffLists(allRecords(before), allRecords(after), recordKey),
    dataCentres,
    access: accessChange(accessPairs(before, renderedBefore, now, evaluatedBefore), accessPairs(after, renderedAfter, now, evaluatedAfter)),
    issues: issueChange(renderedBefore, renderedAfter),
  };
}

function hasDataCentre(rendered: PlatformRender, name: string): boolean {
  return rendered.perDataCentre.some((r) => r.dataCentre === name);
}

function objectChanges(
  before: Platform,
  after: Platform,
  renderedBefore: PlatformRender,
  renderedAfter: PlatformRender,
  placementsBefore: Placements,
  placementsAfter: Placements,
): DataCentreChange[] {
  const objectsBefore = new Map(renderedBefore.perDataCentre.map((r) => [r.dataCentre, r.objects]));
  const objectsAfter = new Map(renderedAfter.perDataCentre.map((r) => [r.dataCentre, r.objects]));
  const names = [...new Set([...objectsBefore.keys(), ...objectsAfter.keys()])].sort();
  const quotasBefore = placedQuotas(placementsBefore);
  const quotasAfter = placedQuotas(placementsAfter);
  return names.map((dc) => ({
    dataCentre: dc,
    objects: diffLists(objectsBefore.get(dc) ?? [], objectsAfter.get(dc) ?? [], objectIdentity),
    quota: amounts(quotasBefore.get(dc), quotasAfter.get(dc)),
    capacity: amounts(capacityOf(before, dc), capacityOf(after, dc)),
  }));
}

function accessChange(pairsBefore: readonly AccessPair[], pairsAfter: readonly AccessPair[]): PlanDiff['access'] {
  const byKeyBefore = new Map(pairsBefore.map((p) => [pairKey(p), p]));
  const keysAfter = new Set(pairsAfter.map(pairKey));
  const changed: PlanDiff['access']['changed'] = [];
  for (const after of pairsAfter) {
    const before = byKeyBefore.get(pairKey(after));
    if (before && JSON.stringify(before) !== JSON.stringify(after)) changed.push({ before, after });
  }
  return {
    opened: pairsAfter.filter((p) => !byKeyBefore.has(pairKey(p))),
    closed: pairsBefore.filter((p) => !keysAfter.has(pairKey(p))),
    changed,
  };
}

function issueChange(renderedBefore: PlatformRender, renderedAfter: PlatformRender): PlanDiff['issues'] {
  const issueKey = (i: RenderIssue) => JSON.stringify([i.owner, i.dataCentre, i.field, i.reason, i.message]);
  const issuesBefore = new Set(renderedBefore.issues.map(issueKey));
  const issuesAfter = new Set(renderedAfter.issues.map(issueKey));
  return {
    added: renderedAfter.issues.filter((i) => !issuesBefore.has(issueKey(i))),
    resolved: renderedBefore.issues.filter((i) => !issuesAfter.has(issueKey(i))),
  };
}

/** Each agency with its placement. */
type Placements = { agency: Agency; placement: Placement }[];

function allPlacements(p: Platform): Placements {
  return p.agencies.map((agency) => ({ agency, placement: placementOf(p, agency) }));
}

/** By name; undefined when two agencies share one (an invalid side). */
function byName(placements: Placements): Map<string, Placements[number]> | undefined {
  const out = new Map(placements.map((p) => [p.agency.metadata.name, p]));
  return out.size === placements.length ? out : undefined;
}

function samePlacement(a: Placement, b: Placement): boolean {
  if (a.code !== b.code || a.placed.length !== b.placed.length || JSON.stringify(a.issues) !== JSON.stringify(b.issues)) return false;
  return a.placed.every((x, i) => {
    const y = b.placed[i]!;
    return (
      x.dataCentre.metadata.name === y.dataCentre.metadata.name &&
      x.quota.cpu === y.quota.cpu &&
      x.quota.memory === y.quota.memory &&
      x.quota.storage === y.quota.storage &&
      x.quota.pods === y.quota.pods
    );
  });
}

/** `dataCentre/namespace` of an object: a Namespace's own name, `dataCentre/` for other cluster-wide objects. */
function placeOf(dataCentre: string, o: DesiredObject): string {
  return `${dataCentre}/${o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? '')}`;
}

/**
 * The change rendered and evaluated only where it can reach, or undefined where that cannot
 * be argued (then both sides are rendered in full). The argument, step by step:
 * - The data centres are the same on both sides (else undefined).
 * - An agency renders from itself, its placement and the data centres only
 *   (render/agency.ts `renderPlacedAgency`): an agency equal on both sides, placed alike,
 *   renders alike, and is left out of both renders, unless the objects rendered share a
 *   namespace with it (then the duplicate check, which sees a namespace's objects together,
 *   needs it: `agencyNamespaces` lists every namespace it renders into) or an issue names it.
 *   Every other owner (links, services, gateways, the data centres' own objects) is rendered
 *   on both sides. What is left out is the same on both sides: no object or issue of it changes.
 * - Access: a cell depends only on the objects of its source's and its destination's
 *   namespaces when the external hosts are the same (else undefined); a path's
 *   justification only on the cell and on the basis of each owner of the policies that
 *   allowed it (access.ts `basisOf`). So only cells from or to a namespace whose objects
 *   changed, or holding a policy whose owner's basis changed, can change. They are evaluated
 *   from those namespaces as sources; if such a namespace is a destination (a Service or a
 *   pod), every namespace would be a source of a changed cell: undefined.
 */
export function incrementalDiff(before: Platform, after: Platform, now: Date): PlanDiff | undefined {
  const records = diffLists(allRecords(before), allRecords(after), recordKey);
  const changedRecords = [...records.added, ...records.removed, ...records.changed.map((c) => c.after)];
  if (changedRecords.some((r) => r.kind === 'DataCentre')) return undefined;
  const placementsBefore = allPlacements(before);
  const placementsAfter = allPlacements(after);
  const namedBefore = byName(placementsBefore);
  const namedAfter = byName(placementsAfter);
  if (namedBefore === undefined || namedAfter === undefined) return undefined;
  const names = new Set<string>();
  for (const r of changedRecords) if (r.kind === 'Agency') names.add(r.metadata.name);
  for (const [name, b] of namedBefore) {
    const a = namedAfter.get(name);
    if (!a || !samePlacement(b.placement, a.placement)) names.add(name);
  }
  for (const name of namedAfter.keys()) if (!namedBefore.has(name)) names.add(name);

  // Agencies rendered on both sides: the changed ones, and the unchanged ones the rendered objects or issues meet.
  let renderedBefore: PlatformRender;
  let renderedAfter: PlatformRender;
  const spaces = new Map<string, string[]>();
  const namespacesOf = (name: string, a: { agency: Agency; placement: Placement }) => {
    let list = spaces.get(name);
    if (list === undefined) spaces.set(name, (list = agencyNamespaces(a.agency, a.placement, before.dataCentres)));
    return list;
  };
  for (;;) {
    const only = (agency: Agency) => names.has(agency.metadata.name);
    renderedBefore = renderPlatform(before, now, only);
    renderedAfter = renderPlatform(after, now, only);
    const met = new Set<string>();
    const named = new Set<string>();
    for (const side of [renderedBefore, renderedAfter]) {
      for (const r of side.perDataCentre) for (const o of r.objects) met.add(placeOf(r.dataCentre, o));
      for (const i of side.issues) if (i.owner.kind === 'Agency') named.add(i.owner.name);
    }
    const more = [...namedAfter].filter(([name, a]) => !names.has(name) && (named.has(name) || namespacesOf(name, a).some((n) => met.has(n))));
    if (more.length === 0) break;
    for (const [name] of more) names.add(name);
  }
  const dataCentres = objectChanges(before, after, renderedBefore, renderedAfter, placementsBefore, placementsAfter);
  if (!dataCentres.every((d) => sameHosts(before, after, d.dataCentre))) return undefined;

  // The namespaces whose cells may change, per data centre.
  const sources = new Map(dataCentres.map((d) => [d.dataCentre, changedNamespaces(d.objects)]));
  const basesBefore = ownerBases(before, now);
  const basesAfter = ownerBases(after, now);
  for (const side of [renderedBefore, renderedAfter]) {
    for (const r of side.perDataCentre) {
      const indexed = indexRendered(r.objects);
      for (const [key, policy] of indexed.policies) {
        const b = ownerOfPolicy(basesBefore.owners, indexed, key);
        const a = ownerOfPolicy(basesAfter.owners, indexed, key);
        const same = b === undefined || a === undefined ? b === a : JSON.stringify(basesBefore.basis(b)) === JSON.stringify(basesAfter.basis(a));
        if (!same) sources.get(r.dataCentre)?.add(policy.metadata.namespace ?? '');
      }
    }
  }
  const evaluatedBefore = evaluateSources(before, renderedBefore, now, sources);
  const evaluatedAfter = evaluateSources(after, renderedAfter, now, sources);
  if (evaluatedBefore === undefined || evaluatedAfter === undefined) return undefined;
  return {
    now: now.toISOString(),
    records,
    dataCentres,
    access: accessChange(accessPairs(before, renderedBefore, now, evaluatedBefore), accessPairs(after, renderedAfter, now, evaluatedAfter)),
    issues: issueChange(renderedBefore, renderedAfter),
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
function placedQuotas(placements: Placements): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const { placement } of placements) {
    for (const placed of placement.placed) {
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
