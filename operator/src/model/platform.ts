/**
 * The whole desired platform as one value: what a GitOps folder holds, or what the hub's
 * caches hold. Validation rules across objects and the renderers both read it, so the CLI's
 * `plan` and the operator decide from the same picture.
 */
import type { AccessGrant, AccessRequest, Agency, ConsolidationTarget, DataCentre, MigrationPlan, NetworkLink, SharedDataService } from '../api/index.ts';
import { agencyNameOfHubNamespace } from '../api/index.ts';

export interface Platform {
  dataCentres: DataCentre[];
  agencies: Agency[];
  links: NetworkLink[];
  services: SharedDataService[];
  requests: AccessRequest[];
  grants: AccessGrant[];
  /** The agencies' consolidation roadmaps. */
  plans: MigrationPlan[];
  /** The platform-wide consolidation targets. */
  targets: ConsolidationTarget[];
}

export function emptyPlatform(): Platform {
  return { dataCentres: [], agencies: [], links: [], services: [], requests: [], grants: [], plans: [], targets: [] };
}

/** The agency acting for a namespaced object: the owner of its hub namespace, if that agency exists. */
export function actingAgency(platform: Platform, object: { metadata: { namespace?: string } }): Agency | undefined {
  const name = agencyNameOfHubNamespace(object.metadata.namespace);
  return name === undefined ? undefined : platform.agencies.find((a) => a.metadata.name === name);
}
