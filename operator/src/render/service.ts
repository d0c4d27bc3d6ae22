/**
 * A SharedDataService, rendered. The owner is the agency whose hub namespace holds it; the
 * service runs in the owner's workspace, in each data centre of its placement (which must
 * be among the owner's accepted placement).
 *
 * In the owner's workspace namespace, per data centre of the placement:
 * - ServiceAccount `svc-<name>` (no token mounted),
 * - Deployment `svc-<name>`: restricted security context, read-only root file system with a
 *   small writable /tmp, requests = limits, TCP probes, spread over zones, pinned to the
 *   dedicated nodes when the owner is level 4,
 * - Service `svc-<name>` (ClusterIP),
 * - PodDisruptionBudget `svc-<name>` (maxUnavailable 1) when replicas >= 2,
 * - NetworkPolicy `govcloud-svc-<name>` admitting the entitled consumers on the port.
 * In each entitled consumer workspace namespace, per data centre where it exists:
 * - NetworkPolicy `govcloud-use-<owner>.<name>` opening egress to the service on the port
 *   (the consumer's default-deny would block it). `.` separates owner and service: agency
 *   names have no dots, so two services never share a name. It is owned by the service
 *   (pruned with it) and carries the consumer agency's code.
 *
 * Entitled consumers:
 * - `default`: every workspace of every agency at security level 1 or 2, and of the owner;
 *   a workspace of another agency at level 3 or above only when that agency declares it:
 *   an AccessRequest in its hub namespace (provider = owner, service = this) naming the
 *   workspace, inside its window ("cross-agency traffic only through declared links and
 *   grants"). No AccessGrant is needed: the owner shares the service with everyone already;
 * - `open`: the same; besides, the networkRanges of every other data centre are admitted;
 * - `onRequest`: the workspaces named by an AccessRequest in the consumer's hub namespace
 *   (provider = owner, service = this) and by an AccessGrant in the owner's hub namespace
 *   (service = this, consumer = that agency; absent workspaces: all those requested), both
 *   inside their windows, and only in the data centres where the service runs (below).
 *   A request or grant in any other namespace matches nothing.
 * The service's own workspace is never its own consumer (it reaches itself already).
 *
 * Addressing: a consumer in data centre D uses the service in D where it runs there
 * (namespace and pod selectors). Symmetrically the service in D admits consumers placed in
 * D by namespace.
 *
 * Across data centres a peer is seen by address only (the networkRanges of its data centre),
 * never by workspace: admitting a range admits every pod there whose egress reaches this
 * range on this port, granted or not. So only `default` and `open` services, meant for every
 * agency, are reached across data centres, and only by consumers at security level 1 or 2: a
 * consumer in a data centre where the service does not run uses it in every data centre it
 * runs in, by their networkRanges, and the service admits the ranges of those data centres.
 * An `onRequest` service never admits a range: a consumer whose workspace exists only in data
 * centres where the service does not run is served through the exchange gateways
 * (render/gateway.ts, which reports `GatewayUnavailable` where none carries it), not here.
 * Consumers at level 3 and above are held to the same rule for every service (reaching a
 * remote range for one declared service would reach every other service there that admits
 * their data centre), and so are the owner's own workspaces at those levels: a declared
 * consumer only elsewhere gets nothing, with the issue `CrossDataCentreAccessUnsupported`
 * (the gateways carry on-request services only).
 */
