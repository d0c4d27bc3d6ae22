/**
 * The exchange gateways (issue 15, docs/architecture.md "Exchange across data centres"): per
 * data centre, what its gateway serves across data centres and the objects that confine it.
 * Pure: a Platform, a time and where each data centre's gateway is reached in; no I/O.
 *
 * A route is one consumer workspace in data centre D using an onRequest service that runs in
 * another data centre P, opened by a request+grant pair open now (`accessMatches`, the same
 * pairs the service's own renderer reads). Both D and P must have a gateway endpoint and
 * offer encrypted links (model/policy.ts `exchangeRefusal`, which the rules ask too);
 * otherwise the pair stays closed across data centres, with the issue `GatewayUnavailable`
 * where the consumer is served nowhere (a consumer also where the service runs is served
 * there). Per data centre:
 * - ConfigMap `govcloud-gateway` in the system namespace: the HAProxy configuration. Egress:
 *   one listener per route, on a port only its consumer workspace may reach (NetworkPolicy),
 *   so the port names the consumer; it presents that workspace's certificate to P's gateway
 *   over mutual TLS. Ingress: one mutual-TLS listener admitting a route only for its
 *   service's name (SNI), its consumer's certificate (subject CN) and before the end of the
 *   pair's window (the gateway's clock, to the millisecond, even if the re-render at the
 *   boundary is late). Everything else is refused; every decision is one
 *   JSON log line.
 * - ServiceAccount and Deployment `govcloud-gateway` in the system namespace: one HAProxy pod
 *   with the configuration and the certificates' Secrets in one projected volume, at the data
 *   centre's gateway address (Calico's fixed-address annotation), on the nodes labelled and
 *   tainted `govcloud.dev/exchange-gateway` only; a changed configuration rolls the pod.
 * - Certificates (cert-manager.io/v1) in the system namespace: one per consumer workspace
 *   with a route out of D (client), one for the gateway where routes come in (server); the
 *   keys stay with the gateway, never in a tenant's namespace (as X-Road's security server
 *   holds its members' keys). Issued by the data centre's issuer (pluggable).
 * - NetworkPolicies: a consumer workspace's egress to its listener at the local gateway, the
 *   provider workspace's ingress from the local gateway on the service's port, and the
 *   gateway's own ingress (each workspace to its listeners; the other gateways' addresses on
 *   the exchange port).
 *
 * Not served: agency-to-agency links across data centres (a link names no Service to forward
 * to); the rules (model/rules/links.ts) refuse them.
 */
import { createHash } from 'node:crypto';
import { SYSTEM_NAMESPACE, workspaceNamespace, type AccessGrant, type AccessRequest, type SharedDataService } from '../api/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import { exchangeRefusal } from '../model/policy.ts';
import { earliest, windowOf } from '../model/window.ts';
import { compareStrings, metadata, PerDataCentre, sortedUnique, type MetaOptions } from './meta.ts';
import { boundedName } from './names.ts';
import { restrictedContainerSecurity } from './pod-security.ts';
import { findAgency, findDataCentre, placementOf } from './placement.ts';
import { ipBlockPeers, namespacesPeer, networkPolicy, type Peer } from './policies.ts';
import { accessMatches, orList, renderService, serviceObjectName, type ServiceRender } from './service.ts';
import type { DesiredObject, OwnerRef, Rendered, RenderIssue } from './types.ts';

export const GATEWAY_NAME = 'govcloud-gateway';
export const GATEWAY_CONFIG_KEY = 'haproxy.cfg';
/** The label the gateway's pods carry; the policies select them by it. */
export const GATEWAY_POD_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': GATEWAY_NAME };
/** Where gateways accept each other (mutual TLS). */
export const EXCHANGE_PORT = 8443;
/** Egress listeners are allocated in [BASE, BASE + SPAN). */
export const LISTEN_PORT_BASE = 20000;
export const LISTEN_PORT_SPAN = 10000;
export const TRUST_DOMAIN = 'govcloud.dev';
/**
 * Where the gateway's pod finds its files: one projected volume holding the configuration and,
 * from each cert-manager Secret (`tls.crt`, `tls.key`, `ca.crt`), `certs/<secret>.crt` and
 * `certs/<secret>.crt.key` (HAProxy 2.6 loads the key from `<crt>.key` when the certificate
 * file holds none) and the CA as `ca.crt`.
 */
