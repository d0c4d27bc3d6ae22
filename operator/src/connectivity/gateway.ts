/**
 * Across data centres through the exchange gateways (render/gateway.ts; docs/architecture.md
 * "Exchange across data centres"). A consumer workspace in data centre D reaches an on-request
 * service in data centre P, or the Service a link pair names, exactly when the gateways carry
 * a route for the pair: D's gateway listens for that workspace alone and presents its
 * certificate, P's gateway checks the certificate, the service's name and the pair's window.
 * NetworkPolicy by range cannot tell one workspace of D from another, so these paths come
 * from the routes, never from ranges; and where there is no route, the explanation names what
 * is missing: the request, the grant, a window, or a gateway; for a link, what the link
 * renderer says of the listening side's link (the peer's consent, a window, what crossing
 * data centres needs).
 */
import { agencyNameOfHubNamespace, hubNamespaceOf, workspaceNamespace, type Agency, type NetworkLink, type SharedDataService } from '../api/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import { exchangeRefusal } from '../model/policy.ts';
import { closedBecause, parseWindow } from '../model/window.ts';
import {
  EXCHANGE_PORT,
  GATEWAY_UNAVAILABLE,
  gatewayEndpoints,
  renderGateways,
  type GatewayEndpoint,
  type GatewayRender,
  type GatewayRoute,
} from '../render/gateway.ts';
import { renderLink } from '../render/link.ts';
import { findDataCentre } from '../render/placement.ts';
import { serviceObjectName } from '../render/service.ts';

/** One route as a path: the consumer's gateway (its listener) → mutual TLS → the provider's gateway (EXCHANGE_PORT) → the Service. */
export interface GatewayPath {
  from: { dataCentre: string; namespace: string; agency: string; workspace: string };
  to: { dataCentre: string; kind: 'Service'; namespace: string; name: string; port: number; protocol: 'TCP'; agency: string; service: string };
  verdict: 'allowed';
  via: 'gateway';
  /** What opens it: a request+grant pair, or a link pair (`request`: the Egress link, `grant`: the Ingress link). */
  pair: 'access' | 'link';
  /** The listener of the consumer data centre's gateway for this route; the provider's gateway takes it on `exchangePort`. */
  gateway: { listenPort: number; exchangePort: number };
  /** `namespace/name` of the pair that opens it. */
  request: string;
  grant: string;
  /** RFC 3339: the end of the pair's window, the earlier of the two; absent when neither ends. */
  until?: string;
}

/** What the gateways serve at one time, and the objects to explain a refusal from. */
export interface GatewayModel {
  platform: Platform;
  now: Date;
  endpoints: ReadonlyMap<string, GatewayEndpoint>;
  render: GatewayRender;
  /** Each shared data service by its Service, `namespace/name`. */
  services: Map<string, { service: SharedDataService; owner: Agency }>;
}

export function gatewayModel(
  platform: Platform,
  now: Date,
  endpoints: ReadonlyMap<string, GatewayEndpoint> = gatewayEndpoints(platform),
  render: GatewayRender = renderGateways(platform, now, endpoints),
): GatewayModel {
  const services = new Map<string, { service: SharedDataService; owner: Agency }>();
  for (const service of platform.services) {
    const owner = actingAgency(platform, service);
    if (owner) services.set(`${workspaceNamespace(owner.metadata.name, service.spec.workspace)}/${serviceObjectName(service)}`, { service, owner });
  }
  return { platform, now, endpoints, render, services };
}

export function gatewayPaths(model: GatewayModel): GatewayPath[] {
  return model.render.routes.map((route) => pathOf(model, route));
}

function pathOf(model: GatewayModel, route: GatewayRoute): GatewayPath {
  const { consumer, provider } = route;
  const service = model.services.get(`${provider.namespace}/${provider.service}`)?.service.metadata.name ?? provider.service;
  const path: GatewayPath = {
    from: {
      dataCentre: consumer.dataCentre,
      namespace: workspaceNamespace(consumer.agency, consumer.workspace),
      agency: consumer.agency,
      workspace: consumer.workspace,
    },
    to: {
      dataCentre: provider.dataCentre,
      kind: 'Service',
      namespace: provider.namespace,
      name: provider.service,
      port: provider.port,
      protocol: 'TCP',
      agency: provider.agency,
      service,
    },
    verdict: 'allowed',
    via: 'gateway',
    pair: route.kind,
    gateway: { listenPort: route.listenPort, exchangePort: EXCHANGE_PORT },
    request: route.request,
    grant: route.grant,
  };
  if (route.until !== undefined) path.until = new Date(route.until).toISOString();
  return path;
}

export interface GatewayEnd {
  dataCentre: string;
  namespace: string;
}

