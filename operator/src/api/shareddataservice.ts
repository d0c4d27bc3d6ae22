import { Type } from '@sinclair/typebox';
import { dataClass } from './agency.ts';
import type { KindDefinition, Resource } from './kind.ts';
import { cel, conditions, dnsLabel, mapListOf, observedGeneration, quantity, setOf, text } from './schema.ts';
import { STATUS_LISTED } from '../runtime/bounded.ts';
import { SHARING_RULES } from '../model/policy.ts';

export const SHARING_MODES = ['open', 'default', 'onRequest'] as const;

const SharedDataServiceSpec = Type.Object(
  {
    displayName: text('Name people use, in Vietnamese (UTF-8).'),
    subsystem: dnsLabel('X-Road subsystem of the owning agency, e.g. vpcp.', 63),
    serviceCode: dnsLabel('Service code, e.g. document-exchange.', 63),
    version: Type.String({ description: 'Service version, e.g. v1.', pattern: '^v[0-9]+([a-z0-9.-]*)$', maxLength: 32 }),
    workspace: dnsLabel("Owner's workspace the service runs in.", 30),
    image: Type.String({ description: 'Container image, preferably pinned by digest.', minLength: 1, maxLength: 512, pattern: '^[^\\s]+$' }),
    port: Type.Integer({ description: 'Port the service listens on.', minimum: 1, maximum: 65535 }),
    replicas: Type.Optional(Type.Integer({ description: 'Replicas per data centre. Default: 2.', minimum: 1, maximum: 50 })),
    resources: Type.Optional(
      Type.Object(
        {
          cpu: quantity('CPU each replica requests (and is limited to).'),
          memory: quantity('Memory each replica requests (and is limited to).'),
        },
        { description: 'Resources per replica. Default: 250m CPU, 256Mi memory.' },
      ),
    ),
    placement: Type.Object(
      {
        dataCentres: setOf(dnsLabel('A DataCentre name.'), {
          description: 'Data centres the service runs in; each must be one the owner is placed in.',
          minItems: 1,
          maxItems: 16,
        }),
      },
      { description: 'Where the service runs.' },
    ),
    dataClass: dataClass('the service'),
    sharing: Type.String({
      description:
        "open: every agency and the specialised data network (open data only). default: every agency's workspaces (master data, common catalogues). " +
        'In both, agencies at security level 3 and above reach it only through their own AccessRequest (no grant needed). ' +
        'onRequest: only consumers with a matching AccessRequest and AccessGrant, in a data centre where the service runs.',
      enum: [...SHARING_MODES],
    }),
    env: Type.Optional(
      mapListOf(
        Type.Object(
          {
            name: Type.String({ description: 'Variable name.', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 }),
            value: Type.String({ description: 'Value.', maxLength: 4096 }),
          },
          { description: 'An environment variable.' },
        ),
        'name',
        { description: 'Environment variables of the container.', maxItems: 64 },
      ),
    ),
  },
  {
    description: 'A shared data service the agency owning this namespace publishes and the platform runs.',
    ...cel(
      ...SHARING_RULES.map((r) => ({
        rule: `self.${r.when.field} != '${r.when.is}' || self.${r.then.field} == '${r.then.is}'`,
        message: r.message,
        fieldPath: '.sharing',
      })),
    ),
  },
);

const ServicePlacementStatus = Type.Object(
  {
    dataCentre: Type.String({ description: 'Data centre name.' }),
    availableReplicas: Type.Integer({ description: 'Replicas available there.', minimum: 0 }),
    endpoint: Type.Optional(Type.String({ description: 'In-cluster address of the service there.' })),
  },
  { description: 'The service in one data centre.' },
);

const SharedDataServiceStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    identifier: Type.Optional(
      Type.String({ description: 'X-Road style identifier, VN/GOV/<owner code>/<subsystem>/<service>/<version>; the owner comes from the namespace.' }),
    ),
    owner: Type.Optional(Type.String({ description: 'The owning agency, taken from the namespace.' })),
    dataCentres: Type.Optional(mapListOf(ServicePlacementStatus, 'dataCentre', { description: 'Per data centre, what runs.' })),
    consumers: Type.Optional(
      Type.Array(Type.String({ description: 'agency/workspace' }), {
        description: `Workspaces entitled to the service now: the first ${STATUS_LISTED} (consumerCount says how many; \`govcloud catalogue\` lists them all).`,
        maxItems: STATUS_LISTED,
      }),
    ),
    consumerCount: Type.Optional(Type.Integer({ description: 'How many workspaces are entitled to the service now.', minimum: 0 })),
    history: Type.Optional(
      Type.Array(
        Type.Object(
          {
            time: Type.String({ description: 'When.' }),
            event: Type.String({ description: 'Granted, Revoked or Expired.' }),
            consumer: Type.String({ description: 'The consumer agency.' }),
            grant: Type.String({ description: 'The AccessGrant.' }),
            request: Type.Optional(Type.String({ description: 'The AccessRequest, namespace/name.' })),
          },
          { description: 'One change of access.' },
        ),
        { description: 'Access changes, newest last (the last 100).', maxItems: 100 },
      ),
    ),
  },
  { description: 'What the operator last did for the service.' },
);

export const SharedDataServiceKind = {
  kind: 'SharedDataService',
  plural: 'shareddataservices',
  singular: 'shareddataservice',
  shortNames: ['sds'],
  scope: 'Namespaced',
  description: 'A shared data service owned by the agency of its namespace, run by the platform in the data centres of its placement.',
  spec: SharedDataServiceSpec,
  status: SharedDataServiceStatus,
  printerColumns: [
    { name: 'Identifier', type: 'string', jsonPath: '.status.identifier', description: 'X-Road style identifier.' },
    { name: 'Class', type: 'string', jsonPath: '.spec.dataClass', description: 'Data class.' },
    { name: 'Sharing', type: 'string', jsonPath: '.spec.sharing', description: 'Sharing mode.' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
  ],
} satisfies KindDefinition;

export type SharedDataService = Resource<typeof SharedDataServiceKind>;
