/**
 * Where an agency's workspaces exist: the data centres named in its placement that accept
 * it, nowhere else. Every renderer asks here, so an agency's namespaces, the links into
 * them and the services consuming from them agree on where they are.
 *
 * A data centre refuses an agency when it does not exist, when the policy's placement
 * decision refuses it (model/policy.ts: dedicated to or owned by another agency, not
 * dedicated where the level needs it, accredited below the agency's level, cordoned), or when the agency has no valid
 * quota for it (namespaces without a quota would be unbounded).
 */
import { agencyNameOfHubNamespace, type Agency, type DataCentre } from '../api/index.ts';
import { agencyNamed, placementContext, type Platform } from '../model/platform.ts';
import { placementRefusal, type PlacementRefusal } from '../model/policy.ts';
import { agencyCode, agencyOwner, compareStrings } from './meta.ts';
import { parseBytes, parseMilli } from '../model/quantity.ts';
import type { RenderIssue } from './types.ts';

export interface AgencyQuota {
  /** Millicores. */
  cpu: bigint;
  /** Bytes. */
  memory: bigint;
  /** Bytes. */
  storage: bigint;
  pods?: number;
}

export interface PlacedDataCentre {
  dataCentre: DataCentre;
  quota: AgencyQuota;
}

export interface Placement {
  /** Undefined when the code is invalid: then the agency is placed nowhere. */
  code?: string;
  /** Accepted data centres, by name. */
  placed: PlacedDataCentre[];
  issues: RenderIssue[];
}

export function findAgency(platform: Platform, name: string): Agency | undefined {
  return agencyNamed(platform, name);
}

export function findDataCentre(platform: Platform, name: string): DataCentre | undefined {
  return platform.dataCentres.find((d) => d.metadata.name === name);
}

/** The agency's workspace names, unique and sorted. */
export function workspaceNames(agency: Agency): string[] {
  return [...new Set(agency.spec.workspaces.map((w) => w.name))].sort(compareStrings);
}

export function hasWorkspace(agency: Agency, workspace: string): boolean {
  return agency.spec.workspaces.some((w) => w.name === workspace);
}

export function placementOf(platform: Platform, agency: Agency): Placement {
  const owner = agencyOwner(agency);
  const field = 'spec.placement.dataCentres';
  const code = agencyCode(agency);
  if (!code.ok) return { placed: [], issues: [code.issue] };
  const issues: RenderIssue[] = [];
  const placed: PlacedDataCentre[] = [];
  for (const name of [...new Set(agency.spec.placement.dataCentres)].sort(compareStrings)) {
    const refuse = (reason: string, message: string, f = field) => issues.push({ owner, field: f, dataCentre: name, reason, message });
    const dc = findDataCentre(platform, name);
    if (!dc) {
      refuse('DataCentreNotFound', `data centre ${name} does not exist`);
      continue;
    }
    const refusal = placementRefusal(agency, dc, placementContext(platform, agency, dc));
    if (refusal) {
      refuse(refusal.reason, refusalText(refusal, agency, name));
      continue;
    }
    const quota = agency.spec.quotas.find((q) => q.dataCentre === name);
    if (!quota) {
      refuse('QuotaMissing', `no quota for data centre ${name}`, 'spec.quotas');
      continue;
    }
    const cpu = parseMilli(quota.cpu);
    const memory = parseBytes(quota.memory);
    const storage = parseBytes(quota.storage);
    if (cpu === undefined || memory === undefined || storage === undefined) {
      refuse('InvalidQuota', `the quota for data centre ${name} holds a value that is not a quantity`, 'spec.quotas');
      continue;
    }
    const parsed: AgencyQuota = { cpu, memory, storage };
    if (quota.pods !== undefined) parsed.pods = quota.pods;
    placed.push({ dataCentre: dc, quota: parsed });
  }
  return { code: code.code, placed, issues };
}

function refusalText(refusal: PlacementRefusal, agency: Agency, dataCentre: string): string {
  switch (refusal.reason) {
    case 'DedicatedToAnotherAgency':
      return `data centre ${dataCentre} is dedicated to agency ${refusal.dedicatedTo}`;
    case 'OwnedByAnotherAgency':
      return `data centre ${dataCentre} belongs to agency ${refusal.ownedBy} and hosts only it and the agencies under it`;
    case 'DedicatedDataCentreRequired':
      return `security level ${refusal.level} needs a data centre dedicated to ${agency.metadata.name}; ${dataCentre} is not`;
    case 'Cordoned':
      return `data centre ${dataCentre} is cordoned (draining) and takes no new agency`;
    case 'NotAccredited':
      return `data centre ${dataCentre} is accredited up to security level ${refusal.accreditedLevel}, the agency is level ${refusal.level}`;
  }
}

/** Names of the data centres that accept the agency (sorted). */
export function placedNames(platform: Platform, agency: Agency): string[] {
  return placementOf(platform, agency).placed.map((p) => p.dataCentre.metadata.name);
}

/**
 * What a drain of the data centre still waits for, from the specs: the agencies placed there
 * (accepted placement) and the shared data services of those agencies placed there; sorted.
 * `govcloud plan` and the DataCentre's status both list them.
 */
export function stillIn(platform: Platform, dataCentre: string): { agencies: string[]; services: string[] } {
  const agencies = platform.agencies.filter((a) => placedNames(platform, a).includes(dataCentre)).map((a) => a.metadata.name);
  const placed = new Set(agencies);
  const services = platform.services
    .filter((s) => s.spec.placement.dataCentres.includes(dataCentre) && placed.has(agencyNameOfHubNamespace(s.metadata.namespace) ?? ''))
    .map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name}`);
  return { agencies: agencies.sort(compareStrings), services: services.sort(compareStrings) };
}

/** The hub: the one data centre with `spec.connection.thisCluster: true`. */
export function hubDataCentre(platform: {
  readonly dataCentres: readonly DataCentre[];
}): { ok: true; dataCentre: DataCentre } | { ok: false; reason: string; message: string } {
  const hubs = platform.dataCentres.filter((d) => d.spec.connection.thisCluster === true).sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
  const [hub] = hubs;
  if (hubs.length === 1 && hub) return { ok: true, dataCentre: hub };
  if (hubs.length === 0)
    return {
      ok: false,
      reason: 'NoHubDataCentre',
      message: 'no data centre is the hub (spec.connection.thisCluster: true), so there is nowhere for hub namespaces',
    };
  return {
    ok: false,
    reason: 'SeveralHubDataCentres',
    message: `several data centres claim to be the hub (${hubs.map((h) => h.metadata.name).join(', ')}); hub namespaces are not rendered until one does`,
  };
}