export const GATEWAY_DIR = '/etc/govcloud-gateway';
export const CONFIG_FILE = `${GATEWAY_DIR}/${GATEWAY_CONFIG_KEY}`;
export const CERT_DIR = `${GATEWAY_DIR}/certs`;
export const CA_FILE = `${GATEWAY_DIR}/ca.crt`;
/**
 * Upstream's image, at the release Debian 12 packages (the local platform runs that binary).
 * Pinned by tag: no registry that serves image digests is reachable from here to read one.
 */
export const GATEWAY_IMAGE = 'docker.io/library/haproxy:2.6.12';
/** The image's own user (haproxy, 99): the files are readable by its group. */
const GATEWAY_UID = 99;
/** Label and taint of the nodes that run gateways and nothing else (the threat model). */
export const GATEWAY_NODE_KEY = 'govcloud.dev/exchange-gateway';
/** The pod's fixed address, in Calico's annotation (the IPAM most on-premises clusters run). */
export const FIXED_ADDRESS_ANNOTATION = 'cni.projectcalico.org/ipAddrs';
/** A hash of the configuration on the pod template: a changed configuration rolls the pod. */
export const CONFIG_HASH_ANNOTATION = 'govcloud.dev/config-hash';
/** A hash of the issued certificates' revisions on the pod template: a renewal rolls the pod (withCertificateRevisions). */
export const CERTIFICATES_HASH_ANNOTATION = 'govcloud.dev/certificates-hash';
export const GATEWAY_POLICY_PREFIX = 'govcloud-gw-';
/** The Certificates' (and their Secrets') names start with it. */
export const CERTIFICATE_PREFIX = 'gw-';
export const GATEWAY_UNAVAILABLE = 'GatewayUnavailable';

/** A cert-manager issuer: a national CA plugs in here (an ACME, Vault or CA issuer of its own). */
export interface IssuerRef {
  kind: 'Issuer' | 'ClusterIssuer';
  name: string;
}

/** The platform CA that stands in for the Government Cipher Committee's where none is named. */
export const DEFAULT_ISSUER: IssuerRef = { kind: 'ClusterIssuer', name: 'govcloud-platform-ca' };

/** How a data centre's gateway is reached from the others, and who issues its certificates. */
export interface GatewayEndpoint {
  /** An IP address inside the data centre's networkRanges. */
  address: string;
  issuer?: IssuerRef;
}

export interface GatewayRoute {
  consumer: { agency: string; code: string; workspace: string; dataCentre: string; commonName: string; uri: string };
  provider: { agency: string; namespace: string; service: string; port: number; dataCentre: string; host: string; identifier: string };
  /** `namespace/name` of each. */
  request: string;
  grant: string;
  /** End of the pair's window (ms since the epoch), the earlier of the two; absent when neither ends. */
  until?: number;
  /** The consumer data centre's gateway listener for this route. */
  listenPort: number;
}

export interface GatewayRender {
  perDataCentre: Rendered[];
  routes: GatewayRoute[];
  issues: RenderIssue[];
  /** The next time a pair's window opens or closes. */
  nextChange?: Date;
}

/** Each data centre that declares an exchange gateway, by name. */
export function gatewayEndpoints(platform: Platform): Map<string, GatewayEndpoint> {
  const endpoints = new Map<string, GatewayEndpoint>();
  for (const dc of platform.dataCentres) {
    const gateway = dc.spec.exchangeGateway;
    if (gateway) endpoints.set(dc.metadata.name, { address: gateway.address, ...(gateway.issuerRef ? { issuer: gateway.issuerRef } : {}) });
  }
  return endpoints;
}

/**
 * One of the gateway's objects (any data centre): what the DataCentre that owns them may prune
 * when a route goes, among the platform objects it never prunes. By name: the renderer's.
 */
export function isGatewayObject(o: { metadata?: { name?: string } }): boolean {
  const name = o.metadata?.name ?? '';
  return name === GATEWAY_NAME || name.startsWith(GATEWAY_POLICY_PREFIX) || name.startsWith(CERTIFICATE_PREFIX);
}

