import { Type } from '@sinclair/typebox';
import type { KindDefinition, Resource } from './kind.ts';
import { cel, cidr, conditions, dnsLabel, observedGeneration, setOf, validityWindow } from './schema.ts';

export const EXTERNAL_NETWORKS = ['specialisedLevelI', 'specialisedLevelII', 'agencyWAN'] as const;
export type ExternalNetwork = (typeof EXTERNAL_NETWORKS)[number];

/**
 * The broadest range a link may name: /8 in IPv4 (the largest private block, 10.0.0.0/8,
 * and the largest block ever assigned to one organisation), /32 in IPv6 (the smallest
 * allocation a regional registry makes to a provider). Anything broader spans many
 * organisations' networks and is no one peer network; /0 would be the whole internet.
 */
export const LINK_MIN_PREFIX = { 4: 8, 6: 32 } as const;

/** CEL (API server and `govcloud validate`): every range at least as narrow as LINK_MIN_PREFIX. */
const narrowEnough = {
  rule: "self.all(c, c.contains(':') ? c.matches('/(3[2-9]|[4-9][0-9]|1[01][0-9]|12[0-8])$') : c.matches('/([89]|[12][0-9]|3[0-2])$'))",
  message: `every range must be /${LINK_MIN_PREFIX[4]} or narrower in IPv4 and /${LINK_MIN_PREFIX[6]} or narrower in IPv6: an external network is never the whole internet`,
};

export const PortSchema = Type.Object(
  {
    protocol: Type.Optional(Type.String({ description: 'TCP (default), UDP or SCTP.', enum: ['TCP', 'UDP', 'SCTP'] })),
    port: Type.Integer({ description: 'Port number.', minimum: 1, maximum: 65535 }),
    endPort: Type.Optional(Type.Integer({ description: 'Last port of a range starting at port.', minimum: 1, maximum: 65535 })),
  },
  {
    description: 'A port or a port range.',
    ...cel({ rule: '!has(self.endPort) || self.endPort >= self.port', message: 'endPort must not be below port', fieldPath: '.endPort' }),
  },
);

const window = validityWindow('link', false);

/**
 * The longest Service name a link may name: the exchange gateways ask for it as
 * `<port>-<service>` in one DNS label (at most 63 characters, a port at most 5 digits).
 */
export const LINK_SERVICE_MAX = 57;

const NetworkLinkSpec = Type.Object(
  {
    workspace: dnsLabel("The agency's own workspace this link opens.", 30),
    direction: Type.String({
      description: 'Egress: the workspace connects to the peer. Ingress: the peer connects to the workspace.',
      enum: ['Egress', 'Ingress'],
    }),
    peer: Type.Object(
      {
        agency: Type.Optional(
          Type.Object(
            {
              name: dnsLabel('The other agency (its Agency name).', 30),
              workspace: dnsLabel("The other agency's workspace.", 30),
            },
            { description: "Another agency's workspace. Active only while that agency declares the matching link in the other direction." },
          ),
        ),
        external: Type.Optional(
          Type.Object(
            {
              network: Type.String({
                description:
                  "specialisedLevelI or specialisedLevelII (the government's specialised data network), or agencyWAN (the agency's own dedicated network).",
                enum: [...EXTERNAL_NETWORKS],
              }),
              cidrs: setOf(cidr('An address range on that network.'), {
                description: `Address ranges on that network, each inside a range a DataCentre declares for it (spec.externalNetworks; for agencyWAN, this agency's own WAN), and at most /${LINK_MIN_PREFIX[4]} (IPv4) or /${LINK_MIN_PREFIX[6]} (IPv6) wide. Data centres' ranges and other agencies' WANs inside them are excluded.`,
                minItems: 1,
                maxItems: 64,
                ...cel(narrowEnough),
              }),
            },
            { description: 'An external network.' },
          ),
        ),
      },
      {
        description: 'The other end: exactly one of agency or external.',
        ...cel({ rule: 'has(self.agency) != has(self.external)', message: 'set exactly one of peer.agency or peer.external' }),
      },
    ),
    ports: Type.Array(PortSchema, { description: 'Ports opened, at the end that listens.', minItems: 1, maxItems: 32 }),
    service: Type.Optional(
      Type.String({
        description:
          "On an Ingress link to another agency's workspace: a Service in this link's own workspace (its name) that the exchange gateway forwards the peer's connections to, on each of the link's ports (the Service's port and its pods' port alike). Required when the two workspaces share no data centre: the gateways carry such a link only to a Service; ignored where they share one.",
        minLength: 1,
        maxLength: LINK_SERVICE_MAX,
        // A Service's name (RFC 1035 label).
        pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
      }),
    ),
    encrypted: Type.Optional(
      Type.Boolean({
        description: 'The link must be encrypted. Required at security level 3 and above; refused where a data centre cannot offer encrypted links.',
      }),
    ),
    ...window.properties,
  },
  {
    description: 'A dedicated-network link of the agency that owns this namespace.',
    ...cel(window.rule, {
      rule: "!has(self.service) || (self.direction == 'Ingress' && has(self.peer.agency))",
      message: "service names what another agency's workspace reaches here: only on an Ingress link to peer.agency",
      fieldPath: '.service',
    }),
  },
);

const NetworkLinkStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    active: Type.Optional(Type.Boolean({ description: 'The link is open now: both sides agree and the window is open.' })),
    agency: Type.Optional(Type.String({ description: 'The agency acting, taken from the namespace.' })),
    dataCentres: Type.Optional(Type.Array(Type.String({ description: 'A data centre name.' }), { description: 'Data centres where the link is rendered.' })),
  },
  { description: 'What the operator last did for the link.' },
);

export const NetworkLinkKind = {
  kind: 'NetworkLink',
  plural: 'networklinks',
  singular: 'networklink',
  shortNames: ['nl'],
  scope: 'Namespaced',
  description: "A dedicated-network link between an agency's workspace and another agency's workspace (two-party) or an external network.",
  spec: NetworkLinkSpec,
  status: NetworkLinkStatus,
  printerColumns: [
    { name: 'Workspace', type: 'string', jsonPath: '.spec.workspace', description: 'Own workspace.' },
    { name: 'Direction', type: 'string', jsonPath: '.spec.direction', description: 'Egress or Ingress.' },
    { name: 'Peer agency', type: 'string', jsonPath: '.spec.peer.agency.name', description: 'Other agency.' },
    { name: 'Network', type: 'string', jsonPath: '.spec.peer.external.network', description: 'External network.' },
    { name: 'Active', type: 'boolean', jsonPath: '.status.active', description: 'Open now.' },
    { name: 'Until', type: 'string', jsonPath: '.spec.validUntil', description: 'End of validity.' },
  ],
} satisfies KindDefinition;

export type NetworkLink = Resource<typeof NetworkLinkKind>;
