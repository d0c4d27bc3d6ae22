import { Type } from '@sinclair/typebox';
import type { KindDefinition, Resource } from './kind.ts';
import { cel, conditions, dnsLabel, observedGeneration, setOf, text, validityWindow } from './schema.ts';

const purpose = () => text('Why the data is needed.', 1024);
const legalBasis = () => text('The legal basis for the access, e.g. a decree and article.', 1024);

const requestWindow = validityWindow('request', false);

const AccessRequestSpec = Type.Object(
  {
    provider: dnsLabel('The agency owning the service (its Agency name).', 30),
    service: dnsLabel("The SharedDataService name in the provider's namespace.", 253),
    workspaces: setOf(dnsLabel('A workspace of the requesting agency.', 30), {
      description: "The requesting agency's workspaces that need access.",
      minItems: 1,
      maxItems: 64,
    }),
    purpose: purpose(),
    legalBasis: legalBasis(),
    ...requestWindow.properties,
  },
  { description: 'A request for access, written by the consumer agency in its own namespace.', ...cel(requestWindow.rule) },
);

const grantWindow = validityWindow('grant', true);

const AccessGrantSpec = Type.Object(
  {
    service: dnsLabel("The SharedDataService, in this (the provider's) namespace.", 253),
    consumer: dnsLabel('The consumer agency (its Agency name).', 30),
    workspaces: Type.Optional(
      setOf(dnsLabel('A workspace of the consumer.', 30), {
        description: 'Consumer workspaces granted. Absent: every workspace the request names.',
        maxItems: 64,
      }),
    ),
    purpose: purpose(),
    legalBasis: legalBasis(),
    ...grantWindow.properties,
  },
  {
    description:
      'A grant of access, written by the provider agency in its own namespace. Access opens only where a matching AccessRequest exists, and only within the window.',
    ...cel(grantWindow.rule),
  },
);

const AccessStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    agency: Type.Optional(Type.String({ description: 'The agency acting, taken from the namespace.' })),
    active: Type.Optional(Type.Boolean({ description: 'Access is open now: request and grant match and the window is open.' })),
    matchedBy: Type.Optional(Type.String({ description: 'The matching AccessGrant or AccessRequest, namespace/name.' })),
    workspaces: Type.Optional(Type.Array(Type.String({ description: 'A workspace.' }), { description: 'Consumer workspaces with access now.' })),
  },
  { description: 'What the operator last decided.' },
);

export const AccessRequestKind = {
  kind: 'AccessRequest',
  plural: 'accessrequests',
  singular: 'accessrequest',
  shortNames: ['areq'],
  scope: 'Namespaced',
  description: "A consumer agency's request for access to another agency's shared data service.",
  spec: AccessRequestSpec,
  status: AccessStatus,
  printerColumns: [
    { name: 'Provider', type: 'string', jsonPath: '.spec.provider', description: 'Agency owning the service.' },
    { name: 'Service', type: 'string', jsonPath: '.spec.service', description: 'Service.' },
    { name: 'Active', type: 'boolean', jsonPath: '.status.active', description: 'Access open now.' },
  ],
} satisfies KindDefinition;

export const AccessGrantKind = {
  kind: 'AccessGrant',
  plural: 'accessgrants',
  singular: 'accessgrant',
  shortNames: ['agrant'],
  scope: 'Namespaced',
  description: "A provider agency's grant of access to one of its shared data services, with a validity window enforced on time.",
  spec: AccessGrantSpec,
  status: AccessStatus,
  printerColumns: [
    { name: 'Service', type: 'string', jsonPath: '.spec.service', description: 'Service.' },
    { name: 'Consumer', type: 'string', jsonPath: '.spec.consumer', description: 'Consumer agency.' },
    { name: 'Until', type: 'string', jsonPath: '.spec.validUntil', description: 'End of validity.' },
    { name: 'Active', type: 'boolean', jsonPath: '.status.active', description: 'Access open now.' },
  ],
} satisfies KindDefinition;

export type AccessRequest = Resource<typeof AccessRequestKind>;
export type AccessGrant = Resource<typeof AccessGrantKind>;