export function workspaceIdentity(code: string, workspace: string): { commonName: string; uri: string } {
  return { commonName: `${code}/${workspace}`, uri: `spiffe://${TRUST_DOMAIN}/agency/${code}/workspace/${workspace}` };
}

export function gatewayHost(dataCentre: string): string {
  return `gateway.${dataCentre}.${TRUST_DOMAIN}`;
}

/** The name a consumer's gateway asks for (SNI) and the provider's gateway routes by. */
export function exchangeHost(service: string, namespace: string): string {
  return `${service}.${namespace}.exchange.${TRUST_DOMAIN}`;
}

export function workspaceCertificateName(agency: string, workspace: string): string {
  return boundedName(CERTIFICATE_PREFIX, `${agency}.${workspace}`, { dots: true });
}

export function gatewayCertificateName(dataCentre: string): string {
  return boundedName(CERTIFICATE_PREFIX, dataCentre);
}

const nsName = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** `services`: the services' renders at `now` where the caller has them already (renderPlatform). */
export function renderGateways(
  platform: Platform,
  now: Date,
  endpoints: ReadonlyMap<string, GatewayEndpoint>,
  services?: ReadonlyMap<SharedDataService, ServiceRender>,
): GatewayRender {
  const issues: RenderIssue[] = [];
  const boundaries: number[] = [];
  const unplaced: Omit<GatewayRoute, 'listenPort'>[] = [];
  for (const service of [...platform.services].sort((a, b) => compareStrings(nsName(a), nsName(b)))) {
    if (service.spec.sharing !== 'onRequest') continue;
    const rendered = services?.get(service) ?? renderService(platform, service, now);
    unplaced.push(...serviceRoutes(platform, service, rendered, now, endpoints, issues, boundaries));
  }
  const routes = allocatePorts(unplaced, issues);
  const result: GatewayRender = { perDataCentre: gatewayObjects(platform, routes, endpoints), routes, issues };
  const next = earliest(boundaries);
  if (next) result.nextChange = next;
  return result;
}

/** One service's `GatewayUnavailable` issues, from its own render: what its controller reports beside that render's. */
export function serviceGatewayIssues(
  platform: Platform,
  service: SharedDataService,
  rendered: ServiceRender,
  now: Date,
  endpoints: ReadonlyMap<string, GatewayEndpoint>,
): RenderIssue[] {
  const issues: RenderIssue[] = [];
  if (service.spec.sharing === 'onRequest') serviceRoutes(platform, service, rendered, now, endpoints, issues, []);
  return issues;
}

