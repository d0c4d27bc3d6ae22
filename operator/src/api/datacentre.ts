import { Type } from '@sinclair/typebox';
import type { KindDefinition, Resource } from './kind.ts';
import { DEDICATED_DATA_CENTRE_FROM_LEVEL } from '../model/policy.ts';
import { STATUS_LISTED } from '../runtime/bounded.ts';
import { cel, cidr, ipAddress, conditions, dnsLabel, mapListOf, observedGeneration, quantity, securityLevel, setOf, text } from './schema.ts';

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

const IssuerRef = Type.Object(
  {
    // A string enum, as a structural schema needs (a union of literals has no type of its own).
    kind: Type.Unsafe<'Issuer' | 'ClusterIssuer'>(
      Type.String({ description: "cert-manager's issuer kind (an Issuer lives in govcloud-system).", enum: ['Issuer', 'ClusterIssuer'] }),
    ),
    name: dnsLabel('Name of the issuer.', 253),
  },
  { description: 'A cert-manager issuer: where a national CA plugs in (its CA, Vault or external issuer).' },
);

const ExchangeGateway = Type.Object(
  {
    address: ipAddress(
      "Where the other data centres' gateways reach this data centre's exchange gateway (mutual TLS on port 8443): an IP address inside networkRanges.",
    ),
    issuerRef: Type.Optional(IssuerRef),
  },
  {
    description:
      'The data centre\'s exchange gateway (docs/architecture.md, "Exchange across data centres"): on-request access across data centres (a request+grant pair whose consumer shares no data centre with the service) passes only through the gateways of both, over mutual TLS with a certificate per agency workspace; agency links do not cross data centres. ' +
      'Without it (or without encryptedLinks), such access stays closed and govcloud validate refuses the pair. The Certificates need cert-manager in the cluster. issuerRef default: ClusterIssuer govcloud-platform-ca.',
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
      dnsLabel(
        'Agency this data centre is dedicated to: it hosts that agency alone, not even the agencies under it. Security level 5 needs a dedicated data centre. ' +
          'The strict form of ownedBy, kept as its own field so that DataCentres written before ownedBy stay valid and mean what they meant, and so that level 5 can never be widened to subordinate bodies by a default.',
        30,
      ),
    ),
    ownedBy: Type.Optional(
      dnsLabel(
        "Agency owning this data centre: a ministry's or province's own data centre joined to the platform (inherited). It hosts that agency and the agencies under it (by spec.parent, transitively), alone, and its capacity counts for them alone. " +
          'dedicatedTo is the stricter form (that one agency, not even the agencies under it; what security level 5 needs): set one or the other.',
        30,
      ),
    ),
    cordoned: Type.Optional(
      Type.Boolean({
        description:
          'Draining: no new placement here (an agency placed already stays); status.drain lists the agencies and services still here. Default: false. See docs/operations.md, "Draining a data centre".',
      }),
    ),
    confirmedMoves: Type.Optional(
      setOf(dnsLabel('An Agency name.', 30), {
        description:
          "Agencies moved off this data centre whose namespaces left here a platform engineer has checked (their data is where it should be): they now go as the agency's deletionPolicy says. " +
          'Until its name is here, a moved agency keeps its namespaces and data here (Retain), whatever its deletionPolicy. Remove the name once the move is done.',
        maxItems: 256,
      }),
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
    exchangeGateway: Type.Optional(ExchangeGateway),
  },
  {
    description: 'A consolidated data centre: one Kubernetes cluster.',
    ...cel(
      {
        rule: `self.accreditedLevel < ${DEDICATED_DATA_CENTRE_FROM_LEVEL} || has(self.dedicatedTo)`,
        message: `a data centre accredited for level ${DEDICATED_DATA_CENTRE_FROM_LEVEL} must be dedicated to one agency (dedicatedTo)`,
        fieldPath: '.dedicatedTo',
      },
      {
        rule: '!has(self.dedicatedTo) || !has(self.ownedBy)',
        message: 'set dedicatedTo (one agency alone) or ownedBy (an agency and the agencies under it), not both',
        fieldPath: '.ownedBy',
      },
    ),
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
    drain: Type.Optional(
      Type.Object(
        {
          agencies: Type.Array(Type.String({ description: 'An Agency name.' }), {
            description: `Agencies still placed here, sorted; the first ${STATUS_LISTED}.`,
            maxItems: STATUS_LISTED,
          }),
          agencyCount: Type.Integer({ description: 'How many agencies are still placed here.', minimum: 0 }),
          services: Type.Array(Type.String({ description: 'A SharedDataService, namespace/name.' }), {
            description: `Shared data services still running here, sorted; the first ${STATUS_LISTED}.`,
            maxItems: STATUS_LISTED,
          }),
          serviceCount: Type.Integer({ description: 'How many shared data services still run here.', minimum: 0 }),
          awaitingConfirmation: Type.Array(Type.String({ description: 'An Agency name.' }), {
            description: `Agencies moved off whose namespaces and data are still kept here until a platform engineer confirms the move (spec.confirmedMoves); the first ${STATUS_LISTED}.`,
            maxItems: STATUS_LISTED,
          }),
          awaitingConfirmationCount: Type.Integer({ description: 'How many moved agencies wait for confirmation.', minimum: 0 }),
        },
        { description: 'While spec.cordoned: what is still here. Drained when all three counts are 0.' },
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
    { name: 'Cordoned', type: 'boolean', jsonPath: '.spec.cordoned', description: 'No new placements (draining).' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' },
  ],
} satisfies KindDefinition;

export type DataCentre = Resource<typeof DataCentreKind>;
