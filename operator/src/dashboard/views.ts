/**
 * The dashboard's view models: pure functions from the `Platform` (the hub's caches live, or
 * a GitOps folder offline) and a time to the figures each page shows. No HTML and no words
 * here: `pages.ts` translates and lays them out, so the live server and `--static` show the
 * same numbers, and a later section (roadmap, showback) adds its own view model beside these.
 *
 * Capacity allocated is the sum of the quotas of the agencies placed in a data centre, as the
 * DataCentre controller reports it in status.allocated. An agency's region is the region of
 * the data centres it is placed in (an Agency has no region of its own): an agency placed in
 * two regions counts in both.
 */
import { AGENCY_TYPES, hubNamespaceOf, workspaceNamespace, type AccessGrant, type AccessRequest, type Agency, type DataCentre } from '../api/index.ts';
import { catalogue, type CatalogueEntry } from '../catalogue/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../model/quantity.ts';
import { closedBecause, windowOf } from '../model/window.ts';

export interface Capacity {
  cpu: string;
  memory: string;
  storage: string;
}

export interface CapacityFigures {
  offered: Capacity;
  allocated: Capacity;
  /** Allocated over offered, in whole percent, per resource (undefined when nothing is offered). */
  percent: { cpu?: number; memory?: number; storage?: number };
}

export interface DataCentreSummary {
  name: string;
  displayName: string;
  region: string;
  accreditedLevel: number;
  dedicatedTo?: string;
  agencies: number;
  workspaces: number;
  services: number;
  capacity: CapacityFigures;
  ready?: boolean;
}

export interface AgencySummary {
  name: string;
  displayName: string;
  code: string;
  type: string;
  securityLevel: number;
  regions: string[];
  dataCentres: string[];
  workspaces: number;
  services: number;
  ready?: boolean;
}

export interface Count {
  key: string;
  count: number;
}

export interface OverviewView {
  now: string;
  totals: { dataCentres: number; agencies: number; workspaces: number; services: number; activeGrants: number; links: number };
  /** Every agency type, in the API's order, with its count (zero included). */
  byType: Count[];
  /** Regions of the data centres, sorted, with the agencies placed there. */
  byRegion: Count[];
  /** Security levels 1 to 5 with the agencies at each. */
  byLevel: Count[];
  dataCentres: DataCentreSummary[];
  agencies: AgencySummary[];
}

export type WindowState = 'open' | 'notYetValid' | 'expired';

export interface AccessRow {
  request?: string;
  grant?: string;
  consumer: string;
  provider: string;
  service: string;
  workspaces: string[];
  purpose: string;
  legalBasis: string;
  validFrom?: string;
  validUntil?: string;
  state: WindowState;
  /** Access open now: request and grant match and both windows are open (catalogue's pairs). */
  active: boolean;
}

export interface ConsumerRow {
  service: string;
  serviceDisplayName: string;
  consumer: string;
  workspaces: string[];
  reason: Reason;
}

export type Reason = { kind: 'grant'; request: string; grant: string } | { kind: 'default' } | { kind: 'open' } | { kind: 'declared'; request: string };

export interface LinkRow {
  ref: string;
  workspace: string;
  direction: string;
  peer: string;
  ports: string;
  encrypted: boolean;
  validUntil?: string;
}

export interface QuotaRow {
  dataCentre: string;
  cpu: string;
  memory: string;
  storage: string;
  pods?: number;
}

export interface AgencyView {
  agency: AgencySummary;
  parent?: string;
  hubNamespace: string;
  groups: { admins: string[]; viewers: string[] };
  workspaces: { name: string; namespace: string; dataClass: string; description?: string; internetEgress: number }[];
  quotas: QuotaRow[];
  services: CatalogueEntry[];
  /** Who consumes this agency's services, and why. */
  consumers: ConsumerRow[];
  /** Services of others this agency consumes, and why. */
  consumes: ConsumerRow[];
  /** Grants this agency gave, with their windows. */
  grantsGiven: AccessRow[];
  /** Requests this agency made, with their windows and whether a grant answers them. */
  requestsMade: AccessRow[];
  links: LinkRow[];
}

export interface DataCentreView {
  dataCentre: DataCentreSummary;
  networkRanges: string[];
  encryptedLinks?: boolean;
  agencies: (AgencySummary & { quota?: QuotaRow })[];
  services: CatalogueEntry[];
}

export interface AccessEdge {
  consumer: string;
  consumerDisplayName: string;
  provider: string;
  providerDisplayName: string;
  service: string;
  serviceDisplayName: string;
  identifier?: string;
  workspaces: string[];
  reason: Reason;
}