export type GatewayExplanation =
  | { from: GatewayEnd; to: GatewayEnd & { name: string }; verdict: 'allowed'; paths: GatewayPath[] }
  /** refused: the gateways would carry it but something is missing; not-served: they never carry such a pair. */
  | { from: GatewayEnd; to: GatewayEnd & { name: string }; verdict: 'refused' | 'not-served'; reasons: string[] };

/**
 * A workspace (namespace `from.namespace` in `from.dataCentre`) to a Service in another data
 * centre: the gateway paths that carry it, or why none does.
 */
export function explainGateway(model: GatewayModel, from: GatewayEnd, to: GatewayEnd & { name: string }): GatewayExplanation {
  const refused = (...reasons: string[]): GatewayExplanation => ({ from, to, verdict: 'refused', reasons });
  const notServed = (reason: string): GatewayExplanation => ({ from, to, verdict: 'not-served', reasons: [reason] });
  const routes = model.render.routes.filter(
    (r) =>
      r.consumer.dataCentre === from.dataCentre &&
      workspaceNamespace(r.consumer.agency, r.consumer.workspace) === from.namespace &&
      r.provider.namespace === to.namespace &&
      r.provider.service === to.name,
  );
  const here = routes.filter((r) => r.provider.dataCentre === to.dataCentre);
  if (here.length > 0) return { from, to, verdict: 'allowed', paths: here.map((r) => pathOf(model, r)) };
  if (routes.length > 0) {
    const elsewhere = [...new Set(routes.map((r) => r.provider.dataCentre))].join(', ');
    return refused(`the gateways carry this pair to the service's instance in ${elsewhere}, not to the one in ${to.dataCentre}`);
  }
  const provided = model.services.get(`${to.namespace}/${to.name}`);
  const linked = linksNaming(model.platform, to.namespace, to.name);
  if (!provided && linked.length > 0) return refused(...whyNoLinkRoute(model, linked, from));
  if (!provided) {
    return notServed(
      `${to.namespace}/${to.name} is no shared data service's Service and no link names it: the exchange gateways carry on-request shared data services and the Services links name`,
    );
  }
  const consumer = workspaceOf(model.platform, from.namespace);
  if (!consumer) return notServed(`${from.namespace} is no agency's workspace: only agency workspaces use the exchange gateways`);
  const { service, owner } = provided;
  if (service.spec.sharing !== 'onRequest') {
    return notServed(
      `${owner.metadata.name}/${service.metadata.name} is shared "${service.spec.sharing}": across data centres it is reached by network range, not through the gateways`,
    );
  }
  return refused(...whyNoRoute(model, consumer, provided, from.dataCentre, to.dataCentre));
}

/** The Ingress links to another agency naming this Service in their own workspace: the listening sides of link pairs. */
export function linksNaming(platform: Platform, namespace: string, service: string): NetworkLink[] {
  return platform.links.filter((l) => {
    const agency = agencyNameOfHubNamespace(l.metadata.namespace);
    return (
      l.spec.direction === 'Ingress' &&
      l.spec.service === service &&
      l.spec.peer.agency !== undefined &&
      agency !== undefined &&
      workspaceNamespace(agency, l.spec.workspace) === namespace
    );
  });
}

/** For the Service a link names: what the link renderer says of each listening link whose peer is the source workspace. */
function whyNoLinkRoute(model: GatewayModel, linked: NetworkLink[], from: GatewayEnd): string[] {
  const consumer = workspaceOf(model.platform, from.namespace);
  const mine = linked.filter((l) => l.spec.peer.agency?.name === consumer?.agency.metadata.name && l.spec.peer.agency?.workspace === consumer?.workspace);
  if (mine.length === 0)
    return [
      `no NetworkLink naming this Service has ${from.namespace} as its peer: ${refs(linked)} ${linked.length === 1 ? 'admits' : 'admit'} other workspaces`,
    ];
  return mine.map((l) => {
    const rendered = renderLink(model.platform, l, model.now);
    const why = rendered.inactive ?? { reason: 'Active', message: `the gateways carry no route from ${from.dataCentre} for it` };
    return `NetworkLink ${refs([l])}: ${why.reason}: ${why.message}`;
  });
}

function workspaceOf(platform: Platform, namespace: string): { agency: Agency; workspace: string } | undefined {
  for (const agency of platform.agencies) {
    const w = agency.spec.workspaces.find((x) => workspaceNamespace(agency.metadata.name, x.name) === namespace);
    if (w) return { agency, workspace: w.name };
  }
  return undefined;
}

/** `namespace/name` as people write it: `agency/name` for objects in a hub namespace. */
export function objectRef(ref: string): string {
  const slash = ref.indexOf('/');
  const agency = agencyNameOfHubNamespace(ref.slice(0, slash));
  return agency === undefined ? ref : `${agency}${ref.slice(slash)}`;
}

function refs(objects: readonly { metadata: { namespace?: string; name: string } }[]): string {
  return objects.map((o) => objectRef(`${o.metadata.namespace ?? ''}/${o.metadata.name}`)).join(', ');
}

