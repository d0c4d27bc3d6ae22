/**
 * The platform's policy, written once: what each security level (Decree 85/2016, 1 to 5)
 * implies, where an agency may be placed, how data classes rank, and what cannot cross data
 * centres. The rules across objects (model/rules/) map these verdicts to field paths, the
 * renderers to RenderIssues and objects, the CRD's CEL to its thresholds; no other file
 * compares a security level or a data class. docs/architecture.md prints the table
 * (operator/bin/policy-doc.ts; operator/test/model/policy.test.ts fails when it is stale).
 *
 * Pure and self-contained: it imports only types, so api/ may use it too.
 */
import type { Agency, DataCentre } from '../api/index.ts';

export type PodSecurityLevel = 'baseline' | 'restricted';

/** What one security level implies. */
export interface LevelPolicy {
  level: number;
  /** Pod Security Admission level enforced in the agency's workspaces (warn and audit are always restricted). */
  podSecurity: PodSecurityLevel;
  /** Workspaces may name internet egress (an allow-list); without it they have none. */
  internetEgress: boolean;
  /** Workloads run on the dedicated nodes (node selector and toleration), and only such workloads may. */
  dedicatedNodes: boolean;
  /** Placed only in data centres dedicated to the agency (`dedicatedTo`). */
  dedicatedDataCentre: boolean;
  /** Links with such an agency on either side must be encrypted. */
  encryptedLinks: boolean;
  /**
   * Uses another agency's default or open service only where it declares so (an
   * AccessRequest; no grant), never by a data centre's address range: cross-agency traffic
   * only through declared links and grants.
   */
  declaredUse: boolean;
}

/** One row per security level, lowest first. */
export const SECURITY_LEVELS: readonly LevelPolicy[] = [
  { level: 1, podSecurity: 'baseline', internetEgress: true, dedicatedNodes: false, dedicatedDataCentre: false, encryptedLinks: false, declaredUse: false },
  { level: 2, podSecurity: 'restricted', internetEgress: true, dedicatedNodes: false, dedicatedDataCentre: false, encryptedLinks: false, declaredUse: false },
  { level: 3, podSecurity: 'restricted', internetEgress: false, dedicatedNodes: false, dedicatedDataCentre: false, encryptedLinks: true, declaredUse: true },
  { level: 4, podSecurity: 'restricted', internetEgress: false, dedicatedNodes: true, dedicatedDataCentre: false, encryptedLinks: true, declaredUse: true },
  // The whole cluster is the agency's: no nodes to set apart within it.
  { level: 5, podSecurity: 'restricted', internetEgress: false, dedicatedNodes: false, dedicatedDataCentre: true, encryptedLinks: true, declaredUse: true },
];

const LOWEST = SECURITY_LEVELS[0]!;
/** The strictest row: for what belongs to no level (hub namespaces, where nothing is meant to run). */
export const STRICTEST: LevelPolicy = SECURITY_LEVELS[SECURITY_LEVELS.length - 1]!;

/** The row of a level; a level beyond the table is held to its nearest end (the schema admits 1 to 5 only). */
export function levelPolicy(level: number): LevelPolicy {
  return SECURITY_LEVELS.find((p) => p.level === level) ?? (level < LOWEST.level ? LOWEST : STRICTEST);
}

/** The levels where the predicate holds, ascending. */
export function levelsWhere(holds: (p: LevelPolicy) => boolean): number[] {
  return SECURITY_LEVELS.filter(holds).map((p) => p.level);
}

/** The lowest level from which the predicate holds at every level above (it does so for each one that uses it: the policy test checks). */
function fromLevel(holds: (p: LevelPolicy) => boolean): number {
  return levelsWhere(holds)[0] ?? STRICTEST.level + 1;
}

/** Thresholds for text and CEL ("from level 3"); code asks levelPolicy(level). */
export const NO_INTERNET_EGRESS_FROM_LEVEL = fromLevel((p) => !p.internetEgress);
export const ENCRYPTED_LINKS_FROM_LEVEL = fromLevel((p) => p.encryptedLinks);
export const DECLARED_USE_FROM_LEVEL = fromLevel((p) => p.declaredUse);
export const DEDICATED_DATA_CENTRE_FROM_LEVEL = fromLevel((p) => p.dedicatedDataCentre);