function serviceRoutes(
  platform: Platform,
  service: SharedDataService,
  rendered: ServiceRender,
  now: Date,
  endpoints: ReadonlyMap<string, GatewayEndpoint>,
  issues: RenderIssue[],
  boundaries: number[],
): Omit<GatewayRoute, 'listenPort'>[] {
  const owner = actingAgency(platform, service);
  // A service its own renderer refuses runs nowhere, and so is served nowhere.
  if (!owner || rendered.dataCentres.length === 0 || rendered.identifier === undefined) return [];
  const runsIn = rendered.dataCentres;
  const matched = accessMatches(platform, owner, service, now);
  boundaries.push(...matched.boundaries);
  const routes: Omit<GatewayRoute, 'listenPort'>[] = [];
  const namespace = workspaceNamespace(owner.metadata.name, service.spec.workspace);
  const serviceName = serviceObjectName(service);
  const ref: OwnerRef = { kind: 'SharedDataService', namespace: service.metadata.namespace ?? '', name: service.metadata.name };
  const unserved = new Map<string, { placed: string[]; workspaces: string[] }>();
  for (const match of matched.matches) {
    const consumer = findAgency(platform, match.consumer);
    if (!consumer) continue;
    const placement = placementOf(platform, consumer);
    if (placement.code === undefined) continue;
    const placed = placement.placed.map((p) => p.dataCentre.metadata.name);
    const remote = placed.filter((d) => !runsIn.includes(d));
    if (remote.length === 0) continue;
    const providerDc = runsIn.find((d) => servesExchange(platform, d, endpoints));
    const until = earliest([windowOf(requestOf(platform, match.request)?.spec ?? {}).until, windowOf(grantOf(platform, match.grant)?.spec ?? {}).until]);
    const carried = providerDc ? remote.filter((d) => servesExchange(platform, d, endpoints)) : [];
    // Served nowhere: the consumer is only where the service does not run, and no gateway carries it.
    // One placed also where the service runs is served there, as without gateways.
    if (carried.length === 0 && remote.length === placed.length) {
      const entry = unserved.get(consumer.metadata.name) ?? { placed, workspaces: [] };
      entry.workspaces.push(...match.workspaces);
      unserved.set(consumer.metadata.name, entry);
    }
    for (const dc of carried) {
      for (const workspace of match.workspaces) {
        const route: Omit<GatewayRoute, 'listenPort'> = {
          consumer: { agency: consumer.metadata.name, code: placement.code, workspace, dataCentre: dc, ...workspaceIdentity(placement.code, workspace) },
          provider: {
            agency: owner.metadata.name,
            namespace,
            service: serviceName,
            port: service.spec.port,
            dataCentre: providerDc!,
            host: exchangeHost(serviceName, namespace),
            identifier: rendered.identifier,
          },
          request: match.request,
          grant: match.grant,
        };
        if (until) route.until = until.getTime();
        routes.push(route);
      }
    }
  }
  for (const [agency, { placed, workspaces }] of [...unserved].sort(([a], [b]) => compareStrings(a, b))) {
    const names = sortedUnique(workspaces);
    const why = exchangeRefusal((d) => findDataCentre(platform, d), placed, runsIn) ?? "the data centres' gateways are not reached (spec.exchangeGateway)";
    issues.push({
      owner: ref,
      field: 'spec.placement.dataCentres',
      reason: GATEWAY_UNAVAILABLE,
      message:
        `${names.length === 1 ? 'workspace' : 'workspaces'} ${names.join(', ')} of agency ${agency} ${names.length === 1 ? 'is' : 'are'} only in ${placed.join(', ')}, ` +
        `where the service does not run: place the service in ${orList(placed)} or the consumer's workspace in one of ${runsIn.join(', ')}, or ${why}`,
    });
  }
  return routes;
}

function servesExchange(platform: Platform, dataCentre: string, endpoints: ReadonlyMap<string, GatewayEndpoint>): boolean {
  return endpoints.has(dataCentre) && findDataCentre(platform, dataCentre)?.spec.encryptedLinks === true;
}

function requestOf(platform: Platform, key: string): AccessRequest | undefined {
  return platform.requests.find((r) => nsName(r) === key);
}

function grantOf(platform: Platform, key: string): AccessGrant | undefined {
  return platform.grants.find((g) => nsName(g) === key);
}

/** 32-bit FNV-1a: a port that depends on the route alone stays put when other routes come and go. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function routeKey(r: Omit<GatewayRoute, 'listenPort'>): string {
  return `${r.consumer.dataCentre}|${r.consumer.agency}/${r.consumer.workspace}|${r.provider.host}|${r.grant}`;
}

/**
 * Listener ports per consumer data centre: a hash of the route, the next free port on a
 * collision (in sorted order, so deterministic). A route past the span's last free port gets
 * none: it is not served, and says so.
 */
export function allocatePorts(routes: Omit<GatewayRoute, 'listenPort'>[], issues: RenderIssue[]): GatewayRoute[] {
  const sorted = [...routes].sort((a, b) => compareStrings(routeKey(a), routeKey(b)));
  const taken = new Map<string, Set<number>>();
  const placed: GatewayRoute[] = [];
  for (const route of sorted) {
    const dc = route.consumer.dataCentre;
    const used = taken.get(dc) ?? new Set<number>();
    taken.set(dc, used);
    if (used.size === LISTEN_PORT_SPAN) {
      issues.push({
        owner: { kind: 'DataCentre', name: dc },
        dataCentre: dc,
        reason: GATEWAY_UNAVAILABLE,
        message: `the gateway of ${dc} has no listener port left (${LISTEN_PORT_SPAN} routes): ${route.consumer.agency}/${route.consumer.workspace} to ${route.provider.host} is not served`,
      });
      continue;
    }
    let offset = fnv1a(routeKey(route)) % LISTEN_PORT_SPAN;
    while (used.has(LISTEN_PORT_BASE + offset)) offset = (offset + 1) % LISTEN_PORT_SPAN;
    used.add(LISTEN_PORT_BASE + offset);
    placed.push({ ...route, listenPort: LISTEN_PORT_BASE + offset });
  }
  return placed;
}