/** Why a window is not open now, or undefined when it is. */
function closed(spec: { validFrom?: string; validUntil?: string }, now: Date): string | undefined {
  const parsed = parseWindow(spec);
  if (!parsed.ok) return `its window is invalid (${parsed.field}: ${parsed.message})`;
  const why = closedBecause(parsed.window, now);
  if (why === 'Expired') return `expired at ${new Date(parsed.window.until as number).toISOString()}`;
  if (why === 'NotYetValid') return `is valid only from ${new Date(parsed.window.from as number).toISOString()}`;
  return undefined;
}

/** For an on-request service: the first thing missing, in the order the pair is built: request, grant, their windows, then the gateways. */
function whyNoRoute(
  model: GatewayModel,
  consumer: { agency: Agency; workspace: string },
  provided: { service: SharedDataService; owner: Agency },
  fromDc: string,
  toDc: string,
): string[] {
  const { platform, now } = model;
  const { service, owner } = provided;
  const who = `agency ${consumer.agency.metadata.name}`;
  const what = `${owner.metadata.name}/${service.metadata.name}`;
  const requests = platform.requests.filter(
    (r) =>
      r.spec.provider === owner.metadata.name &&
      r.spec.service === service.metadata.name &&
      actingAgency(platform, r)?.metadata.name === consumer.agency.metadata.name,
  );
  if (requests.length === 0) return [`no AccessRequest of ${who} for ${what}`];
  const naming = requests.filter((r) => r.spec.workspaces.includes(consumer.workspace));
  if (naming.length === 0) return [`AccessRequest ${refs(requests)} of ${who} does not name workspace ${consumer.workspace}`];
  const grants = platform.grants.filter(
    (g) =>
      g.metadata.namespace === hubNamespaceOf(owner.metadata.name) &&
      g.spec.service === service.metadata.name &&
      g.spec.consumer === consumer.agency.metadata.name,
  );
  if (grants.length === 0) return [`no AccessGrant of agency ${owner.metadata.name} for ${service.metadata.name} to ${who}`];
  const covering = grants.filter((g) => g.spec.workspaces === undefined || g.spec.workspaces.includes(consumer.workspace));
  if (covering.length === 0) return [`AccessGrant ${refs(grants)} does not name workspace ${consumer.workspace}`];
  const openRequests = naming.filter((r) => closed(r.spec, now) === undefined);
  const openGrants = covering.filter((g) => closed(g.spec, now) === undefined);
  if (openRequests.length === 0 || openGrants.length === 0) {
    const at = `now: ${now.toISOString()}`;
    return [
      ...(openRequests.length === 0 ? naming.map((r) => `AccessRequest ${refs([r])} ${closed(r.spec, now)} (${at})`) : []),
      ...(openGrants.length === 0 ? covering.map((g) => `AccessGrant ${refs([g])} ${closed(g.spec, now)} (${at})`) : []),
    ];
  }
  // The renderer's own reason (model/policy.ts), for this pair of data centres.
  const lacking = exchangeRefusal((d) => findDataCentre(platform, d), [fromDc], [toDc]);
  return [lacking ? `${GATEWAY_UNAVAILABLE}: ${lacking}` : `the gateways carry no route from ${fromDc} to ${toDc} for this pair`];
}

/** `via gateway, grant G, request R, until T` (a link pair: `links I and E`): what opens the path and until when. */
export function viaGatewayText(p: GatewayPath): string {
  const what = p.pair === 'link' ? `links ${objectRef(p.grant)} and ${objectRef(p.request)}` : `grant ${objectRef(p.grant)}, request ${objectRef(p.request)}`;
  return `via gateway, ${what}, ${p.until === undefined ? 'no end' : `until ${p.until}`}`;
}

/** The hops of one path, then what opens it. */
export function gatewayPathText(p: GatewayPath): string {
  return (
    `${p.from.dataCentre}/${p.from.agency}/${p.from.workspace} → gateway ${p.from.dataCentre} (listener ${p.gateway.listenPort}) → mutual TLS → ` +
    `gateway ${p.to.dataCentre} → ${p.to.agency}/${p.to.service}:${p.to.port}; ${viaGatewayText(p)}`
  );
}

export function formatGatewayExplanation(x: GatewayExplanation): string {
  const head = `${x.from.namespace} (${x.from.dataCentre}) → ${x.to.namespace}/${x.to.name} (${x.to.dataCentre})`;
  if (x.verdict === 'allowed') return [`${head}: ALLOWED via gateway`, ...x.paths.map((p) => `  ${gatewayPathText(p)}`)].join('\n') + '\n';
  const verdict = x.verdict === 'refused' ? 'REFUSED, no gateway route' : 'not carried by the exchange gateways';
  return [`${head}: ${verdict}`, ...x.reasons.map((r) => `  ${r}`)].join('\n') + '\n';
}