/** Why a data centre does not accept an agency, whatever else is right. */
export type PlacementRefusal =
  | { reason: 'DedicatedToAnotherAgency'; dedicatedTo: string }
  | { reason: 'OwnedByAnotherAgency'; ownedBy: string }
  | { reason: 'DedicatedDataCentreRequired'; level: number }
  | { reason: 'NotAccredited'; accreditedLevel: number; level: number }
  | { reason: 'Cordoned' };

/** What the placement decision needs to know beyond the two objects. */
export interface PlacementContext {
  /** The agency's parents by spec.parent, nearest first (agencyAncestors). */
  ancestors: readonly string[];
  /**
   * Whether the agency is in the data centre already (the operator: its namespaces are
   * there); undefined where that cannot be known (offline, or the data centre unreachable):
   * then a cordon refuses nothing, and the rules warn instead.
   */
  present?: boolean;
}

/**
 * The agency's parents by spec.parent, nearest first; a chain that goes round or names an
 * agency that does not exist stops there (the rules report both).
 */
export function agencyAncestors(agencyName: string, parentOf: (name: string) => string | undefined): string[] {
  const chain: string[] = [];
  for (let at = parentOf(agencyName); at !== undefined && at !== agencyName && !chain.includes(at); at = parentOf(at)) chain.push(at);
  return chain;
}

/** The agency a data centre belongs to (dedicatedTo or ownedBy), or undefined for a shared one. */
export function dataCentreOwner(dataCentre: DataCentre): string | undefined {
  return dataCentre.spec.dedicatedTo ?? dataCentre.spec.ownedBy;
}

/**
 * The one placement decision: whether the data centre may host the agency by ownership,
 * accreditation and cordon. Undefined when it may. A data centre dedicated to an agency
 * hosts it alone; one owned by an agency (inherited) hosts it and the agencies under it;
 * a cordoned one hosts no agency that is not there already. Existence and quotas are the
 * callers' (the rules report a name that resolves to nothing; the renderers need a quota to
 * bound namespaces).
 */
export function placementRefusal(agency: Agency, dataCentre: DataCentre, context: PlacementContext): PlacementRefusal | undefined {
  return placementRefusalAt(agency.metadata.name, agency.spec.securityLevel, dataCentre, context);
}

/** The same decision for something of the agency's at its own level (a system in its MigrationPlan). */
export function placementRefusalAt(name: string, level: number, dataCentre: DataCentre, context: PlacementContext): PlacementRefusal | undefined {
  const { dedicatedTo, ownedBy } = dataCentre.spec;
  if (dedicatedTo !== undefined && dedicatedTo !== name) return { reason: 'DedicatedToAnotherAgency', dedicatedTo };
  if (ownedBy !== undefined && ownedBy !== name && !context.ancestors.includes(ownedBy)) return { reason: 'OwnedByAnotherAgency', ownedBy };
  if (levelPolicy(level).dedicatedDataCentre && dedicatedTo !== name) return { reason: 'DedicatedDataCentreRequired', level };
  if (dataCentre.spec.accreditedLevel < level) return { reason: 'NotAccredited', accreditedLevel: dataCentre.spec.accreditedLevel, level };
  if (dataCentre.spec.cordoned === true && context.present === false) return { reason: 'Cordoned' };
  return undefined;
}