function gatewayObjects(platform: Platform, routes: GatewayRoute[], endpoints: ReadonlyMap<string, GatewayEndpoint>): Rendered[] {
  const out = new PerDataCentre();
  for (const dc of sortedUnique(routes.flatMap((r) => [r.consumer.dataCentre, r.provider.dataCentre]))) {
    const owner: OwnerRef = { kind: 'DataCentre', name: dc };
    const outgoing = routes.filter((r) => r.consumer.dataCentre === dc);
    const incoming = routes.filter((r) => r.provider.dataCentre === dc);
    const issuer = endpoints.get(dc)?.issuer ?? DEFAULT_ISSUER;
    const system = (name: string, agency?: string): MetaOptions => ({ name, namespace: SYSTEM_NAMESPACE, owner, ...(agency ? { agency } : {}) });
    const config = haproxyConfig(dc, outgoing, incoming, endpoints);
    out.add(dc, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata({ ...system(GATEWAY_NAME), labels: { ...GATEWAY_POD_LABELS } }),
      data: { [GATEWAY_CONFIG_KEY]: config },
    });
    const clients = new Map(outgoing.map((r) => [workspaceCertificateName(r.consumer.agency, r.consumer.workspace), r]));
    const secrets = [...clients.keys(), ...(incoming.length > 0 ? [gatewayCertificateName(dc)] : [])].sort(compareStrings);
    const address = endpoints.get(dc)!.address;
    const ports = [...new Set([...outgoing.map((r) => r.listenPort), ...(incoming.length > 0 ? [EXCHANGE_PORT] : [])])].sort((a, b) => a - b);
    out.add(dc, ...gatewayWorkload(system(GATEWAY_NAME), config, secrets, address, ports));
    for (const [name, r] of [...clients].sort(([a], [b]) => compareStrings(a, b))) {
      out.add(
        dc,
        certificate(system(name, r.consumer.code), issuer, {
          commonName: r.consumer.commonName,
          uris: [r.consumer.uri],
          usages: ['digital signature', 'client auth'],
        }),
      );
    }
    if (incoming.length > 0) {
      out.add(
        dc,
        certificate(system(gatewayCertificateName(dc)), issuer, {
          commonName: gatewayHost(dc),
          // The consumer's gateway checks the name it asked for (SNI) against these: only a gateway
          // serving the provider's workspace can answer for its services.
          dnsNames: [gatewayHost(dc), ...sortedUnique(incoming.map((r) => `*.${r.provider.namespace}.exchange.${TRUST_DOMAIN}`))],
          usages: ['digital signature', 'server auth'],
        }),
      );
    }
    out.add(dc, ...workspacePolicies(owner, outgoing, incoming, platform), gatewayPolicy(owner, outgoing, incoming, endpoints));
  }
  return out.result();
}

/**
 * The gateway's ServiceAccount and Deployment: one HAProxy pod at the data centre's gateway
 * address, on the gateway nodes only. Recreate, not a rolling update: the fixed address can be
 * held by one pod at a time. The pod needs no API access (no token) and writes nothing.
 */
