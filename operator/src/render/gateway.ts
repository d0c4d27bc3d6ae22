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
 * there). A route is also one port of a link pair between two agencies' workspaces that share
 * no data centre (`renderLink`'s `viaGateway`, model/policy.ts `linkExchangeRefusals`): the
 * Egress workspace is the consumer, the Service the Ingress link names in its own workspace
 * the provider, the two links the pair. Per data centre:
 * - ConfigMaps `govcloud-gateway-0`, `-1`, … in the system namespace: the HAProxy configuration,
 *   whole sections per ConfigMap, none past CONFIG_SHARD_BYTES (global and defaults in the
 *   first), loaded by HAProxy as one directory. Egress: one listener per route, on a port only
 *   its consumer workspace may reach (NetworkPolicy), so the port names the consumer; it
 *   presents that workspace's certificate to P's gateway over mutual TLS. Ingress: one
 *   mutual-TLS listener that hands a connection to the backend named by the service's name
 *   (SNI) and the consumer's certificate (subject CN); that backend admits it again only for
 *   that name and certificate and before the end of the pair's window (the gateway's clock, to
 *   the millisecond, even if the re-render at the boundary is late). So no section grows with
 *   the routes. Everything else is refused; every decision is one JSON log line.
 * - ServiceAccount and Deployment `govcloud-gateway` in the system namespace: one HAProxy pod
 *   with the configuration's ConfigMaps and the certificates' Secrets in one projected volume,
 *   at the data centre's gateway address (Calico's fixed-address annotation), on the nodes
 *   labelled and tainted `govcloud.dev/exchange-gateway` only; a changed configuration rolls
 *   the pod. At most MAX_CLIENT_CERTIFICATES consumer workspaces per gateway, so that the pod
 *   spec, which names each one's Secret, stays bounded.
 * - Certificates (cert-manager.io/v1) in the system namespace: one per consumer workspace
 *   with a route out of D (client), one for the gateway where routes come in (server); the
 *   keys stay with the gateway, never in a tenant's namespace (as X-Road's security server
 *   holds its members' keys). Issued by the data centre's issuer (pluggable).
 * - NetworkPolicies: a consumer workspace's egress to its listener at the local gateway, the
 *   provider workspace's ingress from the local gateway on the service's port, and the
 *   gateway's own ingress (each workspace to its listeners; the other gateways' addresses on
 *   the exchange port).
 */
import { createHash } from 'node:crypto';
import { SYSTEM_NAMESPACE, workspaceNamespace, type AccessGrant, type AccessRequest, type NetworkLink, type SharedDataService } from '../api/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import { exchangeRefusal, GATEWAY_UNAVAILABLE } from '../model/policy.ts';
import { earliest, windowOf } from '../model/window.ts';
import { compareStrings, metadata, PerDataCentre, sortedUnique, type MetaOptions } from './meta.ts';
import { boundedName } from './names.ts';
import { restrictedContainerSecurity } from './pod-security.ts';
import { findAgency, findDataCentre, placementOf } from './placement.ts';
import { renderLink, type LinkRender } from './link.ts';
import { ipBlockPeers, namespacesPeer, networkPolicy, type Peer } from './policies.ts';
import { accessMatches, orList, renderService, serviceObjectName, type ServiceRender } from './service.ts';
import type { DesiredObject, OwnerRef, Rendered, RenderIssue } from './types.ts';

export const GATEWAY_NAME = 'govcloud-gateway';
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
/** The configuration's files, `<n>.cfg` from each ConfigMap; HAProxy reads the directory's `.cfg` files in lexical order. */
export const CONFIG_DIR = `${GATEWAY_DIR}/haproxy.d`;
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
/**
 * The most bytes a configuration ConfigMap takes as the API server stores it (a quarter of its
 * 1 MiB): sections are put in order into the first until the next would pass it, then the next.
 */
export const CONFIG_SHARD_BYTES = 256 * 1024;
/** What a ConfigMap takes besides its file: metadata, labels, managedFields. */
const CONFIG_ENVELOPE_BYTES = 16 * 1024;
/**
 * Consumer workspaces a gateway carries out of its data centre. The pod spec names each one's
 * Secret (about 250 bytes each) beside a port per listener (at most LISTEN_PORT_SPAN, 40 bytes
 * each), and the Deployment, its ReplicaSet and its pod each hold it: this keeps the worst of
 * them under half of etcd's 1.5 MiB per object. Beyond it a route is not served and says so,
 * as beyond the listener ports.
 */
