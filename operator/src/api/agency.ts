import { Type } from '@sinclair/typebox';
import { AGENCY_CODE_PATTERN } from './codes.ts';
import type { KindDefinition, Resource } from './kind.ts';
import { HUB_NAMESPACE_PREFIX, PLATFORM_NAMESPACE_PREFIXES, PLATFORM_NAMESPACES } from './tenancy.ts';
import { cel, cidr, conditions, dnsLabel, immutable, mapListOf, observedGeneration, quantity, securityLevel, setOf, text } from './schema.ts';
import { DATA_CLASSES, NEVER_HOSTED, NO_INTERNET_EGRESS_FROM_LEVEL, STATE_SECRET_MESSAGE } from '../model/policy.ts';

export const AGENCY_TYPES = ['ministry', 'ministryLevelAgency', 'governmentAgency', 'sector', 'province', 'provincialDepartment', 'other'] as const;
export { DATA_CLASSES, STATE_SECRET_MESSAGE };

/** Agency names leave room for `-<workspace>` inside a 63-character namespace name. */
export const AGENCY_NAME_MAX = 30;
export const WORKSPACE_NAME_MAX = 30;

export const dataClass = (what: string) =>
  Type.String({
    description: `Highest class of data ${what} handles: open, shared or private. ${NEVER_HOSTED} is named only to be refused: ${STATE_SECRET_MESSAGE}.`,
    enum: [...DATA_CLASSES],
    ...cel({ rule: `self != '${NEVER_HOSTED}'`, message: STATE_SECRET_MESSAGE, reason: 'FieldValueForbidden' }),
  });

const Quota = Type.Object(
  {
    dataCentre: dnsLabel('Data centre this quota applies in; it must be in placement.dataCentres.'),
    cpu: quantity('CPU the agency may request there, in total over its workspaces.'),
    memory: quantity('Memory the agency may request there, in total.'),
    storage: quantity('Persistent storage the agency may claim there, in total.'),
    pods: Type.Optional(Type.Integer({ description: 'Pods the agency may run there, in total. Default: 10 per workspace.', minimum: 1, maximum: 100000 })),
  },
  { description: "The agency's quota in one data centre, shared equally by its workspaces there." },
);

const Workspace = Type.Object(
  {
    name: dnsLabel('Workspace name; the namespace is <agency>-<workspace>.', WORKSPACE_NAME_MAX),
    description: Type.Optional(text('What the workspace is for.', 512)),
    dataClass: dataClass('the workspace'),
    internetEgress: Type.Optional(
      setOf(cidr('A destination range.'), {
        description: 'Internet destinations the workspace may reach (an allow-list). Only at security levels 1 and 2; absent: none.',
        maxItems: 64,
      }),
    ),
  },
  { description: 'A namespace the agency wants in every data centre it is placed in.' },
);

const AgencySpec = Type.Object(
  {
    code: Type.String({
      description:
        'Electronic identification code (Decision 20/2020/QĐ-TTg), as G22 or G22.05.01, or the older right-to-left form 000.00.05.G22. Immutable; normalised to the left-to-right form in status.code.',
      maxLength: 35,
      pattern: AGENCY_CODE_PATTERN,
      ...cel(immutable('code')),
    }),
    displayName: text('Name in Vietnamese (UTF-8), e.g. "Bộ Tài chính".'),
    type: Type.String({ description: 'Kind of agency.', enum: [...AGENCY_TYPES] }),
    parent: Type.Optional(dnsLabel('Parent agency (its Agency name), for agencies under a ministry or province.', 30)),
    groups: Type.Object(
      {
        admins: Type.Optional(
          setOf(text('A group name from the identity provider.', 256), {
            description: "Groups that run workloads in the agency's workspaces and write its requests on the hub.",
            maxItems: 32,
          }),
        ),
        viewers: Type.Optional(
          setOf(text('A group name from the identity provider.', 256), { description: "Groups that may read the agency's workspaces.", maxItems: 32 }),
        ),
      },
      { description: "Identity-provider groups bound to the agency's workspaces." },
    ),
    securityLevel: securityLevel("Security level of the agency's systems (Decree 85/2016): it decides isolation and where the agency may be placed."),
    placement: Type.Object(
      {
        dataCentres: setOf(dnsLabel('A DataCentre name.'), {
          description: 'Data centres the agency is placed in. Never all by default: name each one.',
          minItems: 1,
          maxItems: 16,
        }),
      },
      { description: "Where the agency's workspaces exist." },
    ),
    quotas: mapListOf(Quota, 'dataCentre', { description: 'Quota per data centre; one entry for each data centre in placement.', minItems: 1, maxItems: 16 }),
    workspaces: mapListOf(Workspace, 'name', { description: 'Workspaces (namespaces) the agency wants.', minItems: 1, maxItems: 64 }),
    deletionPolicy: Type.Optional(
      Type.String({
        description:
          "What happens to the agency's namespaces when the Agency is deleted: Retain (default) keeps them, unlabelled as orphans; Delete removes them with their data.",
        enum: ['Retain', 'Delete'],
      }),
    ),
  },
  {
    description: 'An agency asking for tenancy.',
    ...cel(
      {
        rule: 'self.quotas.all(q, q.dataCentre in self.placement.dataCentres) && self.placement.dataCentres.all(d, self.quotas.exists(q, q.dataCentre == d))',
        message: 'quotas must name each data centre in placement.dataCentres exactly, and no other',
        fieldPath: '.quotas',
      },
      {
        rule: `self.securityLevel <= ${NO_INTERNET_EGRESS_FROM_LEVEL - 1} || self.workspaces.all(w, !has(w.internetEgress) || size(w.internetEgress) == 0)`,
        message: `security level ${NO_INTERNET_EGRESS_FROM_LEVEL} and above allows no internet egress`,
        fieldPath: '.workspaces',
        reason: 'FieldValueForbidden',
      },
    ),
  },
);