function gatewayWorkload(meta: MetaOptions, config: string, secrets: string[], address: string, ports: number[]): DesiredObject[] {
  const labels = { ...GATEWAY_POD_LABELS };
  const sources: Record<string, unknown>[] = [{ configMap: { name: GATEWAY_NAME, items: [{ key: GATEWAY_CONFIG_KEY, path: GATEWAY_CONFIG_KEY }] } }];
  secrets.forEach((secret, i) => {
    const items = [
      { key: 'tls.crt', path: `certs/${secret}.crt` },
      { key: 'tls.key', path: `certs/${secret}.crt.key` },
      // Every Secret of one issuer carries the same CA: the first one's is the gateway's trust.
      ...(i === 0 ? [{ key: 'ca.crt', path: 'ca.crt' }] : []),
    ];
    sources.push({ secret: { name: secret, items } });
  });
  const resources = { cpu: '500m', memory: '256Mi' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata({ ...meta, labels }), automountServiceAccountToken: false },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata({ ...meta, labels }),
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...labels } },
        template: {
          metadata: {
            labels: { ...labels },
            annotations: {
              [CONFIG_HASH_ANNOTATION]: createHash('sha256').update(config).digest('hex').slice(0, 32),
              [FIXED_ADDRESS_ANNOTATION]: JSON.stringify([address]),
            },
          },
          spec: {
            serviceAccountName: GATEWAY_NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            nodeSelector: { [GATEWAY_NODE_KEY]: 'true' },
            tolerations: [{ key: GATEWAY_NODE_KEY, operator: 'Exists' }],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: GATEWAY_UID,
              runAsGroup: GATEWAY_UID,
              fsGroup: GATEWAY_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'haproxy',
                image: GATEWAY_IMAGE,
                command: ['haproxy'],
                args: ['-db', '-f', CONFIG_FILE],
                ports: ports.map((port) => ({ containerPort: port, protocol: 'TCP' })),
                resources: { requests: { ...resources }, limits: { ...resources } },
                securityContext: restrictedContainerSecurity(),
                volumeMounts: [{ name: 'gateway', mountPath: GATEWAY_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'gateway', projected: { defaultMode: 0o440, sources } }],
          },
        },
      },
    },
  ];
}

/**
 * A data centre's gateway objects with its pod template annotated by a hash of the revision
 * cert-manager last issued of each of its Certificates (`revisionOf`, by name: what the operator
 * observes in that cluster; `govcloud plan` observes nothing and does not call this). HAProxy
 * 2.6 reads its certificates only at start: a renewal changes the hash and rolls the pod, which
 * starts with the Secrets' new content. The objects are not modified (renders are shared).
 */
export function withCertificateRevisions(objects: readonly DesiredObject[], revisionOf: (certificate: string) => number | undefined): DesiredObject[] {
  const revisions = objects
    .filter((o) => o.kind === 'Certificate')
    .map((o) => `${o.metadata.name}=${revisionOf(o.metadata.name) ?? ''}`)
    .sort(compareStrings);
  if (revisions.length === 0) return [...objects];
  const hash = createHash('sha256').update(revisions.join('\n')).digest('hex').slice(0, 32);
  return objects.map((o) => {
    if (o.kind !== 'Deployment' || o.metadata.name !== GATEWAY_NAME) return o;
    const spec = o.spec as { template: { metadata: { annotations: Record<string, string> } } };
    const template = {
      ...spec.template,
      metadata: { ...spec.template.metadata, annotations: { ...spec.template.metadata.annotations, [CERTIFICATES_HASH_ANNOTATION]: hash } },
    };
    return { ...o, spec: { ...spec, template } };
  });
}

function certificate(
  meta: MetaOptions,
  issuer: IssuerRef,
  subject: { commonName: string; uris?: string[]; dnsNames?: string[]; usages: string[] },
): DesiredObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: metadata(meta),
    spec: {
      secretName: meta.name,
      ...subject,
      // Short-lived, renewed a third before the end: a revoked agency's identity dies within a day.
      duration: '24h',
      renewBefore: '8h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { group: 'cert-manager.io', kind: issuer.kind, name: issuer.name },
    },
  };
}

const gatewayPeer = (): Peer[] => namespacesPeer([SYSTEM_NAMESPACE], { ...GATEWAY_POD_LABELS });

