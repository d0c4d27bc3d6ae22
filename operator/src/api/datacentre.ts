import { Type } from '@sinclair/typebox';
import type { KindDefinition, Resource } from './kind.ts';
import { DEDICATED_DATA_CENTRE_FROM_LEVEL } from '../model/policy.ts';
import { cel, cidr, conditions, dnsLabel, mapListOf, observedGeneration, quantity, securityLevel, setOf, text } from './schema.ts';

const Capacity = Type.Object(
  {
    cpu: quantity('CPU offered to agencies, in cores ("64", "500m").'),
    memory: quantity('Memory offered to agencies ("256Gi").'),
    storage: quantity('Persistent storage offered to agencies ("10Ti").'),
  },
  { description: 'Capacity the data centre offers to agencies in total; the sum of the quotas placed here must fit in it.' },
);

const SecretRef = Type.Object(
  {
    namespace: dnsLabel('Namespace of the Secret on the hub cluster.'),
    name: Type.String({ description: 'Name of the Secret.', minLength: 1, maxLength: 253 }),
    key: Type.Optional(Type.String({ description: 'Key holding the kubeconfig. Default: kubeconfig.', minLength: 1, maxLength: 253 })),
  },
  { description: "A Secret on the hub holding a kubeconfig for this data centre's cluster." },
);

const networkCidrs = (description: string) => setOf(cidr('An IPv4 or IPv6 range in CIDR form.'), { description, minItems: 1, maxItems: 64 });

const AgencyWAN = Type.Object(
  {
    agency: dnsLabel('The agency owning the network (its Agency name).', 30),
    cidrs: networkCidrs("Address ranges of that agency's own network."),
  },
  { description: "An agency's own dedicated network (WAN), reachable from this data centre." },
);

const ExternalNetworks = Type.Object(
  {
    specialisedLevelI: Type.Optional(networkCidrs('Ranges of the specialised data network, level I, reachable from this data centre.')),
    specialisedLevelII: Type.Optional(networkCidrs('Ranges of the specialised data network, level II, reachable from this data centre.')),
    agencyWANs: Type.Optional(mapListOf(AgencyWAN, 'agency', { description: "Agencies' own networks reachable from this data centre.", maxItems: 256 })),
  },
  {
    description:
      "External networks the platform declares, the only ranges a NetworkLink to an external network may name (an agencyWAN link only its own agency's WAN). " +
      "They are never internet: internet egress excludes them, as every egress to addresses excludes the data centres' networkRanges and other agencies' WANs.",
  },
);

const DataCentreSpec = Type.Object(
  {
    displayName: text('Name people use, in Vietnamese where it has one (UTF-8).'),
    region: text('Region the data centre serves, e.g. "Miền Bắc".', 128),
    connection: Type.Object(
      {
        thisCluster: Type.Optional(Type.Boolean({ description: 'The data centre is the hub cluster the operator runs in.' })),
        kubeconfigSecretRef: Type.Optional(SecretRef),
      },
      {
        description: "How the operator reaches the data centre's cluster: exactly one of thisCluster or kubeconfigSecretRef.",
        ...cel({
          rule: '(has(self.thisCluster) && self.thisCluster) != has(self.kubeconfigSecretRef)',
          message: 'set exactly one of thisCluster: true or kubeconfigSecretRef',
        }),
      },
    ),
    accreditedLevel: securityLevel('Highest security level (1 to 5, Decree 85/2016) the data centre is accredited for.'),
    dedicatedTo: Type.Optional(
      dnsLabel('Agency this data centre is dedicated to. Security level 5 needs a dedicated data centre, and a dedicated data centre hosts no one else.', 30),
    ),
    capacity: Capacity,
    networkRanges: setOf(cidr('An IPv4 or IPv6 range in CIDR form.'), {
      description: 'Address ranges the data centre brings to the specialised data network; peers in other data centres are addressed by them.',
      minItems: 1,
      maxItems: 64,
    }),
    externalNetworks: Type.Optional(ExternalNetworks),
    encryptedLinks: Type.Optional(
      Type.Boolean({ description: 'The data centre can offer encrypted links (Government Cipher Committee cryptography). Default: false.' }),
    ),
  },
  {
    description: 'A consolidated data centre: one Kubernetes cluster.',
    ...cel({
      rule: `self.accreditedLevel < ${DEDICATED_DATA_CENTRE_FROM_LEVEL} || has(self.dedicatedTo)`,
      message: `a data centre accredited for level ${DEDICATED_DATA_CENTRE_FROM_LEVEL} must be dedicated to one agency (dedicatedTo)`,
      fieldPath: '.dedicatedTo',
    }),
  },
);

const DataCentreStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    connected: Type.Optional(Type.Boolean({ description: 'The operator reached the cluster at its last attempt.' })),
    serverVersion: Type.Optional(Type.String({ description: 'Kubernetes version the cluster reports.' })),
    readyNodes: Type.Optional(Type.Integer({ description: 'Nodes that are Ready.', minimum: 0 })),
    agencies: Type.Optional(Type.Integer({ description: 'Agencies placed in this data centre.', minimum: 0 })),
    allocated: Type.Optional(
      Type.Object(
        {
          cpu: Type.String({ description: 'CPU allocated to agencies by their quotas.' }),
          memory: Type.String({ description: 'Memory allocated to agencies by their quotas.' }),
          storage: Type.String({ description: 'Storage allocated to agencies by their quotas.' }),
        },
        { description: 'Capacity allocated to agencies, against the capacity offered.' },
      ),
    ),
  },
  { description: 'What the operator last observed of the data centre.' },
);

export const DataCentreKind = {
  kind: 'DataCentre',
  plural: 'datacentres',
  singular: 'datacentre',
  shortNames: ['dc'],
  scope: 'Cluster',
  description: 'A consolidated government data centre: one Kubernetes cluster the operator places agencies and services in.',
  spec: DataCentreSpec,
  status: DataCentreStatus,
  printerColumns: [
    { name: 'Region', type: 'string', jsonPath: '.spec.region', description: 'Region served.' },
    { name: 'Level', type: 'integer', jsonPath: '.spec.accreditedLevel', description: 'Highest accredited security level.' },
    { name: 'Connected', type: 'boolean', jsonPath: '.status.connected', description: 'Reached at the last attempt.' },
    { name: 'Nodes', type: 'integer', jsonPath: '.status.readyNodes', description: 'Ready nodes.' },
    { name: 'Agencies', type: 'integer', jsonPath: '.status.agencies', description: 'Agencies placed here.' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' },
  ],
} satisfies KindDefinition;

export type DataCentre = Resource<typeof DataCentreKind>;