const PlacementStatus = Type.Object(
  {
    dataCentre: Type.String({ description: 'Data centre name.' }),
    ready: Type.Boolean({ description: 'Everything the agency needs there is in place.' }),
    namespaces: Type.Array(Type.String({ description: 'A namespace name.' }), { description: 'Namespaces in place.' }),
    message: Type.Optional(Type.String({ description: 'Why it is not ready.' })),
  },
  { description: 'The agency in one data centre.' },
);

const AgencyStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    code: Type.Optional(Type.String({ description: 'The normalised (left-to-right) identification code.' })),
    hubNamespace: Type.Optional(Type.String({ description: 'Namespace on the hub where the agency writes its links, services, requests and grants.' })),
    dataCentres: Type.Optional(mapListOf(PlacementStatus, 'dataCentre', { description: 'Per data centre, what is in place.' })),
  },
  { description: 'What the operator last did for the agency.' },
);

/** The platform's namespaces that an Agency name could make as its hub namespace. */
const HUB_SHAPED_PLATFORM_NAMESPACES = PLATFORM_NAMESPACES.filter((n) => n.startsWith(HUB_NAMESPACE_PREFIX));

export const AgencyKind = {
  kind: 'Agency',
  plural: 'agencies',
  singular: 'agency',
  shortNames: ['ag'],
  scope: 'Cluster',
  description: 'A tenant agency (ministry, sector, province) with its workspaces, placement, quotas and security level.',
  spec: AgencySpec,
  status: AgencyStatus,
  rootRules: [
    {
      rule: "size(self.metadata.name) <= 30 && !self.metadata.name.startsWith('govcloud') && !self.metadata.name.startsWith('kube-')",
      message: 'an Agency name has at most 30 characters and does not start with govcloud or kube-',
      fieldPath: '.metadata.name',
    },
    {
      // Written from the constants the operator's rules use (platformNamespaceClash), so the API server and govcloud validate refuse alike.
      rule:
        `!(('${HUB_NAMESPACE_PREFIX}' + self.metadata.name) in [${HUB_SHAPED_PLATFORM_NAMESPACES.map((n) => `'${n}'`).join(', ')}])` +
        PLATFORM_NAMESPACE_PREFIXES.map((p) => ` && !(self.metadata.name + '-').startsWith('${p}')`).join(''),
      message: `an Agency name may not make a namespace of the platform: its hub namespace ${HUB_NAMESPACE_PREFIX}<name> may not be ${HUB_SHAPED_PLATFORM_NAMESPACES.join(' or ')}, and its workspace namespaces <name>-<workspace> may not start with ${PLATFORM_NAMESPACE_PREFIXES.join(' or ')}`,
      reason: 'FieldValueForbidden',
      fieldPath: '.metadata.name',
    },
  ],
  printerColumns: [
    { name: 'Code', type: 'string', jsonPath: '.spec.code', description: 'Identification code.' },
    { name: 'Display name', type: 'string', jsonPath: '.spec.displayName', description: 'Name in Vietnamese.' },
    { name: 'Level', type: 'integer', jsonPath: '.spec.securityLevel', description: 'Security level.' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' },
  ],
} satisfies KindDefinition;

export type Agency = Resource<typeof AgencyKind>;