/** Each consumer workspace reaches only its own listeners; each provider workspace admits the gateway on its service's port. */
function workspacePolicies(owner: OwnerRef, outgoing: GatewayRoute[], incoming: GatewayRoute[], platform: Platform): DesiredObject[] {
  const policies: DesiredObject[] = [];
  const byConsumer = groupBy(outgoing, (r) => workspaceNamespace(r.consumer.agency, r.consumer.workspace));
  for (const [namespace, routes] of byConsumer) {
    policies.push(
      networkPolicy(
        { name: `${GATEWAY_POLICY_PREFIX}egress`, namespace, owner, agency: routes[0]!.consumer.code },
        {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: gatewayPeer(), ports: sortedPorts(routes.map((r) => r.listenPort)) }],
        },
      ),
    );
  }
  const byProvider = groupBy(incoming, (r) => r.provider.namespace);
  for (const [namespace, routes] of byProvider) {
    const code = placementOf(platform, findAgency(platform, routes[0]!.provider.agency)!).code;
    policies.push(
      networkPolicy(
        { name: `${GATEWAY_POLICY_PREFIX}ingress`, namespace, owner, ...(code ? { agency: code } : {}) },
        {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ from: gatewayPeer(), ports: sortedPorts(routes.map((r) => r.provider.port)) }],
        },
      ),
    );
  }
  return policies;
}

/** The gateway's own pods: each consumer workspace to its listeners, the other gateways on the exchange port; out to them and to the provider workspaces. */
function gatewayPolicy(owner: OwnerRef, outgoing: GatewayRoute[], incoming: GatewayRoute[], endpoints: ReadonlyMap<string, GatewayEndpoint>): DesiredObject {
  const ingress: Record<string, unknown>[] = [];
  for (const [namespace, routes] of groupBy(outgoing, (r) => workspaceNamespace(r.consumer.agency, r.consumer.workspace))) {
    ingress.push({ from: namespacesPeer([namespace]), ports: sortedPorts(routes.map((r) => r.listenPort)) });
  }
  const addressOf = (d: string) => endpoints.get(d)?.address;
  const remoteIn = sortedUnique(incoming.map((r) => addressOf(r.consumer.dataCentre)).filter((a): a is string => a !== undefined));
  if (remoteIn.length > 0) ingress.push({ from: ipBlockPeers(remoteIn.map(hostCidr)), ports: sortedPorts([EXCHANGE_PORT]) });
  const egress: Record<string, unknown>[] = [];
  const remoteOut = sortedUnique(outgoing.map((r) => addressOf(r.provider.dataCentre)).filter((a): a is string => a !== undefined));
  if (remoteOut.length > 0) egress.push({ to: ipBlockPeers(remoteOut.map(hostCidr)), ports: sortedPorts([EXCHANGE_PORT]) });
  for (const [namespace, routes] of groupBy(incoming, (r) => r.provider.namespace)) {
    egress.push({ to: namespacesPeer([namespace]), ports: sortedPorts(routes.map((r) => r.provider.port)) });
  }
  return networkPolicy(
    { name: GATEWAY_NAME, namespace: SYSTEM_NAMESPACE, owner },
    { podSelector: { matchLabels: { ...GATEWAY_POD_LABELS } }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  );
}

function hostCidr(address: string): string {
  return address.includes(':') ? `${address}/128` : `${address}/32`;
}

function sortedPorts(ports: number[]): { protocol: string; port: number }[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port }));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups].sort(([a], [b]) => compareStrings(a, b));
}

/** The gateway's own clock closes the window, to the millisecond, even if the re-render at the boundary is late. */
function beforeUntil(until: number | undefined): string {
  return until === undefined ? '' : ` { date(0,ms) lt ${until} }`;
}

/**
 * One JSON object per line per connection, what an auditor exports. HAProxy 2.6 has no JSON
 * encoder for log fields; every value written here is a name the renderer chose or a
 * subject CN our own CA issued (agency code and workspace: no quote or backslash).
 */
const LOG_FORMAT =
  '{"time":"%[date,utime(%Y-%m-%dT%H:%M:%SZ)]","unixMs":%[date(0,ms)],"gateway":"%[var(sess.gateway)]","side":"%[var(sess.side)]",' +
  '"consumer":"%[var(sess.consumer)]","service":"%[var(sess.service)]","decision":"%[var(sess.decision)]","grant":"%[var(sess.grant)]",' +
  '"client":"%ci","termination":"%ts","bytesIn":%U,"bytesOut":%B,"durationMs":%Tt}';