export const MAX_CLIENT_CERTIFICATES = 1000;
/** A hash of the configuration on the pod template: a changed configuration rolls the pod. */
export const CONFIG_HASH_ANNOTATION = 'govcloud.dev/config-hash';
/** A hash of the issued certificates' revisions on the pod template: a renewal rolls the pod (withCertificateRevisions). */
export const CERTIFICATES_HASH_ANNOTATION = 'govcloud.dev/certificates-hash';
export const GATEWAY_POLICY_PREFIX = 'govcloud-gw-';
/** The Certificates' (and their Secrets') names start with it. */
export const CERTIFICATE_PREFIX = 'gw-';
export { GATEWAY_UNAVAILABLE };

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
  /** What opens it: an on-request service's request+grant pair, or a link pair between two agencies' workspaces. */
  kind: 'access' | 'link';
  consumer: { agency: string; code: string; workspace: string; dataCentre: string; commonName: string; uri: string };
  /** For a link, `service` is the Service the Ingress link names and `identifier` the exchange host. */
  provider: { agency: string; namespace: string; service: string; port: number; dataCentre: string; host: string; identifier: string };
  /**
   * `namespace/name` of each side's consent: the consumer's AccessRequest and the provider's
   * AccessGrant; for a link, the consumer's Egress link and the provider's Ingress link.
   */
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
  return name === GATEWAY_NAME || CONFIG_NAME.test(name) || name.startsWith(GATEWAY_POLICY_PREFIX) || name.startsWith(CERTIFICATE_PREFIX);
}

/** The configuration's ConfigMaps: `govcloud-gateway-<n>`, n a number without leading zeros. */
const CONFIG_NAME = new RegExp(`^${GATEWAY_NAME}-(0|[1-9][0-9]*)$`);

export function gatewayConfigName(n: number): string {
  return `${GATEWAY_NAME}-${n}`;
}

/**
 * The file (and ConfigMap key) of shard n of count: zero-padded to one width, so that lexical
 * order, HAProxy's, is the shards' order and global and defaults come first.
 */
