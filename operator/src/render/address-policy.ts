/**
 * `govcloud-addresses` (ValidatingAdmissionPolicy and binding, on the hub): the rule of
 * addresses (model/addresses.ts) at admission, for what tenants write with kubectl
 * (NetworkLinks in their hub namespaces) and what platform engineers merge (Agencies'
 * internetEgress). The API server refuses a range that lies in a reserved range (a data
 * centre's networkRanges, another agency's WAN; for internet egress also the declared
 * networks and the private ranges), and a link range that is not on a network a DataCentre
 * declares for it. Broader ranges that contain reserved ones are admitted: the renderers
 * except them. The CRD's own CEL caps a link range at LINK_MIN_PREFIX.
 *
 * The policy needs every DataCentre's ranges at once (a range is allowed when one of them
 * declares it), which a paramRef cannot give: a policy with several params is evaluated
 * against each alone. So the operator renders the ranges into the expressions, from the
 * same AddressPlan that `govcloud validate` and the renderers use, and re-renders it when a
 * DataCentre changes (owned by the hub's DataCentre, applied with the platform objects).
 * Until the operator first runs there is no policy: the renderers still refuse and except.
 *
 * One range inside another is decided by `cidr(r).containsCIDR(c)` (Kubernetes' CEL IP
 * library) exactly as model/addresses.ts `contains` decides it: a range lies in one
 * reserved or declared range, never in a union of several.
 */
import { GROUP, HUB_NAMESPACE_PREFIX } from '../api/index.ts';
import type { AddressPlan } from '../model/addresses.ts';
import { denyingPolicy } from './admission.ts';
import type { DesiredObject, OwnerRef } from './types.ts';

export const ADDRESS_POLICY = 'govcloud-addresses';

function str(s: string): string {
  return JSON.stringify(s);
}

/** A CEL list of maps of strings (CEL map literals hold one value type). */
function celList(items: Record<string, string>[]): string {
  return `[${items
    .map(
      (i) =>
        `{${Object.entries(i)
          .map(([k, v]) => `${str(k)}: ${str(v)}`)
          .join(', ')}}`,
    )
    .join(', ')}]`;
}

/** Reserved ranges and whom from: every egress (all), every agency's but their own (others), internet egress (internet). */
function reservedList(plan: AddressPlan): string {
  return celList([
    ...plan.dataCentreRanges.map((r) => ({ cidr: r.cidr.text, what: r.what, scope: 'all', agency: '' })),
    ...plan.wans.map((r) => ({ cidr: r.cidr.text, what: r.what, scope: 'others', agency: r.agency ?? '' })),
    ...[...plan.specialised.specialisedLevelI, ...plan.specialised.specialisedLevelII, ...plan.nonInternet].map((r) => ({
      cidr: r.cidr.text,
      what: r.what,
      scope: 'internet',
      agency: '',
    })),
  ]);
}

function declaredList(plan: AddressPlan): string {
  return celList([
    ...(['specialisedLevelI', 'specialisedLevelII'] as const).flatMap((network) =>
      plan.specialised[network].map((r) => ({ network, agency: '', cidr: r.cidr.text })),
    ),
    ...plan.wans.map((r) => ({ network: 'agencyWAN', agency: r.agency ?? '', cidr: r.cidr.text })),
  ]);
}

const inReserved = (c: string) => `variables.reserved.exists(r, cidr(r.cidr).containsCIDR(${c}))`;
const firstReserved = (c: string) => `variables.reserved.filter(r, cidr(r.cidr).containsCIDR(${c}))[0]`;
const named = (c: string) => `${c} + ' lies in ' + ${firstReserved(c)}.cidr + ', ' + ${firstReserved(c)}.what`;
const onDeclared = (c: string) => `variables.declared.exists(d, cidr(d.cidr).containsCIDR(${c}))`;

export function addressPolicy(owner: OwnerRef, plan: AddressPlan): DesiredObject[] {
  const prefix = HUB_NAMESPACE_PREFIX.length;
  return denyingPolicy(owner, ADDRESS_POLICY, {
    matchConstraints: {
      resourceRules: [{ apiGroups: [GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['networklinks', 'agencies'] }],
    },
    matchConditions: [
      // Only what writes a spec: the operator's finalizer updates of an object admitted
      // before the policy (or before a DataCentre's ranges changed) must still go through.
      { name: 'spec-written', expression: "request.operation == 'CREATE' || object.spec != oldObject.spec" },
      // Links count only in hub namespaces (the renderers refuse them anywhere else).
      { name: 'agency-or-hub-namespace', expression: `request.resource.resource == 'agencies' || request.namespace.startsWith(${str(HUB_NAMESPACE_PREFIX)})` },
    ],
    variables: [
      { name: 'isAgency', expression: "request.resource.resource == 'agencies'" },
      {
        name: 'agency',
        expression: `variables.isAgency ? object.metadata.name : request.namespace.substring(${prefix})`,
      },
      { name: 'destination', expression: "variables.isAgency ? 'internet' : (has(object.spec.peer.external) ? object.spec.peer.external.network : '')" },
      { name: 'linkCidrs', expression: '!variables.isAgency && has(object.spec.peer.external) ? object.spec.peer.external.cidrs : []' },
      {
        name: 'reserved',
        expression: `${reservedList(plan)}.filter(r, r.scope == 'all' || variables.destination == 'internet' || (r.scope == 'others' && r.agency != variables.agency))`,
      },
      {
        name: 'declared',
        expression: `${declaredList(plan)}.filter(d, d.network == variables.destination && (d.network != 'agencyWAN' || d.agency == variables.agency))`,
      },
    ],
    validations: [
      {
        expression: `variables.linkCidrs.all(c, ${onDeclared('c')})`,
        messageExpression:
          `'spec.peer.external.cidrs: ' + variables.linkCidrs.filter(c, !${onDeclared('c')}).join(', ') + ' not on ' + ` +
          `(variables.destination == 'agencyWAN' ? 'Agency/' + variables.agency + "'s own WAN" : 'the ' + variables.destination + ' network') + ` +
          `' as the DataCentres declare it in spec.externalNetworks: a link reaches only declared networks'`,
        reason: 'Forbidden',
      },
      {
        expression: `variables.linkCidrs.all(c, !${inReserved('c')})`,
        messageExpression: `'spec.peer.external.cidrs: ' + variables.linkCidrs.filter(c, ${inReserved('c')}).map(c, ${named('c')}).join('; ') + ': reach other agencies through agency links and grants'`,
        reason: 'Forbidden',
      },
      {
        expression: `!variables.isAgency || object.spec.workspaces.all(w, !has(w.internetEgress) || w.internetEgress.all(c, !${inReserved('c')}))`,
        messageExpression:
          `object.spec.workspaces.filter(w, has(w.internetEgress) && w.internetEgress.exists(c, ${inReserved('c')}))` +
          `.map(w, 'workspace ' + w.name + ' internetEgress: ' + w.internetEgress.filter(c, ${inReserved('c')}).map(c, ${named('c')}).join('; ')).join('; ') + ': internet egress reaches the internet only'`,
        reason: 'Forbidden',
      },
    ],
  });
}
