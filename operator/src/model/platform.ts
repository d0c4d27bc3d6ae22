/**
 * The whole desired platform as one value: what a GitOps folder holds, or what the hub's
 * caches hold. Validation rules across objects and the renderers both read it, so the CLI's
 * `plan` and the operator decide from the same picture.
 */
import type { AccessGrant, AccessRequest, Agency, ConsolidationTarget, DataCentre, MigrationPlan, NetworkLink, SharedDataService } from '../api/index.ts';
import { agencyNameOfHubNamespace } from '../api/index.ts';
import { agencyAncestors, type PlacementContext } from './policy.ts';

export interface Platform {
  dataCentres: DataCentre[];
  agencies: Agency[];
  links: NetworkLink[];
  services: SharedDataService[];
  requests: AccessRequest[];
  grants: AccessGrant[];
  /**
   * What is observed, not desired: per data centre whose clusters the operator sees, the
   * agencies that have namespaces there (so a cordon keeps them and refuses newcomers).
   * Absent offline, and for a data centre not reached: unknown.
   */
  present?: ReadonlyMap<string, ReadonlySet<string>>;
  /** The agencies' consolidation roadmaps. */
  plans: MigrationPlan[];
  /** The platform-wide consolidation targets. */
  targets: ConsolidationTarget[];
}

/** Where an object of each govcloud kind goes in a Platform. */
export const PLATFORM_FIELD: Readonly<Record<string, keyof Platform>> = {
  DataCentre: 'dataCentres',
  Agency: 'agencies',
  NetworkLink: 'links',
  SharedDataService: 'services',
  AccessRequest: 'requests',
  AccessGrant: 'grants',
  MigrationPlan: 'plans',
  ConsolidationTarget: 'targets',
};

export function emptyPlatform(): Platform {
  return { dataCentres: [], agencies: [], links: [], services: [], requests: [], grants: [], plans: [], targets: [] };
}

/** The agency acting for a namespaced object: the owner of its hub namespace, if that agency exists. */
export function actingAgency(platform: Platform, object: { metadata: { namespace?: string } }): Agency | undefined {
  const name = agencyNameOfHubNamespace(object.metadata.namespace);
  return name === undefined ? undefined : agencyNamed(platform, name);
}

const agencyIndexes = new WeakMap<readonly Agency[], { length: number; positions: Map<string, number> }>();

/**
 * The first agency of that name, as `find` gives it: by an index of the list's positions,
 * since the renderers ask once per request, grant and route (25 million comparisons a render
 * at 5,000 agencies otherwise). A list changed in place since (tests do) is read again: a
 * changed length rebuilds the index, a position that no longer holds the name or a name not
 * indexed falls back to the scan.
 */
export function agencyNamed(platform: Platform, name: string): Agency | undefined {
  const list = platform.agencies;
  let index = agencyIndexes.get(list);
  if (!index || index.length !== list.length) {
    const positions = new Map<string, number>();
    list.forEach((a, i) => {
      if (!positions.has(a.metadata.name)) positions.set(a.metadata.name, i);
    });
    index = { length: list.length, positions };
    agencyIndexes.set(list, index);
  }
  const at = index.positions.get(name);
  const found = at === undefined ? undefined : list[at];
  return found?.metadata.name === name ? found : list.find((a) => a.metadata.name === name);
}

/**
 * What the placement decision (model/policy.ts) needs to know of the platform about this
 * agency in this data centre. The parents are looked up only for a data centre another
 * agency owns: the one case that asks for them.
 */
export function placementContext(platform: Platform, agency: Agency, dataCentre: DataCentre): PlacementContext {
  const owner = dataCentre.spec.ownedBy;
  const parentOf = (name: string) => platform.agencies.find((a) => a.metadata.name === name)?.spec.parent;
  const context: PlacementContext = { ancestors: owner !== undefined && owner !== agency.metadata.name ? agencyAncestors(agency.metadata.name, parentOf) : [] };
  const present = platform.present?.get(dataCentre.metadata.name);
  if (present) context.present = present.has(agency.metadata.name);
  return context;
}