import {
  ANNOTATIONS,
  LABELS,
  MANAGED_BY,
  DEDICATED_NODE_KEY,
  DEDICATED_NODE_VALUE,
  hubNamespaceOf,
  serviceIdentifier,
  workspaceNamespace,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type SharedDataService,
} from '../api/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import {
  apartInDataCentres,
  CROSS_DATA_CENTRE_UNSUPPORTED,
  dataClassExceeds,
  DECLARED_USE_FROM_LEVEL,
  exchangeRefusal,
  WHAT_GATEWAYS_CARRY,
  levelPolicy,
  sharingRefusal,
} from '../model/policy.ts';
import { dedicatedToleration } from './agency.ts';
import { compareStrings, metadata, ownerOf, PerDataCentre, sortedUnique } from './meta.ts';
import { boundedName } from './names.ts';
import { findDataCentre, hasWorkspace, placementOf, workspaceNames } from './placement.ts';
import { directionalPolicy, ipBlockPeers, namespacesPeer, type Peer } from './policies.ts';
import type { PortRange } from '../model/ports.ts';
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../model/quantity.ts';
import type { DesiredObject, OwnerRef, Rendered, RenderIssue } from './types.ts';
import { restrictedContainerSecurity } from './pod-security.ts';
import { earliest, futureBoundaries, isOpen, parseWindow } from '../model/window.ts';

export const DEFAULT_REPLICAS = 2;
export const DEFAULT_RESOURCES = { cpu: '250m', memory: '256Mi' };
export const SERVICE_PREFIX = 'svc-';
export const SERVICE_POLICY_PREFIX = 'govcloud-svc-';
export const USE_POLICY_PREFIX = 'govcloud-use-';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

/** An AccessRequest that opens a default or open service to a consumer at level 3 or above now (no grant needed). */
export interface DeclaredUse {
  consumer: string;
  /** `namespace/name` of the AccessRequest. */
  request: string;
  /** Consumer workspaces with access now, sorted. */
  workspaces: string[];
}

/** An AccessRequest and AccessGrant that together open the service to a consumer now. */
export interface AccessMatch {
  consumer: string;
  /** `namespace/name` of each. */
  request: string;
  grant: string;
  /** Consumer workspaces with access now, sorted. */
  workspaces: string[];
}

export interface ServiceRender {
  perDataCentre: Rendered[];
  issues: RenderIssue[];
  /** Consumer workspaces entitled now, `agency/workspace`, sorted (those the exchange gateways carry among them). */
  consumers: string[];
  /**
   * Request/grant pairs open now that open the service to their consumer (onRequest only;
   * a pair whose consumer exists only where the service does not run opens something only
   * through the exchange gateways), sorted by consumer, request, grant.
   */
  access: AccessMatch[];
  /**
   * default and open: the AccessRequests of consumers at level 3 and above open now that
   * open the service to them, sorted by consumer and request.
   */
  requests: DeclaredUse[];
  /** Data centres the service runs in, sorted. */
  dataCentres: string[];
  /** VN/GOV/<owner code>/<subsystem>/<service>/<version>, when the owner is known. */
  identifier?: string;
  /** The next validFrom or validUntil after now of a request or grant that pairs up. */
  nextChange?: Date;
}

export function serviceObjectName(service: SharedDataService): string {
  return boundedName(SERVICE_PREFIX, service.metadata.name);
}

export function servicePolicyName(service: SharedDataService): string {
  return boundedName(SERVICE_POLICY_PREFIX, service.metadata.name, { dots: true });
}

export function usePolicyName(owner: string, service: SharedDataService): string {
  return boundedName(USE_POLICY_PREFIX, `${owner}.${service.metadata.name}`, { dots: true });
}