export function configFileName(n: number, count: number): string {
  return `${String(n).padStart(Math.max(4, String(count - 1).length), '0')}.cfg`;
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

/**
 * A link's port of a Service, as the gateways name it: `<port>-<service>` cannot be a
 * Service's name (a Service's starts with a letter), so it never takes a shared data
 * service's name, and the gateway's certificate (`*.<namespace>.exchange...`) covers it.
 */
export function linkExchangeHost(service: string, port: number, namespace: string): string {
  return exchangeHost(`${port}-${service}`, namespace);
}

export function workspaceCertificateName(agency: string, workspace: string): string {
  return boundedName(CERTIFICATE_PREFIX, `${agency}.${workspace}`, { dots: true });
}

export function gatewayCertificateName(dataCentre: string): string {
  return boundedName(CERTIFICATE_PREFIX, dataCentre);
}

const nsName = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** `services`, `links`: their renders at `now` where the caller has them already (renderPlatform). */
export function renderGateways(
  platform: Platform,
  now: Date,
  endpoints: ReadonlyMap<string, GatewayEndpoint>,
  services?: ReadonlyMap<SharedDataService, ServiceRender>,
  links?: ReadonlyMap<NetworkLink, LinkRender>,
): GatewayRender {
  const issues: RenderIssue[] = [];
  const boundaries: number[] = [];
  const unplaced: Omit<GatewayRoute, 'listenPort'>[] = [];
  for (const service of [...platform.services].sort((a, b) => compareStrings(nsName(a), nsName(b)))) {
    if (service.spec.sharing !== 'onRequest') continue;
    const rendered = services?.get(service) ?? renderService(platform, service, now);
    unplaced.push(...serviceRoutes(platform, service, rendered, now, endpoints, issues, boundaries));
  }
  // A link pair's route comes from its listening side, the one naming the Service (its issues are the link's own).
  for (const link of [...platform.links].sort((a, b) => compareStrings(nsName(a), nsName(b)))) {
    if (link.spec.direction !== 'Ingress' || link.spec.service === undefined || !link.spec.peer.agency) continue;
    const rendered = links?.get(link) ?? renderLink(platform, link, now);
    if (rendered.nextChange) boundaries.push(rendered.nextChange.getTime());
    unplaced.push(...linkRoutes(platform, rendered, endpoints));
  }
  const routes = allocatePorts(withinCertificateLimit(unplaced, issues), issues);
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
          kind: 'access',
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

/** One route per port and per data centre of the connecting workspace whose gateway carries it. */
function linkRoutes(platform: Platform, rendered: LinkRender, endpoints: ReadonlyMap<string, GatewayEndpoint>): Omit<GatewayRoute, 'listenPort'>[] {
  const via = rendered.viaGateway;
  if (!rendered.active || !via || !servesExchange(platform, via.ingress.dataCentre, endpoints)) return [];
  const codeOf = (name: string) => {
    const agency = findAgency(platform, name);
    return agency ? placementOf(platform, agency).code : undefined;
  };
  const consumerCode = codeOf(via.egress.agency);
  const providerCode = codeOf(via.ingress.agency);
  if (consumerCode === undefined || providerCode === undefined) return [];
  const namespace = workspaceNamespace(via.ingress.agency, via.ingress.workspace);
  const routes: Omit<GatewayRoute, 'listenPort'>[] = [];
  for (const dc of via.egress.dataCentres.filter((d) => servesExchange(platform, d, endpoints))) {
    for (const port of via.ports) {
      const host = linkExchangeHost(via.ingress.service, port, namespace);
      const route: Omit<GatewayRoute, 'listenPort'> = {
        kind: 'link',
        consumer: {
          agency: via.egress.agency,
          code: consumerCode,
          workspace: via.egress.workspace,
          dataCentre: dc,
          ...workspaceIdentity(consumerCode, via.egress.workspace),
        },
        provider: { agency: via.ingress.agency, namespace, service: via.ingress.service, port, dataCentre: via.ingress.dataCentre, host, identifier: host },
        request: via.egress.link,
        grant: via.ingress.link,
      };
      if (via.until !== undefined) route.until = via.until;
      routes.push(route);
    }
  }
  return routes;
}

function servesExchange(platform: Platform, dataCentre: string, endpoints: ReadonlyMap<string, GatewayEndpoint>): boolean {
  return endpoints.has(dataCentre) && findDataCentre(platform, dataCentre)?.spec.encryptedLinks === true;
}

function requestOf(platform: Platform, key: string): AccessRequest | undefined {
  return byKey(platform.requests, key);
}

function grantOf(platform: Platform, key: string): AccessGrant | undefined {
  return byKey(platform.grants, key);
}

const keyIndexes = new WeakMap<readonly object[], { length: number; first: Map<string, unknown> }>();

/**
 * The first object of `namespace/name`, as `find` gives it: by an index built once per list
 * (asked once per route); a list whose length changed since is indexed again, and a key not
 * indexed is looked for by a scan.
 */
function byKey<T extends { metadata: { namespace?: string; name: string } }>(list: readonly T[], key: string): T | undefined {
  let index = keyIndexes.get(list);
  if (!index || index.length !== list.length) {
    const first = new Map<string, unknown>();
    for (const o of list) if (!first.has(nsName(o))) first.set(nsName(o), o);
    index = { length: list.length, first };
    keyIndexes.set(list, index);
  }
  const found = index.first.get(key) as T | undefined;
  return found && nsName(found) === key ? found : list.find((o) => nsName(o) === key);
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

/**
 * Per consumer data centre, the routes of its first MAX_CLIENT_CERTIFICATES consumer workspaces
 * (by certificate name); the others are not served, one issue per data centre saying how many.
 */
export function withinCertificateLimit<R extends Omit<GatewayRoute, 'listenPort'>>(routes: R[], issues: RenderIssue[], limit = MAX_CLIENT_CERTIFICATES): R[] {
  const byDc = new Map<string, Set<string>>();
  for (const r of routes) {
    const names = byDc.get(r.consumer.dataCentre) ?? new Set<string>();
    names.add(workspaceCertificateName(r.consumer.agency, r.consumer.workspace));
    byDc.set(r.consumer.dataCentre, names);
  }
  const carried = new Map<string, Set<string>>();
  for (const [dc, names] of [...byDc].sort(([a], [b]) => compareStrings(a, b))) {
    const sorted = [...names].sort(compareStrings);
    carried.set(dc, new Set(sorted.slice(0, limit)));
    const left = sorted.slice(limit);
    if (left.length === 0) continue;
    issues.push({
      owner: { kind: 'DataCentre', name: dc },
      dataCentre: dc,
      reason: GATEWAY_UNAVAILABLE,
      message:
        `the gateway of ${dc} carries at most ${limit} consumer workspaces: ${left.length} more ${left.length === 1 ? 'is' : 'are'} not served ` +
        `(first: ${left.slice(0, 5).join(', ')})`,
    });
  }
  return routes.filter((r) => carried.get(r.consumer.dataCentre)!.has(workspaceCertificateName(r.consumer.agency, r.consumer.workspace)));
}

function gatewayObjects(platform: Platform, routes: GatewayRoute[], endpoints: ReadonlyMap<string, GatewayEndpoint>): Rendered[] {
  const out = new PerDataCentre();
  for (const dc of sortedUnique(routes.flatMap((r) => [r.consumer.dataCentre, r.provider.dataCentre]))) {
    const owner: OwnerRef = { kind: 'DataCentre', name: dc };
    const outgoing = routes.filter((r) => r.consumer.dataCentre === dc);
    const incoming = routes.filter((r) => r.provider.dataCentre === dc);
    const issuer = endpoints.get(dc)?.issuer ?? DEFAULT_ISSUER;
    const system = (name: string, agency?: string): MetaOptions => ({ name, namespace: SYSTEM_NAMESPACE, owner, ...(agency ? { agency } : {}) });
    const shards = configShards(haproxyConfig(dc, outgoing, incoming, endpoints));
    shards.forEach((text, n) => {
      out.add(dc, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: metadata({ ...system(gatewayConfigName(n)), labels: { ...GATEWAY_POD_LABELS } }),
        data: { [configFileName(n, shards.length)]: text },
      });
    });
    const clients = new Map(outgoing.map((r) => [workspaceCertificateName(r.consumer.agency, r.consumer.workspace), r]));
    const secrets = [...clients.keys(), ...(incoming.length > 0 ? [gatewayCertificateName(dc)] : [])].sort(compareStrings);
    const address = endpoints.get(dc)!.address;
    const ports = [...new Set([...outgoing.map((r) => r.listenPort), ...(incoming.length > 0 ? [EXCHANGE_PORT] : [])])].sort((a, b) => a - b);
    out.add(dc, ...gatewayWorkload(system(GATEWAY_NAME), shards, secrets, address, ports));
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
function gatewayWorkload(meta: MetaOptions, shards: string[], secrets: string[], address: string, ports: number[]): DesiredObject[] {
  const labels = { ...GATEWAY_POD_LABELS };
  const sources: Record<string, unknown>[] = shards.map((_, n) => {
    const file = configFileName(n, shards.length);
    return { configMap: { name: gatewayConfigName(n), items: [{ key: file, path: `${CONFIG_DIR.slice(GATEWAY_DIR.length + 1)}/${file}` }] } };
  });
  const hash = createHash('sha256');
  for (const text of shards) hash.update(`${Buffer.byteLength(text)}\n${text}`);
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
              [CONFIG_HASH_ANNOTATION]: hash.digest('hex').slice(0, 32),
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
                args: ['-db', '-f', CONFIG_DIR],
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
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
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

/**
 * The configuration as whole sections, in order: global and defaults first (every proxy after
 * them inherits the defaults, in whichever file), then one block per outgoing route (its
 * frontend and backend) and, where routes come in, the exchange listener and one backend per
 * consumer certificate and service name. No block grows with the number of routes.
 */
function haproxyConfig(dc: string, outgoing: GatewayRoute[], incoming: GatewayRoute[], endpoints: ReadonlyMap<string, GatewayEndpoint>): string[] {
  const head: string[] = [
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
  const sections = [head];
  const decide = (ruleKind: string, condition: string, route: GatewayRoute, ns: string) => [
    `  tcp-request ${ruleKind} set-var(sess.decision) str(pass) if ${condition}`,
    `  tcp-request ${ruleKind} set-var(sess.grant) str(${route.grant}) if ${condition}`,
    `  tcp-request ${ruleKind} set-var(sess.route) str(${ns}) if ${condition}`,
  ];
  for (const route of outgoing) {
    const name = `out-${route.listenPort}`;
    const expiry = beforeUntil(route.until);
    const remote = endpoints.get(route.provider.dataCentre)!.address;
    sections.push([
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
    ]);
  }
  if (incoming.length === 0) return sections.map((lines) => lines.join('\n') + '\n');
  sections.push([
    'frontend exchange-in',
    `  bind :${EXCHANGE_PORT} ssl crt ${CERT_DIR}/${gatewayCertificateName(dc)}.crt ca-file ${CA_FILE} verify required`,
    `  tcp-request content set-var(sess.gateway) str(${dc})`,
    '  tcp-request content set-var(sess.side) str(in)',
    '  tcp-request content set-var(sess.consumer) ssl_c_s_dn(CN)',
    '  tcp-request content set-var(sess.service) ssl_fc_sni',
    '  tcp-request content set-var(sess.decision) str(refuse)',
    // The backend of this name and certificate, if any; it checks both again, and the window.
    `  use_backend ${INCOMING_PREFIX}%[ssl_fc_sni]:%[ssl_c_s_dn(CN),regsub(/,:)]`,
    `  default_backend ${REFUSED_BACKEND}`,
    '',
    `backend ${REFUSED_BACKEND}`,
    '  tcp-request content reject',
  ]);
  for (const routes of groupBy(incoming, incomingBackend).map(([, group]) => group)) {
    const name = incomingBackend(routes[0]!);
    const first = routes[0]!;
    sections.push([
      ...routes.map(
        (route) =>
          `# ${route.consumer.agency}/${route.consumer.workspace} in ${route.consumer.dataCentre} -> ${route.provider.identifier}; ${route.request} + ${route.grant}`,
      ),
      `backend ${name}`,
      ...routes.flatMap((route) =>
        decide(
          'content',
          `{ ssl_fc_sni -m str ${route.provider.host} } { ssl_c_s_dn(CN) -m str ${route.consumer.commonName} }${beforeUntil(route.until)}`,
          route,
          name,
        ),
      ),
      '  tcp-request content reject unless { var(sess.decision) -m str pass }',
      `  server ${first.provider.service} ${first.provider.service}.${first.provider.namespace}.svc:${first.provider.port} init-addr last,libc,none`,
    ]);
  }
  return sections.map((lines) => lines.join('\n') + '\n');
}

const INCOMING_PREFIX = 'in:';
const REFUSED_BACKEND = 'in-refused';

/** The incoming backend of a route: the name the exchange listener builds from SNI and subject CN (`/` is no proxy-name character). */
function incomingBackend(route: GatewayRoute): string {
  return `${INCOMING_PREFIX}${route.provider.host}:${route.consumer.commonName.replaceAll('/', ':')}`;
}

/**
 * The sections put in order into files of at most CONFIG_SHARD_BYTES as a ConfigMap (counted
 * as the JSON string the API server stores); a section never spans two files, since HAProxy
 * starts each file outside any section.
 */
export function configShards(sections: readonly string[], budget = CONFIG_SHARD_BYTES - CONFIG_ENVELOPE_BYTES): string[] {
  const shards: string[] = [];
  let current = '';
  let bytes = 0;
  for (const section of sections) {
    const text = current === '' ? section : `\n${section}`;
    const size = Buffer.byteLength(JSON.stringify(text)) - 2;
    if (current !== '' && bytes + size > budget) {
      shards.push(current);
      current = section;
      bytes = Buffer.byteLength(JSON.stringify(section)) - 2;
      continue;
    }
    current += text;
    bytes += size;
  }
  if (current !== '') shards.push(current);
  return shards;
}

function bracket(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