export interface AccessGraphView {
  now: string;
  edges: AccessEdge[];
  links: (LinkRow & { agency: string })[];
}

export const sumCapacity = (quotas: readonly { cpu: string | number; memory: string | number; storage: string | number }[]): Capacity => {
  let cpu = 0n;
  let memory = 0n;
  let storage = 0n;
  for (const q of quotas) {
    cpu += parseMilli(q.cpu) ?? 0n;
    memory += parseBytes(q.memory) ?? 0n;
    storage += parseBytes(q.storage) ?? 0n;
  }
  return { cpu: formatMilli(cpu), memory: formatBytes(memory), storage: formatBytes(storage) };
};

function percent(allocated: bigint | undefined, offered: bigint | undefined): number | undefined {
  if (allocated === undefined || offered === undefined || offered === 0n) return undefined;
  return Number((allocated * 100n) / offered);
}

function readyOf(o: { status?: { conditions?: { type: string; status: string }[] } }): boolean | undefined {
  const c = o.status?.conditions?.find((x) => x.type === 'Ready');
  return c === undefined ? undefined : c.status === 'True';
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function quotaIn(agency: Agency, dataCentre: string): QuotaRow | undefined {
  const q = agency.spec.quotas.find((x) => x.dataCentre === dataCentre);
  if (!q) return undefined;
  return { dataCentre, cpu: String(q.cpu), memory: String(q.memory), storage: String(q.storage), ...(q.pods === undefined ? {} : { pods: q.pods }) };
}

function placedIn(platform: Platform, dc: string): Agency[] {
  return platform.agencies.filter((a) => a.spec.placement.dataCentres.includes(dc));
}

function dataCentreSummary(platform: Platform, dc: DataCentre, entries: readonly CatalogueEntry[]): DataCentreSummary {
  const agencies = placedIn(platform, dc.metadata.name);
  const quotas = agencies.flatMap((a) => a.spec.quotas.filter((q) => q.dataCentre === dc.metadata.name));
  const offered = dc.spec.capacity;
  const allocated = sumCapacity(quotas);
  const ready = readyOf(dc);
  return {
    name: dc.metadata.name,
    displayName: dc.spec.displayName,
    region: dc.spec.region,
    accreditedLevel: dc.spec.accreditedLevel,
    ...(dc.spec.dedicatedTo ? { dedicatedTo: dc.spec.dedicatedTo } : {}),
    agencies: agencies.length,
    workspaces: agencies.reduce((n, a) => n + a.spec.workspaces.length, 0),
    services: entries.filter((e) => e.dataCentres.includes(dc.metadata.name)).length,
    capacity: {
      offered: { cpu: String(offered.cpu), memory: String(offered.memory), storage: String(offered.storage) },
      allocated,
      percent: {
        cpu: percent(parseMilli(allocated.cpu), parseMilli(offered.cpu)),
        memory: percent(parseBytes(allocated.memory), parseBytes(offered.memory)),
        storage: percent(parseBytes(allocated.storage), parseBytes(offered.storage)),
      },
    },
    ...(ready === undefined ? {} : { ready }),
  };
}

function agencySummary(platform: Platform, agency: Agency): AgencySummary {
  const dcs = [...agency.spec.placement.dataCentres].sort();
  const regions = [...new Set(dcs.map((d) => platform.dataCentres.find((x) => x.metadata.name === d)?.spec.region).filter((r): r is string => !!r))].sort();
  const hub = hubNamespaceOf(agency.metadata.name);
  const ready = readyOf(agency);
  return {
    name: agency.metadata.name,
    displayName: agency.spec.displayName,
    code: agency.status?.code ?? agency.spec.code,
    type: agency.spec.type,
    securityLevel: agency.spec.securityLevel,
    regions,
    dataCentres: dcs,
    workspaces: agency.spec.workspaces.length,
    services: platform.services.filter((s) => s.metadata.namespace === hub).length,
    ...(ready === undefined ? {} : { ready }),
  };
}

export function overviewView(platform: Platform, now: Date): OverviewView {
  const entries = catalogue(platform, now);
  const agencies = platform.agencies.map((a) => agencySummary(platform, a)).sort(byName);
  const regions = [...new Set(platform.dataCentres.map((d) => d.spec.region))].sort();
  return {
    now: now.toISOString(),
    totals: {
      dataCentres: platform.dataCentres.length,
      agencies: agencies.length,
      workspaces: agencies.reduce((n, a) => n + a.workspaces, 0),
      services: platform.services.length,
      activeGrants: entries.reduce((n, e) => n + e.access.length, 0),
      links: platform.links.length,
    },
    byType: AGENCY_TYPES.map((t) => ({ key: t, count: agencies.filter((a) => a.type === t).length })),
    byRegion: regions.map((r) => ({ key: r, count: agencies.filter((a) => a.regions.includes(r)).length })),
    byLevel: [1, 2, 3, 4, 5].map((l) => ({ key: String(l), count: agencies.filter((a) => a.securityLevel === l).length })),
    dataCentres: platform.dataCentres.map((d) => dataCentreSummary(platform, d, entries)).sort(byName),
    agencies,
  };
}

function windowState(spec: { validFrom?: string; validUntil?: string }, now: Date): WindowState {
  const closed = closedBecause(windowOf(spec), now);
  return closed === 'NotYetValid' ? 'notYetValid' : closed === 'Expired' ? 'expired' : 'open';
}

const refOf = (o: { metadata: { namespace?: string; name: string } }): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function windowFields(spec: { validFrom?: string; validUntil?: string }): { validFrom?: string; validUntil?: string } {
  return { ...(spec.validFrom ? { validFrom: spec.validFrom } : {}), ...(spec.validUntil ? { validUntil: spec.validUntil } : {}) };
}

function grantRow(platform: Platform, g: AccessGrant, activePairs: Set<string>, now: Date): AccessRow {
  const provider = actingAgency(platform, g)?.metadata.name ?? '';
  const request = platform.requests.find(
    (r) => actingAgency(platform, r)?.metadata.name === g.spec.consumer && r.spec.provider === provider && r.spec.service === g.spec.service,
  );
  const row: AccessRow = {
    grant: refOf(g),
    consumer: g.spec.consumer,
    provider,
    service: g.spec.service,
    workspaces: [...(g.spec.workspaces ?? request?.spec.workspaces ?? [])].sort(),
    purpose: g.spec.purpose,
    legalBasis: g.spec.legalBasis,
    ...windowFields(g.spec),
    state: windowState(g.spec, now),
    active: activePairs.has(`grant:${refOf(g)}`),
  };
  if (request) row.request = refOf(request);
  return row;
}

function requestRow(platform: Platform, r: AccessRequest, activePairs: Set<string>, now: Date): AccessRow {
  const consumer = actingAgency(platform, r)?.metadata.name ?? '';
  const grant = platform.grants.find(
    (g) => g.metadata.namespace === hubNamespaceOf(r.spec.provider) && g.spec.consumer === consumer && g.spec.service === r.spec.service,
  );
  const row: AccessRow = {
    request: refOf(r),
    consumer,
    provider: r.spec.provider,
    service: r.spec.service,
    workspaces: [...r.spec.workspaces].sort(),
    purpose: r.spec.purpose,
    legalBasis: r.spec.legalBasis,
    ...windowFields(r.spec),
    state: windowState(r.spec, now),
    active: activePairs.has(`request:${refOf(r)}`),
  };
  if (grant) row.grant = refOf(grant);
  return row;
}

/** Every consumer of every service with why: the renderer's decision, as the catalogue reports it. */
function consumerRows(entries: readonly CatalogueEntry[]): ConsumerRow[] {
  const rows: ConsumerRow[] = [];
  for (const e of entries) {
    const explained = new Set<string>();
    for (const a of e.access) {
      rows.push({
        service: e.ref,
        serviceDisplayName: e.displayName,
        consumer: a.consumer,
        workspaces: a.workspaces,
        reason: { kind: 'grant', request: a.request, grant: a.grant },
      });
      explained.add(a.consumer);
    }
    for (const d of e.requests) {
      rows.push({
        service: e.ref,
        serviceDisplayName: e.displayName,
        consumer: d.consumer,
        workspaces: d.workspaces,
        reason: { kind: 'declared', request: d.request },
      });
      explained.add(d.consumer);
    }
    if (e.sharing === 'default' || e.sharing === 'open') {
      const byAgency = new Map<string, string[]>();
      for (const c of e.consumers) {
        const [agency = '', workspace = ''] = c.split('/');
        if (explained.has(agency)) continue;
        byAgency.set(agency, [...(byAgency.get(agency) ?? []), workspace]);
      }
      for (const [agency, workspaces] of byAgency)
        rows.push({ service: e.ref, serviceDisplayName: e.displayName, consumer: agency, workspaces: workspaces.sort(), reason: { kind: e.sharing } });
    }
  }
  return rows;
}

function linkRow(l: Platform['links'][number]): LinkRow {
  const p = l.spec.peer;
  const peer = p.agency ? `${p.agency.name}/${p.agency.workspace}` : p.external ? `${p.external.network} ${p.external.cidrs.join(', ')}` : '';
  return {
    ref: refOf(l),
    workspace: l.spec.workspace,
    direction: l.spec.direction,
    peer,
    ports: l.spec.ports.map((x) => `${x.protocol ?? 'TCP'}/${x.port}${x.endPort ? `-${x.endPort}` : ''}`).join(', '),
    encrypted: l.spec.encrypted === true,
    ...(l.spec.validUntil ? { validUntil: l.spec.validUntil } : {}),
  };
}

function activePairsOf(entries: readonly CatalogueEntry[]): Set<string> {
  const out = new Set<string>();
  for (const e of entries)
    for (const a of e.access) {
      out.add(`request:${a.request}`);
      out.add(`grant:${a.grant}`);
    }
  return out;
}

/** One agency's page, or undefined when no such agency exists. */
export function agencyView(platform: Platform, name: string, now: Date): AgencyView | undefined {
  const agency = platform.agencies.find((a) => a.metadata.name === name);
  if (!agency) return undefined;
  const hub = hubNamespaceOf(name);
  const entries = catalogue(platform, now);
  const active = activePairsOf(entries);
  const consumers = consumerRows(entries);
  return {
    agency: agencySummary(platform, agency),
    ...(agency.spec.parent ? { parent: agency.spec.parent } : {}),
    hubNamespace: hub,
    groups: { admins: [...(agency.spec.groups.admins ?? [])], viewers: [...(agency.spec.groups.viewers ?? [])] },
    workspaces: agency.spec.workspaces.map((w) => ({
      name: w.name,
      namespace: workspaceNamespace(name, w.name),
      dataClass: w.dataClass,
      ...(w.description ? { description: w.description } : {}),
      internetEgress: w.internetEgress?.length ?? 0,
    })),
    quotas: agency.spec.placement.dataCentres.map((d) => quotaIn(agency, d)).filter((q): q is QuotaRow => q !== undefined),
    services: entries.filter((e) => e.owner === name),
    consumers: consumers.filter((c) => c.service.startsWith(`${hub}/`)),
    consumes: consumers.filter((c) => c.consumer === name && !c.service.startsWith(`${hub}/`)),
    grantsGiven: platform.grants.filter((g) => g.metadata.namespace === hub).map((g) => grantRow(platform, g, active, now)),
    requestsMade: platform.requests.filter((r) => r.metadata.namespace === hub).map((r) => requestRow(platform, r, active, now)),
    links: platform.links.filter((l) => l.metadata.namespace === hub).map(linkRow),
  };
}

export function dataCentreView(platform: Platform, name: string, now: Date): DataCentreView | undefined {
  const dc = platform.dataCentres.find((d) => d.metadata.name === name);
  if (!dc) return undefined;
  const entries = catalogue(platform, now);
  return {
    dataCentre: dataCentreSummary(platform, dc, entries),
    networkRanges: [...dc.spec.networkRanges],
    ...(dc.spec.encryptedLinks === undefined ? {} : { encryptedLinks: dc.spec.encryptedLinks }),
    agencies: placedIn(platform, name)
      .map((a) => {
        const quota = quotaIn(a, name);
        return { ...agencySummary(platform, a), ...(quota ? { quota } : {}) };
      })
      .sort(byName),
    services: entries.filter((e) => e.dataCentres.includes(name)),
  };
}

export function catalogueView(platform: Platform, now: Date): CatalogueEntry[] {
  return catalogue(platform, now);
}

/** Who reaches which service now, and why; and the declared links between agencies and networks. */
export function accessGraphView(platform: Platform, now: Date): AccessGraphView {
  const entries = catalogue(platform, now);
  const display = new Map(platform.agencies.map((a) => [a.metadata.name, a.spec.displayName]));
  const edges: AccessEdge[] = [];
  for (const row of consumerRows(entries)) {
    const e = entries.find((x) => x.ref === row.service)!;
    const edge: AccessEdge = {
      consumer: row.consumer,
      consumerDisplayName: display.get(row.consumer) ?? row.consumer,
      provider: e.owner ?? '',
      providerDisplayName: e.ownerDisplayName ?? '',
      service: e.name,
      serviceDisplayName: e.displayName,
      workspaces: row.workspaces,
      reason: row.reason,
    };
    if (e.identifier) edge.identifier = e.identifier;
    edges.push(edge);
  }
  edges.sort((a, b) => (a.consumer + a.provider + a.service < b.consumer + b.provider + b.service ? -1 : 1));
  const links = platform.links.map((l) => ({ ...linkRow(l), agency: actingAgency(platform, l)?.metadata.name ?? '' }));
  return { now: now.toISOString(), edges, links };
}