const nsName = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface Consumer {
  agency: Agency;
  code: string;
  workspace: string;
  /** Data centres where it is given access: where its workspace exists (and, without `byRange`, the service runs). */
  placed: string[];
  /** Whether it may reach the service in other data centres, by their networkRanges. */
  byRange: boolean;
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** Request/grant pairs for the service, with the windows' future boundaries. */
export function accessMatches(platform: Platform, owner: Agency, service: SharedDataService, now: Date): { matches: AccessMatch[]; boundaries: number[] } {
  const ownerHub = hubNamespaceOf(owner.metadata.name);
  // By consumer: each request meets only its consumer's grants (not every grant: 25 million pairs at 5,000 agencies).
  const grants = new Map<string, AccessGrant[]>();
  for (const g of platform.grants) {
    if (g.metadata.namespace !== ownerHub || g.spec.service !== service.metadata.name) continue;
    grants.set(g.spec.consumer, [...(grants.get(g.spec.consumer) ?? []), g]);
  }
  const requests = platform.requests.filter((r) => r.spec.provider === owner.metadata.name && r.spec.service === service.metadata.name);
  const matches: AccessMatch[] = [];
  const boundaries: number[] = [];
  for (const request of requests) {
    const consumer = actingAgency(platform, request);
    if (!consumer) continue;
    const requestWindow = parseWindow(request.spec);
    if (!requestWindow.ok) continue;
    for (const grant of grants.get(consumer.metadata.name) ?? []) {
      const grantWindow = parseWindow(grant.spec);
      if (!grantWindow.ok) continue;
      boundaries.push(...futureBoundaries(requestWindow.window, now), ...futureBoundaries(grantWindow.window, now));
      if (!isOpen(requestWindow.window, now) || !isOpen(grantWindow.window, now)) continue;
      const granted = grant.spec.workspaces;
      const workspaces = sortedUnique(
        (request as AccessRequest).spec.workspaces.filter((w) => (granted === undefined || granted.includes(w)) && hasWorkspace(consumer, w)),
      );
      if (workspaces.length === 0) continue;
      matches.push({ consumer: consumer.metadata.name, request: nsName(request), grant: nsName(grant), workspaces });
    }
  }
  matches.sort((a, b) => compareStrings(a.consumer, b.consumer) || compareStrings(a.request, b.request) || compareStrings(a.grant, b.grant));
  return { matches, boundaries };
}

/**
 * AccessRequests for a default or open service by agencies at level 3 and above (not the
 * owner), with the windows' future boundaries. A request in any namespace but the
 * consumer's hub namespace acts for the agency of that namespace, as everywhere.
 */
export function declaredUses(platform: Platform, owner: Agency, service: SharedDataService, now: Date): { uses: DeclaredUse[]; boundaries: number[] } {
  const uses: DeclaredUse[] = [];
  const boundaries: number[] = [];
  for (const request of platform.requests) {
    if (request.spec.provider !== owner.metadata.name || request.spec.service !== service.metadata.name) continue;
    const consumer = actingAgency(platform, request);
    if (!consumer || consumer.metadata.name === owner.metadata.name || !levelPolicy(consumer.spec.securityLevel).declaredUse) continue;
    const window = parseWindow(request.spec);
    if (!window.ok) continue;
    boundaries.push(...futureBoundaries(window.window, now));
    if (!isOpen(window.window, now)) continue;
    const workspaces = sortedUnique(request.spec.workspaces.filter((w) => hasWorkspace(consumer, w)));
    if (workspaces.length > 0) uses.push({ consumer: consumer.metadata.name, request: nsName(request), workspaces });
  }
  uses.sort((a, b) => compareStrings(a.consumer, b.consumer) || compareStrings(a.request, b.request));
  return { uses, boundaries };
}

/** The workspaces named for each consumer agency, across all its pairs or declared uses. */
function workspacesByConsumer(entries: readonly { consumer: string; workspaces: readonly string[] }[]): Map<string, Set<string>> {
  const byConsumer = new Map<string, Set<string>>();
  for (const e of entries) {
    const set = byConsumer.get(e.consumer) ?? new Set<string>();
    for (const w of e.workspaces) set.add(w);
    byConsumer.set(e.consumer, set);
  }
  return byConsumer;
}

/** What a service's render works from, once its spec is judged renderable. */
interface Subject {
  platform: Platform;
  service: SharedDataService;
  ref: OwnerRef;
  owner: Agency;
  code: string;
  identifier: string;
  /** The owner's workspace namespace the service runs in. */
  ownNamespace: string;
  /** Data centres it runs in, sorted. */
  runsIn: string[];
  resources: { cpu: string; memory: string };
}

/** Who may use the service now, and what opens it to them. */
interface Entitled {
  consumers: Consumer[];
  /** `agency/workspace` of the consumers only elsewhere, whom the exchange gateways carry (render/gateway.ts renders their objects). */
  carried: string[];
  access: AccessMatch[];
  requests: DeclaredUse[];
  boundaries: number[];
}

export function renderService(platform: Platform, service: SharedDataService, now: Date): ServiceRender {
  const issues: RenderIssue[] = [];
  const result = (extra: Partial<ServiceRender> = {}): ServiceRender => ({
    perDataCentre: [],
    issues,
    consumers: [],
    access: [],
    requests: [],
    dataCentres: [],
    ...extra,
  });
  const subject = judgeService(platform, service, issues);
  if (!subject) return result();
  const entitled = entitledConsumers(subject, now, issues);
  const nextChange = earliest(entitled.boundaries);
  const r = result({
    perDataCentre: subject.runsIn.length === 0 ? [] : serviceObjects(subject, entitled.consumers),
    consumers: sortedUnique([...entitled.consumers.map((c) => `${c.agency.metadata.name}/${c.workspace}`), ...entitled.carried]),
    access: entitled.access,
    requests: entitled.requests,
    dataCentres: subject.runsIn,
    identifier: subject.identifier,
  });
  if (nextChange) r.nextChange = nextChange;
  return r;
}

/** The service's spec against its owner and the policy: a Subject to render, or undefined with the refusal in `issues`. */
function judgeService(platform: Platform, service: SharedDataService, issues: RenderIssue[]): Subject | undefined {
  const ref: OwnerRef = ownerOf(service);
  const refuse = (reason: string, message: string, field?: string): undefined => {
    const issue: RenderIssue = { owner: ref, reason, message };
    if (field) issue.field = field;
    issues.push(issue);
    return undefined;
  };

  const owner = actingAgency(platform, service);
  if (!owner) return refuse('NotInHubNamespace', `namespace ${service.metadata.namespace ?? '(none)'} is not an agency's hub namespace`, 'metadata.namespace');
  const ownerPlacement = placementOf(platform, owner);
  if (ownerPlacement.code === undefined) return refuse('AgencyInvalid', `agency ${owner.metadata.name} has an invalid code; nothing of it is rendered`);
  const code = ownerPlacement.code;
  const spec = service.spec;
  const identifier = serviceIdentifier(code, spec.subsystem, spec.serviceCode, spec.version);

  const sharing = sharingRefusal(spec);
  if (sharing) return refuse(sharing.reason, sharing.message, `spec.${sharing.field}`);
  const workspace = owner.spec.workspaces.find((w) => w.name === spec.workspace);
  if (!workspace) return refuse('WorkspaceNotFound', `agency ${owner.metadata.name} has no workspace ${spec.workspace}`, 'spec.workspace');
  if (dataClassExceeds(spec.dataClass, workspace.dataClass)) {
    return refuse(
      'DataClassAboveWorkspace',
      `workspace ${workspace.name} handles ${workspace.dataClass} data at most; the service is ${spec.dataClass}`,
      'spec.dataClass',
    );
  }
  const cpu = parseMilli(spec.resources?.cpu ?? DEFAULT_RESOURCES.cpu);
  const memory = parseBytes(spec.resources?.memory ?? DEFAULT_RESOURCES.memory);
  if (cpu === undefined || memory === undefined || cpu === 0n || memory === 0n) {
    return refuse('InvalidResources', 'resources.cpu and resources.memory must be quantities above zero', 'spec.resources');
  }

  // Where it runs: its placement, within its owner's accepted placement.
  const ownerPlaced = ownerPlacement.placed.map((p) => p.dataCentre.metadata.name);
  const runsIn: string[] = [];
  for (const dc of sortedUnique(spec.placement.dataCentres)) {
    if (ownerPlaced.includes(dc)) runsIn.push(dc);
    else {
      issues.push({
        owner: ref,
        field: 'spec.placement.dataCentres',
        dataCentre: dc,
        reason: 'OwnerNotPlaced',
        message: `agency ${owner.metadata.name} is not placed in data centre ${dc}`,
      });
    }
  }
  return {
    platform,
    service,
    ref,
    owner,
    code,
    identifier,
    ownNamespace: workspaceNamespace(owner.metadata.name, spec.workspace),
    runsIn,
    resources: { cpu: formatMilli(cpu), memory: formatBytes(memory) },
  };
}

/**
 * Who may use it: for onRequest, the pairs open now; for default and open, every agency at
 * the levels that use freely, and those that must declare as declared. A consumer that
 * declared its use but exists only where the service does not run, and may not reach it by
 * range, is an issue (CrossDataCentreAccessUnsupported).
 */
function entitledConsumers(subject: Subject, now: Date, issues: RenderIssue[]): Entitled {
  const { platform, service, owner, runsIn, ownNamespace } = subject;
  const spec = service.spec;
  const consumers: Consumer[] = [];
  const stranded = new Map<string, { agency: Agency; workspaces: string[]; placed: string[] }>();
  const consumerOf = (agency: Agency, workspace: string, byRange: boolean, asked: boolean): Consumer | undefined => {
    if (workspaceNamespace(agency.metadata.name, workspace) === ownNamespace) return undefined;
    const placement = placementOf(platform, agency);
    if (placement.code === undefined || placement.placed.length === 0) return undefined;
    const placed = placement.placed.map((p) => p.dataCentre.metadata.name);
    if (byRange) return { agency, code: placement.code, workspace, placed, byRange };
    const local = placed.filter((d) => runsIn.includes(d));
    if (local.length === 0) {
      if (asked && apartInDataCentres(placed, runsIn)) {
        const entry = stranded.get(agency.metadata.name) ?? { agency, workspaces: [], placed };
        entry.workspaces.push(workspace);
        stranded.set(agency.metadata.name, entry);
      }
      return undefined;
    }
    return { agency, code: placement.code, workspace, placed: local, byRange };
  };
  // Adds each agency's consumers; the agencies it reached.
  const addConsumers = (workspacesOf: (agency: Agency) => { names: string[]; byRange: boolean; asked: boolean }): Set<string> => {
    const reached = new Set<string>();
    for (const agency of platform.agencies) {
      const { names, byRange, asked } = workspacesOf(agency);
      for (const w of names) {
        const c = consumerOf(agency, w, byRange, asked);
        if (c) {
          consumers.push(c);
          reached.add(agency.metadata.name);
        }
      }
    }
    return reached;
  };

  let entitled: Omit<Entitled, 'consumers' | 'carried'>;
  const carried: string[] = [];
  if (spec.sharing === 'onRequest') {
    const matched = accessMatches(platform, owner, service, now);
    const byConsumer = workspacesByConsumer(matched.matches);
    // A consumer only elsewhere is the exchange gateways' (render/gateway.ts), served or reported there.
    const reached = addConsumers((agency) => ({ names: sortedUnique(byConsumer.get(agency.metadata.name) ?? []), byRange: false, asked: false }));
    for (const agency of platform.agencies) {
      const names = byConsumer.get(agency.metadata.name);
      if (names && !reached.has(agency.metadata.name) && carriedByGateways(platform, agency, runsIn)) {
        reached.add(agency.metadata.name);
        carried.push(...[...names].map((w) => `${agency.metadata.name}/${w}`));
      }
    }
    // A pair opens the service only to a consumer it can be rendered for.
    entitled = { access: matched.matches.filter((m) => reached.has(m.consumer)), requests: [], boundaries: matched.boundaries };
  } else {
    const declared = declaredUses(platform, owner, service, now);
    const byConsumer = workspacesByConsumer(declared.uses);
    const reached = addConsumers((agency) => {
      const strict = levelPolicy(agency.spec.securityLevel).declaredUse;
      const own = agency.metadata.name === owner.metadata.name;
      // Declared use: another agency's workspaces only as declared; never by range (own workspaces included).
      const names = strict && !own ? sortedUnique(byConsumer.get(agency.metadata.name) ?? []) : workspaceNames(agency);
      return { names, byRange: !strict, asked: strict && !own };
    });
    entitled = { access: [], requests: declared.uses.filter((u) => reached.has(u.consumer)), boundaries: declared.boundaries };
  }
  for (const { agency, workspaces, placed } of [...stranded.values()].sort((a, b) => compareStrings(a.agency.metadata.name, b.agency.metadata.name))) {
    const names = sortedUnique(workspaces);
    issues.push({
      owner: subject.ref,
      field: 'spec.placement.dataCentres',
      reason: CROSS_DATA_CENTRE_UNSUPPORTED,
      message:
        `${names.length === 1 ? 'workspace' : 'workspaces'} ${names.join(', ')} of agency ${agency.metadata.name} ${names.length === 1 ? 'is' : 'are'} only in ${placed.join(', ')}, ` +
        `where the service does not run: place the service in ${orList(placed)} or the consumer's workspace in one of ${runsIn.join(', ')}; ` +
        `cross-data-centre access for consumers at security level ${DECLARED_USE_FROM_LEVEL} and above is not carried: ${WHAT_GATEWAYS_CARRY}`,
    });
  }
  consumers.sort((a, b) => compareStrings(a.agency.metadata.name, b.agency.metadata.name) || compareStrings(a.workspace, b.workspace));
  return { consumers, carried, ...entitled };
}

/**
 * A consumer placed only where the service does not run, whom the exchange gateways carry: a
 * data centre on each side has a gateway and offers encrypted links (the rules ask the same).
 */
function carriedByGateways(platform: Platform, agency: Agency, runsIn: readonly string[]): boolean {
  const placement = placementOf(platform, agency);
  const placed = placement.placed.map((p) => p.dataCentre.metadata.name);
  if (placement.code === undefined || !apartInDataCentres(placed, runsIn)) return false;
  return exchangeRefusal((d) => findDataCentre(platform, d), placed, runsIn) === undefined;
}

/** The objects, per data centre: the workload and its ingress where it runs, each consumer's egress where it is. */
function serviceObjects(subject: Subject, consumers: Consumer[]): Rendered[] {
  const out = new PerDataCentre();
  const name = serviceObjectName(subject.service);
  const selector = { [LABELS.name]: name, [LABELS.service]: name };
  const ports: PortRange[] = [{ protocol: 'TCP', port: subject.service.spec.port }];
  providerSide(out, subject, consumers, name, selector, ports);
  consumerSide(out, subject, consumers, selector, ports);
  return out.result();
}

/** Where it runs: the workload, and the ingress policy admitting the consumers there (and, for default and open, by range). */
function providerSide(out: PerDataCentre, subject: Subject, consumers: Consumer[], name: string, selector: Record<string, string>, ports: PortRange[]): void {
  const { platform, service, owner, ref, code, identifier, ownNamespace, runsIn } = subject;
  const spec = service.spec;
  const annotations = { [ANNOTATIONS.identifier]: identifier, [ANNOTATIONS.displayName]: spec.displayName };
  const meta = (objectName: string, extra: Record<string, string> = {}) => ({
    name: objectName,
    namespace: ownNamespace,
    owner: ref,
    agency: code,
    annotations: extra,
  });
  const replicas = spec.replicas ?? DEFAULT_REPLICAS;
  const allDataCentres = [...platform.dataCentres].map((d) => d.metadata.name);
  for (const dc of runsIn) {
    out.add(dc, ...workloadObjects(service, owner, meta, name, selector, annotations, replicas, subject.resources));
    const local = consumers.filter((c) => c.placed.includes(dc)).map((c) => workspaceNamespace(c.agency.metadata.name, c.workspace));
    // Never a range for an onRequest service: a range admits every pod of that data centre.
    const remoteDcs =
      spec.sharing === 'onRequest'
        ? []
        : spec.sharing === 'open'
          ? allDataCentres.filter((d) => d !== dc)
          : consumers
              .filter((c) => c.byRange)
              .flatMap((c) => c.placed)
              .filter((d) => d !== dc && !runsIn.includes(d));
    const ranges = sortedUnique(remoteDcs).flatMap((d) => findDataCentre(platform, d)?.spec.networkRanges ?? []);
    const peers: Peer[] = [...namespacesPeer(local), ...ipBlockPeers(ranges)];
    const policy = directionalPolicy(meta(servicePolicyName(service), { [ANNOTATIONS.identifier]: identifier }), 'Ingress', peers, ports, {
      matchLabels: selector,
    });
    if (policy) out.add(dc, policy);
  }
}

/** The consumers' side: an egress policy in each consumer workspace, to the service where it runs there, else (by range) where it runs. */
function consumerSide(out: PerDataCentre, subject: Subject, consumers: Consumer[], selector: Record<string, string>, ports: PortRange[]): void {
  const { platform, service, owner, ref, identifier, ownNamespace, runsIn } = subject;
  const providerRanges = runsIn.flatMap((d) => findDataCentre(platform, d)?.spec.networkRanges ?? []);
  for (const c of consumers) {
    const namespace = workspaceNamespace(c.agency.metadata.name, c.workspace);
    for (const dc of c.placed) {
      const peers = runsIn.includes(dc) ? namespacesPeer([ownNamespace], selector) : c.byRange ? ipBlockPeers(providerRanges) : [];
      const policy = directionalPolicy(
        { name: usePolicyName(owner.metadata.name, service), namespace, owner: ref, agency: c.code, annotations: { [ANNOTATIONS.identifier]: identifier } },
        'Egress',
        peers,
        ports,
      );
      if (policy) out.add(dc, policy);
    }
  }
}

function workloadObjects(
  service: SharedDataService,
  owner: Agency,
  meta: (name: string, annotations?: Record<string, string>) => Parameters<typeof metadata>[0],
  name: string,
  selector: Record<string, string>,
  annotations: Record<string, string>,
  replicas: number,
  resources: { cpu: string; memory: string },
): DesiredObject[] {
  const spec = service.spec;
  const dedicatedNodes = levelPolicy(owner.spec.securityLevel).dedicatedNodes;
  const podSpec: Record<string, unknown> = {
    serviceAccountName: name,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'service',
        image: spec.image,
        ports: [{ name: 'service', containerPort: spec.port, protocol: 'TCP' }],
        resources: { requests: { ...resources }, limits: { ...resources } },
        securityContext: restrictedContainerSecurity(),
        readinessProbe: { tcpSocket: { port: spec.port }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: spec.port }, initialDelaySeconds: 15, periodSeconds: 20 },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } }],
  };
  const env = [...(spec.env ?? [])].sort((a, b) => compareStrings(a.name, b.name)).map((e) => ({ name: e.name, value: e.value }));
  if (env.length > 0) (podSpec.containers as Record<string, unknown>[])[0]!.env = env;
  if (dedicatedNodes) {
    podSpec.nodeSelector = { [DEDICATED_NODE_KEY]: DEDICATED_NODE_VALUE };
    podSpec.tolerations = [dedicatedToleration()];
  }
  const code = meta(name).agency;
  const podLabels: Record<string, string> = { ...selector, [LABELS.managedBy]: MANAGED_BY };
  if (code !== undefined) podLabels[LABELS.agency] = code;
  const objects: DesiredObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(meta(name)), automountServiceAccountToken: false },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata({ ...meta(name, annotations), labels: { ...selector } }),
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: { ...selector } },
        template: { metadata: { labels: podLabels, annotations: { [ANNOTATIONS.identifier]: annotations[ANNOTATIONS.identifier] ?? '' } }, spec: podSpec },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata({ ...meta(name, annotations), labels: { ...selector } }),
      spec: { type: 'ClusterIP', selector: { ...selector }, ports: [{ name: 'service', port: spec.port, targetPort: spec.port, protocol: 'TCP' }] },
    },
  ];
  if (replicas >= 2) {
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: metadata(meta(name)),
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...selector } } },
    });
  }
  return objects;
}
