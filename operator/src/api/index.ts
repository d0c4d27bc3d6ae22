/** The govcloud.dev/v1alpha1 API: every kind, in the order objects depend on each other. */
import { AccessGrantKind, AccessRequestKind } from './access.ts';
import { AgencyKind } from './agency.ts';
import { ConsolidationTargetKind } from './consolidationtarget.ts';
import { DataCentreKind } from './datacentre.ts';
import type { KindDefinition } from './kind.ts';
import { MigrationPlanKind } from './migrationplan.ts';
import { NetworkLinkKind } from './networklink.ts';
import { SharedDataServiceKind } from './shareddataservice.ts';

export const KINDS: readonly KindDefinition[] = [
  DataCentreKind,
  AgencyKind,
  NetworkLinkKind,
  SharedDataServiceKind,
  AccessRequestKind,
  AccessGrantKind,
  MigrationPlanKind,
  ConsolidationTargetKind,
];

export function kindByName(kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.kind === kind);
}

export * from './schema.ts';
export * from './codes.ts';
export type { KindDefinition, ObjectMeta, Resource, PrinterColumn } from './kind.ts';
export { DataCentreKind, type DataCentre } from './datacentre.ts';
export { AgencyKind, type Agency, AGENCY_TYPES, DATA_CLASSES, STATE_SECRET_MESSAGE } from './agency.ts';
export { NetworkLinkKind, type NetworkLink, EXTERNAL_NETWORKS, LINK_MIN_PREFIX, type ExternalNetwork } from './networklink.ts';
export { SharedDataServiceKind, type SharedDataService, SHARING_MODES } from './shareddataservice.ts';
export { AccessRequestKind, AccessGrantKind, type AccessRequest, type AccessGrant } from './access.ts';
export { MigrationPlanKind, type MigrationPlan, MIGRATION_STATES, DONE_STATES, type MigrationState } from './migrationplan.ts';
export { ConsolidationTargetKind, type ConsolidationTarget } from './consolidationtarget.ts';
export * from './tenancy.ts';
export * from './labels.ts';