function haproxyConfig(dc: string, outgoing: GatewayRoute[], incoming: GatewayRoute[], endpoints: ReadonlyMap<string, GatewayEndpoint>): string {
  const lines: string[] = [
    `# govcloud exchange gateway of data centre ${dc}: rendered by the operator, do not edit.`,
    'global',
    '  log stdout format raw local0',
    '  ssl-default-bind-options ssl-min-ver TLSv1.2',
    '  ssl-default-server-options ssl-min-ver TLSv1.2',
    '',
    'defaults',
    '  mode tcp',
    '  log global',
    `  log-format '${LOG_FORMAT}'`,
    '  timeout connect 5s',
    '  timeout client 1h',
    '  timeout server 1h',
  ];
  const decide = (ruleKind: string, condition: string, route: GatewayRoute, ns: string) => [
    `  tcp-request ${ruleKind} set-var(sess.decision) str(pass) if ${condition}`,
    `  tcp-request ${ruleKind} set-var(sess.grant) str(${route.grant}) if ${condition}`,
    `  tcp-request ${ruleKind} set-var(sess.route) str(${ns}) if ${condition}`,
  ];
  for (const route of outgoing) {
    const name = `out-${route.listenPort}`;
    const expiry = beforeUntil(route.until);
    const remote = endpoints.get(route.provider.dataCentre)!.address;
    lines.push(
      '',
      `# ${route.consumer.agency}/${route.consumer.workspace} -> ${route.provider.identifier} in ${route.provider.dataCentre}; ${route.request} + ${route.grant}`,
      `frontend ${name}`,
      `  bind :${route.listenPort}`,
      `  tcp-request content set-var(sess.gateway) str(${dc})`,
      '  tcp-request content set-var(sess.side) str(out)',
      `  tcp-request content set-var(sess.consumer) str(${route.consumer.commonName})`,
      `  tcp-request content set-var(sess.service) str(${route.provider.identifier})`,
      '  tcp-request content set-var(sess.decision) str(refuse)',
      ...decide('content', `TRUE${expiry}`, route, name),
      '  tcp-request content reject unless { var(sess.decision) -m str pass }',
      `  default_backend ${name}`,
      '',
      `backend ${name}`,
      `  server ${route.provider.dataCentre} ${bracket(remote)}:${EXCHANGE_PORT} ssl crt ${CERT_DIR}/${workspaceCertificateName(route.consumer.agency, route.consumer.workspace)}.crt ` +
        `ca-file ${CA_FILE} verify required sni str(${route.provider.host})`,
    );
  }
  if (incoming.length > 0) {
    lines.push(
      '',
      'frontend exchange-in',
      `  bind :${EXCHANGE_PORT} ssl crt ${CERT_DIR}/${gatewayCertificateName(dc)}.crt ca-file ${CA_FILE} verify required`,
      `  tcp-request content set-var(sess.gateway) str(${dc})`,
      '  tcp-request content set-var(sess.side) str(in)',
      '  tcp-request content set-var(sess.consumer) ssl_c_s_dn(CN)',
      '  tcp-request content set-var(sess.service) ssl_fc_sni',
      '  tcp-request content set-var(sess.decision) str(refuse)',
    );
    incoming.forEach((route, i) => {
      const expiry = beforeUntil(route.until);
      lines.push(
        `  # ${route.consumer.agency}/${route.consumer.workspace} in ${route.consumer.dataCentre} -> ${route.provider.identifier}; ${route.request} + ${route.grant}`,
        ...decide('content', `{ ssl_fc_sni -m str ${route.provider.host} } { ssl_c_s_dn(CN) -m str ${route.consumer.commonName} }${expiry}`, route, `in-${i}`),
      );
    });
    lines.push('  tcp-request content reject unless { var(sess.decision) -m str pass }');
    incoming.forEach((_, i) => lines.push(`  use_backend in-${i} if { var(sess.route) -m str in-${i} }`));
    incoming.forEach((route, i) => {
      lines.push(
        '',
        `backend in-${i}`,
        `  server ${route.provider.service} ${route.provider.service}.${route.provider.namespace}.svc:${route.provider.port} init-addr last,libc,none`,
      );
    });
  }
  return lines.join('\n') + '\n';
}

function bracket(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
