/**
 * What the hub's API server refuses of the tenants' own objects where the CRDs' CEL cannot
 * see it: a CRD's rules see the object below its root, never `metadata.namespace`, and the
 * namespace is the acting agency. Hub only: the tenants' kinds exist only there. Each
 * refusal is also a rule of model/rules.ts, so `govcloud validate` and the operator agree.
 *
 * `govcloud-networklink-peer`: a NetworkLink's `peer.agency` is another agency, never the
 * one whose hub namespace holds the link (rule self-links). Between two workspaces of one
 * agency both sides would be declared by that agency alone, so the two-party consent a link
 * stands for would mean nothing.
 *
 * `govcloud-access-parties`: an AccessRequest's provider and an AccessGrant's consumer are
 * another agency (rules access-requests and access-grants): consent to oneself is none.
 */
import { GROUP, HUB_NAMESPACE_PREFIX, AccessGrantKind, AccessRequestKind, NetworkLinkKind } from '../api/index.ts';
import { denyingPolicy, type Validation } from './admission.ts';
import type { DesiredObject, OwnerRef } from './types.ts';

export const NETWORKLINK_PEER_POLICY = 'govcloud-networklink-peer';
export const ACCESS_PARTIES_POLICY = 'govcloud-access-parties';

function policy(owner: OwnerRef, name: string, resources: string[], validations: Validation[]): DesiredObject[] {
  return denyingPolicy(owner, name, {
    matchConstraints: { resourceRules: [{ apiGroups: [GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources }] },
    validations: validations.map((v) => ({ ...v, reason: 'Invalid' })),
  });
}

/** `request.namespace` is not the hub namespace of the agency `field` names. */
const notActing = (field: string) => `request.namespace != '${HUB_NAMESPACE_PREFIX}' + ${field}`;

export function hubAdmissionPolicies(owner: OwnerRef): DesiredObject[] {
  const requests = AccessRequestKind.plural;
  const grants = AccessGrantKind.plural;
  return [
    ...policy(
      owner,
      NETWORKLINK_PEER_POLICY,
      [NetworkLinkKind.plural],
      [
        {
          expression: `!has(object.spec.peer) || !has(object.spec.peer.agency) || ${notActing('object.spec.peer.agency.name')}`,
          message:
            "a NetworkLink connects a workspace to another agency's workspace: spec.peer.agency.name may not be the agency whose hub namespace holds the link",
        },
      ],
    ),
    ...policy(
      owner,
      ACCESS_PARTIES_POLICY,
      [requests, grants],
      [
        {
          expression: `request.resource.resource != '${requests}' || ${notActing('object.spec.provider')}`,
          message: 'an agency does not request access to its own service: spec.provider may not be the agency whose hub namespace holds the request',
        },
        {
          expression: `request.resource.resource != '${grants}' || ${notActing('object.spec.consumer')}`,
          message: 'an agency does not grant access to itself: spec.consumer may not be the agency whose hub namespace holds the grant',
        },
      ],
    ),
  ];
}
