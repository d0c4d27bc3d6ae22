/**
 * What the hub's API server refuses of the tenants' own objects where the CRDs' CEL cannot
 * see it: a CRD's rules see the object below its root, never `metadata.namespace`, and the
 * namespace is the acting agency.
 *
 * `govcloud-networklink-peer` (ValidatingAdmissionPolicy and binding, hub only: NetworkLinks
 * exist only there): a NetworkLink's `peer.agency` is another agency, never the one whose
 * hub namespace holds the link. Between two workspaces of one agency both sides would be
 * declared by that agency alone, so the two-party consent a link stands for would mean
 * nothing (model/rules.ts, rule self-links, says the same offline and in the operator).
 */
import { GROUP, HUB_NAMESPACE_PREFIX, NetworkLinkKind } from '../api/index.ts';
import { metadata } from './meta.ts';
import type { DesiredObject, OwnerRef } from './types.ts';

export const NETWORKLINK_PEER_POLICY = 'govcloud-networklink-peer';

export function networkLinkPeerPolicy(owner: OwnerRef): DesiredObject[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: metadata({ name: NETWORKLINK_PEER_POLICY, owner }),
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [NetworkLinkKind.plural] }],
        },
        validations: [
          {
            expression: `!has(object.spec.peer) || !has(object.spec.peer.agency) || request.namespace != '${HUB_NAMESPACE_PREFIX}' + object.spec.peer.agency.name`,
            message: "a NetworkLink connects a workspace to another agency's workspace: spec.peer.agency.name may not be the agency whose hub namespace holds the link",
            reason: 'Invalid',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: metadata({ name: NETWORKLINK_PEER_POLICY, owner }),
      spec: { policyName: NETWORKLINK_PEER_POLICY, validationActions: ['Deny'] },
    },
  ];
}
