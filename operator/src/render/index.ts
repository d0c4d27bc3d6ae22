/**
 * Pure renderers: a Platform (and a time) in, the desired Kubernetes objects per data centre
 * out, with issues where something could not be rendered and the next time a window opens or
 * closes. No I/O, no clock. The `govcloud plan` CLI and the operator call the same functions.
 */
export type { DesiredObject, DesiredMetadata, OwnerRef, RenderIssue, Rendered } from './types.ts';
export {
  renderAgency,
  renderPlacedAgency,
  agencyNamespaces,
  podSecurityLabels,
  workspaceShare,
  DEFAULT_DENY,
  QUOTA_NAME,
  LIMIT_RANGE_NAME,
  type AgencyRender,
  type WorkspaceQuota,
} from './agency.ts';
export { renderLink, linkPolicyName, counterparts, type LinkRender } from './link.ts';
export {
  renderService,
  accessMatches,
  declaredUses,
  serviceObjectName,
  servicePolicyName,
  usePolicyName,
  type ServiceRender,
  type AccessMatch,
  type DeclaredUse,
} from './service.ts';
export { renderPlatform, type PlatformRender } from './platform.ts';
export { ACCESS_PARTIES_POLICY, hubAdmissionPolicies, NETWORKLINK_PEER_POLICY } from './hub-admission.ts';
export {
  platformObjects,
  platformClusterRoles,
  type PlatformClusterRole,
  WORKSPACE_ADMIN_ROLE,
  TENANT_REQUESTS_ROLE,
  TENANT_VIEWER_ROLE,
  WORKSPACE_POD_POLICY,
  WORKSPACE_SERVICE_POLICY,
  WORKSPACE_SECRET_POLICY,
  WORKSPACE_OBJECT_POLICIES,
  type WorkspaceObjectPolicy,
} from './platform-objects.ts';
export { placementOf, placedNames, stillIn, hubDataCentre, type Placement } from './placement.ts';
export { ownerKey, ownerLabelValue, ownerFromLabels, isValidLabelValue, boundedName } from './names.ts';
export { CHILD_RESOURCES, childResource, applyRank, type ResourceType } from './kinds.ts';
export { AGENCY_NAME_LABEL, OWNER_ANNOTATION, compareObjects, compareStrings } from './meta.ts';