/** Data classes from the least to the most sensitive. */
export const DATA_CLASSES = ['open', 'shared', 'private', 'stateSecret'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/** The class named only to be refused: never hosted, so never shared either. */
export const NEVER_HOSTED: DataClass = 'stateSecret';
export const STATE_SECRET_MESSAGE = 'state secrets are never hosted on this platform';

/**
 * Which data classes may be shared how, besides NEVER_HOSTED: each rule ties one value of a
 * service's field to one value of the other (only open data openly, private data only on
 * request). The CRD's CEL (api/shareddataservice.ts) and renderService both read it; either
 * way the problem is reported at `sharing`.
 */
export interface SharingRule {
  when: { field: 'dataClass' | 'sharing'; is: string };
  then: { field: 'dataClass' | 'sharing'; is: string };
  message: string;
}

export const SHARING_RULES: readonly SharingRule[] = [
  { when: { field: 'sharing', is: 'open' }, then: { field: 'dataClass', is: 'open' }, message: 'only open data can be shared openly' },
  { when: { field: 'dataClass', is: 'private' }, then: { field: 'sharing', is: 'onRequest' }, message: 'private data is shared on request only' },
];

/** Why a service may not hold this class of data shared this way, or undefined when it may. */
export function sharingRefusal(spec: {
  dataClass: string;
  sharing: string;
}): { reason: 'StateSecret' | 'SharingNotAllowed'; field: 'dataClass' | 'sharing'; message: string } | undefined {
  if (spec.dataClass === NEVER_HOSTED) return { reason: 'StateSecret', field: 'dataClass', message: STATE_SECRET_MESSAGE };
  const broken = SHARING_RULES.find((r) => spec[r.when.field] === r.when.is && spec[r.then.field] !== r.then.is);
  return broken ? { reason: 'SharingNotAllowed', field: 'sharing', message: broken.message } : undefined;
}

/**
 * A service handles data its workspace is not declared for. Fail-safe for a class not in
 * the order: a service's counts as the most sensitive, a workspace's as the least, so an
 * unknown class on either side is refused.
 */
export function dataClassExceeds(serviceClass: string, workspaceClass: string): boolean {
  const rank = (c: string) => (DATA_CLASSES as readonly string[]).indexOf(c);
  const service = rank(serviceClass);
  const workspace = rank(workspaceClass);
  return (service === -1 ? DATA_CLASSES.length : service) > (workspace === -1 ? -1 : workspace);
}

/**
 * Reason of the issue where access between two agencies would cross data centres and nothing
 * carries it: a peer in another data centre is seen by address (its networkRanges) only,
 * which cannot tell one workspace from another. Only the exchange gateways carry a workload's
 * identity across: on-request services (`exchangeRefusal`) and link pairs (`linkExchangeRefusals`).
 */
export const CROSS_DATA_CENTRE_UNSUPPORTED = 'CrossDataCentreAccessUnsupported';
/** Why nothing but an on-request pair or a link pair crosses data centres (the end of every message saying so). */
export const WHAT_GATEWAYS_CARRY =
  'the exchange gateways carry on-request services (an AccessRequest and an AccessGrant) and links between two agencies (a NetworkLink on each side) only';
/** Reason of the issue where the exchange gateways would carry something but a data centre lacks what they need. */
export const GATEWAY_UNAVAILABLE = 'GatewayUnavailable';

/** What a data centre lacks for its exchange gateway to carry traffic across data centres: none when it has both. */
export function exchangeLacks(dc: Pick<DataCentre, 'spec'> | undefined): string[] {
  const lacks: string[] = [];
  if (dc?.spec.exchangeGateway === undefined) lacks.push('spec.exchangeGateway');
  if (dc?.spec.encryptedLinks !== true) lacks.push('spec.encryptedLinks: true');
  return lacks;
}

/**
 * An on-request pair between a consumer placed in `consumerDcs` and a service running in
 * `serviceDcs`, which share none: carried when a data centre on each side has an exchange
 * gateway and offers encrypted links (mutual TLS between the gateways, so also for consumers
 * at level 3 and above, whose links must be encrypted). Otherwise what each side lacks, naming
 * the data centres; undefined when carried.
 */
export function exchangeRefusal(
  dataCentre: (name: string) => Pick<DataCentre, 'spec'> | undefined,
  consumerDcs: readonly string[],
  serviceDcs: readonly string[],
): string | undefined {
  const side = (names: readonly string[]) => [...new Set(names)].sort().map((name) => ({ name, lacks: exchangeLacks(dataCentre(name)) }));
  const consumer = side(consumerDcs);
  const service = side(serviceDcs);
  const ready = (s: { lacks: string[] }[]) => s.some((d) => d.lacks.length === 0);
  if (ready(consumer) && ready(service)) return undefined;
  const lacking = [...(ready(consumer) ? [] : consumer), ...(ready(service) ? [] : service)];
  return (
    'give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (' +
    lacking.map((d) => `DataCentre/${d.name} lacks ${d.lacks.join(' and ')}`).join(', ') +
    ')'
  );
}

/** What of a link the exchange gateways judge: NetworkLink's spec, by structure (api/ may not be imported here). */
export interface LinkCrossing {
  direction: string;
  service?: string;
  ports: readonly { protocol?: string; port: number; endPort?: number }[];
}

/** One thing a link lacks to cross data centres: the field at fault (a path from the object's root), the issue's reason, the message. */
export interface LinkExchangeProblem {
  path: (string | number)[];
  reason: string;
  message: string;
}

/**
 * A link between two agencies' workspaces placed in no data centre together (`ownDcs`: where
 * this link's agency is, `peerDcs`: where its peer's is). The exchange gateways carry it when a
 * data centre on each side has a gateway and offers encrypted links (`exchangeRefusal`: mutual
 * TLS between the gateways, so also for links at level 3 and above), the listening side (an
 * Ingress link) names the Service its gateway forwards to (a link opens a workspace, and a
 * gateway must forward to an address), and every port is one TCP port (the gateways carry TCP
 * streams, one listener per port). What this link lacks, each at its own field; empty when
 * carried. Both links of a pair are asked, each for its own fields: the pair is carried when
 * neither lacks anything.
 */
export function linkExchangeRefusals(
  dataCentre: (name: string) => Pick<DataCentre, 'spec'> | undefined,
  link: LinkCrossing,
  ownDcs: readonly string[],
  peerDcs: readonly string[],
): LinkExchangeProblem[] {
  const problems: LinkExchangeProblem[] = [];
  const egress = link.direction === 'Egress';
  const gateways = exchangeRefusal(dataCentre, egress ? ownDcs : peerDcs, egress ? peerDcs : ownDcs);
  if (gateways) problems.push({ path: ['spec', 'peer', 'agency'], reason: GATEWAY_UNAVAILABLE, message: gateways });
  if (!egress && link.service === undefined) {
    problems.push({
      path: ['spec', 'service'],
      reason: CROSS_DATA_CENTRE_UNSUPPORTED,
      message:
        "name the Service in this link's workspace that the exchange gateway forwards the peer's connections to: across data centres a link is carried to a Service",
    });
  }
  link.ports.forEach((p, i) => {
    const protocol = p.protocol ?? 'TCP';
    const range = p.endPort !== undefined && p.endPort !== p.port;
    if (protocol === 'TCP' && !range) return;
    problems.push({
      path: ['spec', 'ports', i],
      reason: CROSS_DATA_CENTRE_UNSUPPORTED,
      message: `${range ? `ports ${p.port}-${p.endPort}` : `${protocol} port ${p.port}`}: across data centres the exchange gateways carry single TCP ports only`,
    });
  });
  return problems;
}

/**
 * Two parties placed somewhere each but in no data centre together: access between them
 * would cross data centres, which is refused. A side placed nowhere is another problem.
 */
export function apartInDataCentres(ours: readonly string[], theirs: readonly string[]): boolean {
  return ours.length > 0 && theirs.length > 0 && !ours.some((d) => theirs.includes(d));
}

/** The table as docs/architecture.md prints it (Markdown). */
export function securityLevelTable(): string {
  const rows = SECURITY_LEVELS.map((p) =>
    [
      String(p.level),
      p.podSecurity,
      p.internetEgress ? 'allow-list' : 'none',
      p.dedicatedNodes ? 'yes' : 'no',
      p.dedicatedDataCentre ? 'yes' : 'no',
      p.encryptedLinks ? 'encrypted' : 'as asked',
      p.declaredUse ? 'only as declared, in a shared data centre' : 'used freely, across data centres by range',
    ].join(' | '),
  );
  return [
    '| level | Pod Security (enforce) | internet egress | dedicated nodes | dedicated data centre | links | default and open services of other agencies |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}
