/**
 * Rules across objects: what no single object's schema can know. Unique names and codes,
 * references that resolve, placement only where the data centre is accredited, capacity,
 * link consent and encryption, access requests and grants that fit together.
 *
 * Across data centres a peer is seen by address only (its data centre's networkRanges), which
 * cannot tell one workspace from another: a request/grant pair for an on-request service, or
 * a pair of links between two agencies, whose two sides share no data centre could open
 * nothing, and is an error (the renderers report `CrossDataCentreAccessUnsupported`); so is
 * an agency at security level 3 or above requesting a default or open service (which it
 * must declare to use) where they share no data centre.
 *
 * Pure: a Platform in, problems out, each keyed by the object at fault and a field path
 * from that object's root. `govcloud validate` turns them into file:line messages; the
 * operator can put the same messages in conditions. Every object of the Platform is
 * assumed valid on its own (schema and CEL); objects that are not can be named in
 * `options.alsoPresent` so that references to them still resolve.
 */
import {
  agencyNameOfHubNamespace,
  HUB_NAMESPACE_PREFIX,
  hubNamespaceOf,
  platformNamespaceClash,
  normaliseAgencyCode,
  serviceIdentifier,
  workspaceNamespace,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type DataCentre,
  type ExternalNetwork,
  type NetworkLink,
  type SharedDataService,
} from '../api/index.ts';
import { addressPlan, judgeRanges, type AddressPlan } from './addresses.ts';
import { findOverlaps, parseStrictCidr, type Cidr } from './ip.ts';
import type { Platform } from './platform.ts';
import {
  apartInDataCentres,
  dataClassExceeds,
  DECLARED_USE_FROM_LEVEL,
  ENCRYPTED_LINKS_FROM_LEVEL,
  levelPolicy,
  NO_CROSS_DATA_CENTRE_IDENTITY,
  placementRefusal,
  type PlacementRefusal,
} from './policy.ts';
// Quantities and ports with the same exact arithmetic as the renderers, so validation and rendering agree to the byte.
import { formatBytes, formatMilli, parseBytes, parseMilli } from './quantity.ts';
import { intersectPorts } from './ports.ts';

export type PlatformObject = DataCentre | Agency | NetworkLink | SharedDataService | AccessRequest | AccessGrant;

export interface RuleProblem {
  /** Errors make the platform invalid; warnings (pending consent, needless requests) do not. */
  severity: 'error' | 'warning';
  /** Which rule found it (`links`, `reserved-namespaces`, ...): named in the operator's conditions and Events. */
  rule: string;
  /** The object at fault. */
  object: PlatformObject;
  /** Field path from the object's root, e.g. `['spec', 'placement', 'dataCentres', 1]`. */
  path: (string | number)[];
  message: string;
  /** Another object the problem is about (the first of two with one name, for example). */
  related?: PlatformObject;
}

export interface ObjectRef {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export interface RuleOptions {
  /** Objects that exist but are not in the platform (invalid on their own): references to them resolve. */
  alsoPresent?: readonly ObjectRef[];
  /** More namespaces of the platform no agency may have (the operator's own, when it runs under another name). */
  platformNamespaces?: readonly string[];
}

const RESOURCES = ['cpu', 'memory', 'storage'] as const;

/** Plain code-unit order: the same on every machine (localeCompare follows the locale, and loads ICU's collation data). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function refKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function objectRef(o: PlatformObject): ObjectRef {
  return { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
}

export function describeObject(o: PlatformObject | ObjectRef): string {
  const ref = 'metadata' in o ? objectRef(o) : o;
  return `${ref.kind}/${ref.name}`;
}

/** The normalised code of an agency, or its code as written when it cannot be normalised. */
export function agencyCode(agency: Agency): string {
  const r = normaliseAgencyCode(agency.spec.code);
  return r.ok ? r.code : agency.spec.code;
}

/** The NetworkLink the peer must declare for `link` to open: its key fields. */
export function reverseLinkKey(actingAgency: string, link: NetworkLink): string | undefined {
  const peer = link.spec.peer.agency;
  if (!peer) return undefined;
  return [peer.name, peer.workspace, actingAgency, link.spec.workspace].join('|');
}

function ownLinkKey(actingAgency: string, link: NetworkLink): string | undefined {
  const peer = link.spec.peer.agency;
  if (!peer) return undefined;
  return [actingAgency, link.spec.workspace, peer.name, peer.workspace].join('|');
}

/** The links that answer `link` from the other side (right direction or not). */
export function findReverseLinks(platform: Platform, link: NetworkLink): NetworkLink[] {
  const acting = agencyNameOfHubNamespace(link.metadata.namespace);
  if (!acting) return [];
  const key = reverseLinkKey(acting, link);
  return platform.links.filter((l) => {
    const a = agencyNameOfHubNamespace(l.metadata.namespace);
    return a !== undefined && key !== undefined && ownLinkKey(a, l) === key;
  });
}

class Index {
  readonly dataCentres = new Map<string, DataCentre>();
  readonly agencies = new Map<string, Agency>();
  readonly services = new Map<string, SharedDataService>();
  readonly present = new Set<string>();
  /** Links by `agency|workspace|peerAgency|peerWorkspace`. */
  readonly links = new Map<string, NetworkLink[]>();
  /** Requests by `consumer|provider|service`. */
  readonly requests = new Map<string, AccessRequest[]>();

  constructor(platform: Platform, options: RuleOptions) {
    for (const o of options.alsoPresent ?? []) this.present.add(refKey(o.kind, o.namespace, o.name));
    for (const d of platform.dataCentres) if (!this.dataCentres.has(d.metadata.name)) this.dataCentres.set(d.metadata.name, d);
    for (const a of platform.agencies) if (!this.agencies.has(a.metadata.name)) this.agencies.set(a.metadata.name, a);
    for (const s of platform.services) {
      const key = `${s.metadata.namespace}/${s.metadata.name}`;
      if (!this.services.has(key)) this.services.set(key, s);
    }
    for (const l of platform.links) {
      const acting = agencyNameOfHubNamespace(l.metadata.namespace);
      const key = acting === undefined ? undefined : ownLinkKey(acting, l);
      if (key !== undefined) push(this.links, key, l);
    }
    for (const r of platform.requests) {
      const consumer = agencyNameOfHubNamespace(r.metadata.namespace);
      if (consumer !== undefined) push(this.requests, `${consumer}|${r.spec.provider}|${r.spec.service}`, r);
    }
  }

  /** The object is known, valid or not. */
  exists(kind: string, namespace: string | undefined, name: string): boolean {
    if (this.present.has(refKey(kind, namespace, name))) return true;
    if (kind === 'DataCentre') return this.dataCentres.has(name);
    if (kind === 'Agency') return this.agencies.has(name);
    if (kind === 'SharedDataService') return this.services.has(`${namespace}/${name}`);
    return false;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

export function checkPlatform(platform: Platform, options: RuleOptions = {}): RuleProblem[] {
  const out: RuleProblem[] = [];
  const index = new Index(platform, options);
  const report =
    (severity: RuleProblem['severity'], rule: string): Report =>
    (object, path, message, related) =>
      out.push(related ? { severity, rule, object, path, message, related } : { severity, rule, object, path, message });
  const errors = (rule: string) => report('error', rule);
  const both = (rule: string): [Report, Report] => [report('error', rule), report('warning', rule)];

  checkDuplicates(platform, errors('unique-names'));
  const plan = addressPlan(platform.dataCentres);
  checkDataCentres(platform, index, ...both('data-centres'));
  checkDeclaredNetworks(platform, errors('declared-networks'));
  checkAgencies(platform, index, errors('agencies'));
  checkPlatformNamespaces(platform, options.platformNamespaces ?? [], errors('platform-namespaces'));
  checkInternetEgress(platform, plan, errors('internet-egress'));
  checkCapacity(platform, index, errors('capacity'));
  checkLinks(platform, index, plan, ...both('links'));
  checkSelfLinks(platform, errors('self-links'));
  checkServices(platform, index, errors('services'));
  checkRequests(platform, index, ...both('access-requests'));
  checkGrants(platform, index, ...both('access-grants'));
  return out;
}

type Report = (object: PlatformObject, path: (string | number)[], message: string, related?: PlatformObject) => void;

function checkDuplicates(platform: Platform, error: Report): void {
  const all: PlatformObject[] = [...platform.dataCentres, ...platform.agencies, ...platform.links, ...platform.services, ...platform.requests, ...platform.grants];
  const first = new Map<string, PlatformObject>();
  for (const o of all) {
    const key = refKey(o.kind, o.metadata.namespace, o.metadata.name);
    const earlier = first.get(key);
    if (earlier) {
      const where = o.metadata.namespace ? ` in ${o.metadata.namespace}` : '';
      error(o, ['metadata', 'name'], `another ${o.kind}${where} has this name: each object is defined once`, earlier);
    } else first.set(key, o);
  }
}

function checkDataCentres(platform: Platform, index: Index, error: Report, warning: Report): void {
  const dcs = platform.dataCentres;
  const hubs = dcs.filter((d) => d.spec.connection.thisCluster === true);
  if (dcs.length > 0 && hubs.length === 0) {
    error(dcs[0]!, ['spec', 'connection'], 'no DataCentre is the hub: exactly one needs connection.thisCluster: true (the cluster the operator runs in)');
  }
  for (const extra of hubs.slice(1)) {
    error(extra, ['spec', 'connection', 'thisCluster'], `${describeObject(hubs[0]!)} is the hub already: exactly one DataCentre has connection.thisCluster: true`, hubs[0]);
  }
  const ranges: { cidr: Cidr; tag: { dc: DataCentre; i: number } }[] = [];
  for (const dc of dcs) {
    const dedicated = dc.spec.dedicatedTo;
    if (dedicated !== undefined && !index.exists('Agency', undefined, dedicated)) {
      warning(dc, ['spec', 'dedicatedTo'], `dedicated to Agency/${dedicated}, which is not defined (yet)`);
    }
    dc.spec.networkRanges.forEach((text, i) => {
      const parsed = parseStrictCidr(text);
      if (!parsed.ok) error(dc, ['spec', 'networkRanges', i], parsed.message);
      else ranges.push({ cidr: parsed.cidr, tag: { dc, i } });
    });
  }
  for (const { range, with: other } of findOverlaps(ranges)) {
    if (range.tag.dc === other.tag.dc) {
      error(range.tag.dc, ['spec', 'networkRanges', range.tag.i], `overlaps ${other.cidr.text} of the same data centre`);
    } else {
      error(range.tag.dc, ['spec', 'networkRanges', range.tag.i], `overlaps ${other.cidr.text} of ${describeObject(other.tag.dc)}: peers are addressed by these ranges, so they must not overlap`, other.tag.dc);
    }
  }
}

/**
 * An agency's WAN is its own: it overlaps no data centre's range and no other agency's WAN,
 * or the rule of addresses (model/addresses.ts) would hand one agency what is another's.
 */
function checkDeclaredNetworks(platform: Platform, error: Report): void {
  type Tag = { dc: DataCentre; path: (string | number)[]; agency?: string };
  const ranges: { cidr: Cidr; tag: Tag }[] = [];
  for (const dc of platform.dataCentres) {
    dc.spec.networkRanges.forEach((text, i) => {
      const parsed = parseStrictCidr(text);
      if (parsed.ok) ranges.push({ cidr: parsed.cidr, tag: { dc, path: ['spec', 'networkRanges', i] } });
    });
    dc.spec.externalNetworks?.agencyWANs?.forEach((wan, w) =>
      wan.cidrs.forEach((text, i) => {
        const parsed = parseStrictCidr(text);
        if (parsed.ok) ranges.push({ cidr: parsed.cidr, tag: { dc, path: ['spec', 'externalNetworks', 'agencyWANs', w, 'cidrs', i], agency: wan.agency } });
      }),
    );
  }
  for (const { range, with: other } of findOverlaps(ranges)) {
    const [wan, them] = range.tag.agency !== undefined ? [range, other] : [other, range];
    if (wan.tag.agency === undefined || wan.tag.agency === them.tag.agency) continue;
    const whose = them.tag.agency === undefined ? `networkRanges of ${describeObject(them.tag.dc)}` : `the WAN of Agency/${them.tag.agency} (${describeObject(them.tag.dc)})`;
    error(wan.tag.dc, wan.tag.path, `the WAN of Agency/${wan.tag.agency} overlaps ${them.cidr.text}, ${whose}: an agency's WAN is its own`, them.tag.dc === wan.tag.dc ? undefined : them.tag.dc);
  }
}

/** Internet egress reaches the internet only: never a data centre, a declared network or a private range (model/addresses.ts). */
function checkInternetEgress(platform: Platform, plan: AddressPlan, error: Report): void {
  for (const agency of platform.agencies) {
    agency.spec.workspaces.forEach((w, i) => {
      for (const { index, message } of judgeRanges(plan, agency.metadata.name, 'internet', w.internetEgress ?? []).refused) {
        error(agency, ['spec', 'workspaces', i, 'internetEgress', index], message);
      }
    });
  }
}

/**
 * No namespace of an agency is one of the platform's own (api/tenancy.ts): its hub namespace
 * would hand the operator's namespace, with the members' kubeconfigs, to the agency's admins;
 * a workspace namespace would put the agency's bindings and policies into kube-system. A
 * workspace namespace never has the hub namespaces' shape, or its owner would act for
 * another agency on the hub.
 */
function checkPlatformNamespaces(platform: Platform, extra: readonly string[], error: Report): void {
  for (const agency of platform.agencies) {
    const name = agency.metadata.name;
    const hub = platformNamespaceClash(hubNamespaceOf(name), extra);
    if (hub) error(agency, ['metadata', 'name'], `the agency's hub namespace would be ${hubNamespaceOf(name)}, and ${hub}: choose another name`);
    agency.spec.workspaces.forEach((w, i) => {
      const ns = workspaceNamespace(name, w.name);
      const clash = platformNamespaceClash(ns, extra) ?? (ns.startsWith(HUB_NAMESPACE_PREFIX) ? `${HUB_NAMESPACE_PREFIX}* namespaces are the agencies' hub namespaces` : undefined);
      if (clash) error(agency, ['spec', 'workspaces', i, 'name'], `workspace "${w.name}" would be namespace ${ns}, and ${clash}: rename the workspace or the agency`);
    });
  }
}

function checkAgencies(platform: Platform, index: Index, error: Report): void {
  const codes = new Map<string, Agency>();
  const namespaces = new Map<string, { agency: Agency; workspace: string }>();
  for (const agency of platform.agencies) {
    const name = agency.metadata.name;
    const code = normaliseAgencyCode(agency.spec.code);
    if (!code.ok) {
      error(agency, ['spec', 'code'], code.message);
    } else {
      const earlier = codes.get(code.code);
      if (earlier && earlier.metadata.name !== name) {
        const written = agency.spec.code === code.code && earlier.spec.code === code.code ? '' : ` (${JSON.stringify(agency.spec.code)} and ${JSON.stringify(earlier.spec.code)} are the same code)`;
        error(agency, ['spec', 'code'], `code ${code.code} is already ${describeObject(earlier)}'s${written}: one agency, one code`, earlier);
      } else if (!earlier) codes.set(code.code, agency);
    }

    agency.spec.workspaces.forEach((w, i) => {
      const ns = workspaceNamespace(name, w.name);
      const earlier = namespaces.get(ns);
      if (earlier && earlier.agency.metadata.name !== name) {
        error(agency, ['spec', 'workspaces', i, 'name'], `namespace ${ns} would also be the namespace of workspace "${earlier.workspace}" of ${describeObject(earlier.agency)}: rename one of them`, earlier.agency);
      } else if (!earlier) namespaces.set(ns, { agency, workspace: w.name });
    });

    const parent = agency.spec.parent;
    if (parent !== undefined) {
      if (parent === name) error(agency, ['spec', 'parent'], 'an agency cannot be its own parent');
      else if (!index.exists('Agency', undefined, parent)) error(agency, ['spec', 'parent'], `no Agency named "${parent}"`);
      else {
        const chain = [name];
        let at: Agency | undefined = index.agencies.get(parent);
        while (at && !chain.includes(at.metadata.name) && chain.length <= platform.agencies.length) {
          chain.push(at.metadata.name);
          at = at.spec.parent !== undefined ? index.agencies.get(at.spec.parent) : undefined;
        }
        if (at && at.metadata.name === name) error(agency, ['spec', 'parent'], `parents go round in a circle: ${[...chain, name].join(' → ')}`);
      }
    }

    agency.spec.placement.dataCentres.forEach((dcName, i) => {
      const path = ['spec', 'placement', 'dataCentres', i];
      const dc = index.dataCentres.get(dcName);
      if (!dc) {
        if (!index.exists('DataCentre', undefined, dcName)) error(agency, path, `no DataCentre named "${dcName}"`);
        return;
      }
      const refusal = placementRefusal(agency, dc);
      if (refusal) error(agency, path, placementRefusalText(refusal, dc, name), dc);
    });
  }
}

function placementRefusalText(refusal: PlacementRefusal, dc: DataCentre, agency: string): string {
  switch (refusal.reason) {
    case 'DedicatedToAnotherAgency':
      return `${describeObject(dc)} is dedicated to Agency/${refusal.dedicatedTo} and hosts no other agency`;
    case 'DedicatedDataCentreRequired':
      return `security level ${refusal.level} needs a data centre dedicated to this agency, and ${describeObject(dc)} is not (set its dedicatedTo: ${agency})`;
    case 'NotAccredited':
      return `${describeObject(dc)} is accredited up to security level ${refusal.accreditedLevel}, below this agency's level ${refusal.level}`;
  }
}

/** A quota resource in exact units: millicores for CPU, bytes for memory and storage. */
function exact(resource: (typeof RESOURCES)[number], value: string | number): bigint | undefined {
  return resource === 'cpu' ? parseMilli(value) : parseBytes(value);
}

function formatExact(resource: (typeof RESOURCES)[number], value: bigint): string {
  return resource === 'cpu' ? formatMilli(value) : formatBytes(value);
}

function checkCapacity(platform: Platform, index: Index, error: Report): void {
  const usage = new Map<string, Map<string, { agency: Agency; amount: bigint }[]>>();
  for (const agency of platform.agencies) {
    for (const quota of agency.spec.quotas) {
      if (!index.dataCentres.has(quota.dataCentre)) continue;
      let perResource = usage.get(quota.dataCentre);
      if (!perResource) usage.set(quota.dataCentre, (perResource = new Map()));
      for (const resource of RESOURCES) {
        const amount = exact(resource, quota[resource]);
        if (amount !== undefined) push(perResource, resource, { agency, amount });
      }
    }
  }
  for (const dc of platform.dataCentres) {
    if (index.dataCentres.get(dc.metadata.name) !== dc) continue;
    const perResource = usage.get(dc.metadata.name);
    if (!perResource) continue;
    for (const resource of RESOURCES) {
      const capacity = exact(resource, dc.spec.capacity[resource]);
      const entries = perResource.get(resource) ?? [];
      if (capacity === undefined || entries.length === 0) continue;
      const total = entries.reduce((sum, e) => sum + e.amount, 0n);
      if (total <= capacity) continue;
      const largest = [...entries]
        .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : byCodeUnits(a.agency.metadata.name, b.agency.metadata.name)))
        .slice(0, 3)
        .map((e) => `${e.agency.metadata.name} ${formatExact(resource, e.amount)}`);
      error(
        dc,
        ['spec', 'capacity', resource],
        `the ${resource} quotas of ${plural(entries.length, 'agency', 'agencies')} placed here add up to ${formatExact(resource, total)}, more than the ${formatExact(resource, capacity)} offered (largest: ${largest.join(', ')})`,
      );
    }
  }
}

/** The acting agency of a namespaced object, reporting when its hub namespace belongs to no Agency. */
function acting(object: PlatformObject, index: Index, error: Report): Agency | undefined | null {
  const name = agencyNameOfHubNamespace(object.metadata.namespace);
  if (name === undefined) return null;
  const agency = index.agencies.get(name);
  if (agency) return agency;
  if (!index.exists('Agency', undefined, name)) {
    error(object, ['metadata', 'namespace'], `namespace ${object.metadata.namespace} belongs to no agency: there is no Agency named "${name}"`);
  }
  return undefined;
}

function hasWorkspace(agency: Agency, workspace: string): boolean {
  return agency.spec.workspaces.some((w) => w.name === workspace);
}

function workspaceNames(agency: Agency): string {
  return list(agency.spec.workspaces.map((w) => w.name));
}

function checkLinks(platform: Platform, index: Index, plan: AddressPlan, error: Report, warning: Report): void {
  for (const link of platform.links) {
    const agency = acting(link, index, error);
    if (!agency) continue;
    const own = agency.metadata.name;
    if (!hasWorkspace(agency, link.spec.workspace)) {
      error(link, ['spec', 'workspace'], `${describeObject(agency)} has no workspace "${link.spec.workspace}" (it has ${workspaceNames(agency)})`);
    }
    const peerRef = link.spec.peer.agency;
    let peer: Agency | undefined;
    let peerKnown = true;
    if (peerRef) {
      // checkSelfLinks refuses it.
      if (peerRef.name === own) continue;
      peer = index.agencies.get(peerRef.name);
      if (!peer) {
        peerKnown = index.exists('Agency', undefined, peerRef.name);
        if (!peerKnown) error(link, ['spec', 'peer', 'agency', 'name'], `no Agency named "${peerRef.name}"`);
      } else if (!hasWorkspace(peer, peerRef.workspace)) {
        error(link, ['spec', 'peer', 'agency', 'workspace'], `${describeObject(peer)} has no workspace "${peerRef.workspace}" (it has ${workspaceNames(peer)})`);
      } else {
        const answers = findReverseLinksIndexed(index, own, link);
        const opposite = link.spec.direction === 'Egress' ? 'Ingress' : 'Egress';
        const matching = answers.filter((l) => l.spec.direction === opposite);
        if (matching.length > 0 && intersectPorts(link.spec.ports, matching.flatMap((l) => l.spec.ports)).length === 0) {
          warning(link, ['spec', 'ports'], `no port in common with the matching link ${describeObject(matching[0]!)} of ${describeObject(peer)}: the link stays closed`, matching[0]);
        }
        const ours = [...new Set(agency.spec.placement.dataCentres)].sort();
        const theirs = [...new Set(peer.spec.placement.dataCentres)].sort();
        if (matching.length > 0 && apartInDataCentres(ours, theirs)) {
          error(
            link,
            ['spec', 'peer', 'agency'],
            `${describeObject(agency)} is placed only in ${ours.join(', ')} and ${describeObject(peer)} only in ${theirs.join(', ')}: the link and ${describeObject(matching[0]!)} can open nothing. ` +
              `Place both in one data centre; cross-data-centre links need ${NO_CROSS_DATA_CENTRE_IDENTITY}`,
            matching[0],
          );
        }
        if (matching.length === 0) {
          const hint = answers.length > 0 ? `; ${describeObject(answers[0]!)} answers it but with direction ${link.spec.direction}, not ${opposite}` : '';
          warning(
            link,
            ['spec', 'peer', 'agency'],
            `pending consent: ${describeObject(peer)} has not declared the matching link (a NetworkLink in ${hubNamespaceOf(peer.metadata.name)} for workspace "${peerRef.workspace}", direction ${opposite}, peer ${own}/${link.spec.workspace})${hint}; the link stays closed until it does`,
            answers[0],
          );
        }
      }
    }

    const external = link.spec.peer.external;
    if (external) {
      for (const { index: i, message } of judgeRanges(plan, own, external.network as ExternalNetwork, external.cidrs).refused) {
        error(link, ['spec', 'peer', 'external', 'cidrs', i], message);
      }
    }

    // Encryption: required from level 3 on either side; impossible where a data centre involved cannot offer it.
    const sides = [agency, ...(peer ? [peer] : [])];
    const strictest = sides.reduce((a, b) => (b.spec.securityLevel > a.spec.securityLevel ? b : a));
    const required = levelPolicy(strictest.spec.securityLevel).encryptedLinks;
    // A link to another agency is rendered only where both are; to a network, wherever this agency is.
    const involved = peer
      ? [...new Set(agency.spec.placement.dataCentres.filter((d) => peer.spec.placement.dataCentres.includes(d)))].sort()
      : [...new Set(sides.flatMap((s) => s.spec.placement.dataCentres))].sort();
    const lacking = involved.map((d) => index.dataCentres.get(d)).filter((d): d is DataCentre => d !== undefined && d.spec.encryptedLinks !== true);
    const lackingText = lacking.map((d) => describeObject(d)).join(', ');
    if (required && link.spec.encrypted !== true) {
      const who = strictest === agency ? 'this agency' : describeObject(strictest);
      const cannot = lacking.length > 0 ? `, and it cannot be: ${lackingText} cannot offer encrypted links` : '';
      error(link, ['spec', 'encrypted'], `links at security level ${ENCRYPTED_LINKS_FROM_LEVEL} and above must be encrypted (${who} is at level ${strictest.spec.securityLevel}): set encrypted: true${cannot}`);
    } else if (link.spec.encrypted === true && lacking.length > 0 && peerKnown) {
      error(link, ['spec', 'encrypted'], `cannot be encrypted: ${lackingText} ${lacking.length === 1 ? 'is' : 'are'} involved and cannot offer encrypted links (encryptedLinks is not set)`, lacking[0]);
    }
  }
}

/**
 * A link joins a workspace to another agency's workspace. Between two workspaces of one
 * agency both sides would be declared by that agency alone, so the consent of two parties a
 * link stands for would mean nothing; and its workspaces are kept apart on purpose (each has
 * its data class and its own egress): a workspace for private data joined to one with
 * internet egress is a path nobody else reviewed.
 */
function checkSelfLinks(platform: Platform, error: Report): void {
  for (const link of platform.links) {
    const own = agencyNameOfHubNamespace(link.metadata.namespace);
    const peer = link.spec.peer.agency;
    if (own === undefined || peer?.name !== own) continue;
    const message =
      peer.workspace === link.spec.workspace
        ? `a link cannot connect workspace "${link.spec.workspace}" to itself`
        : `a link cannot connect workspace "${link.spec.workspace}" to workspace "${peer.workspace}" of the same agency: peer.agency names another agency's workspace (this link is in ${link.metadata.namespace}, the hub namespace of ${own}); an agency's own workspaces stay apart`;
    error(link, ['spec', 'peer', 'agency'], message);
  }
}

/** Where a service runs: its placement, within its owner's. */
function runsIn(service: SharedDataService, owner: Agency): string[] {
  return [...new Set(service.spec.placement.dataCentres.filter((d) => owner.spec.placement.dataCentres.includes(d)))].sort();
}

/** The consumer shares no data centre with the service: what to do about it, or undefined when they do share one. */
function noCommonDataCentre(consumer: Agency, service: SharedDataService, owner: Agency, what: string): string | undefined {
  const runs = runsIn(service, owner);
  const placed = [...new Set(consumer.spec.placement.dataCentres)].sort();
  if (!apartInDataCentres(placed, runs)) return undefined;
  const or = placed.length === 1 ? placed[0] : `${placed.slice(0, -1).join(', ')} or ${placed[placed.length - 1]}`;
  return (
    `${describeObject(consumer)} is placed only in ${placed.join(', ')}, where ${describeObject(service)} does not run (it runs in ${runs.join(', ')}): ` +
    `place the service in ${or} or the consumer's workspace in one of ${runs.join(', ')}; cross-data-centre access to ${what} needs ${NO_CROSS_DATA_CENTRE_IDENTITY}`
  );
}

function findReverseLinksIndexed(index: Index, own: string, link: NetworkLink): NetworkLink[] {
  const key = reverseLinkKey(own, link);
  return key === undefined ? [] : (index.links.get(key) ?? []);
}

function checkServices(platform: Platform, index: Index, error: Report): void {
  const identifiers = new Map<string, SharedDataService>();
  for (const service of platform.services) {
    const owner = acting(service, index, error);
    if (!owner) continue;
    const workspace = owner.spec.workspaces.find((w) => w.name === service.spec.workspace);
    if (!workspace) {
      error(service, ['spec', 'workspace'], `${describeObject(owner)} has no workspace "${service.spec.workspace}" (it has ${workspaceNames(owner)})`);
    } else if (dataClassExceeds(service.spec.dataClass, workspace.dataClass)) {
      error(service, ['spec', 'dataClass'], `the service handles ${service.spec.dataClass} data, but workspace "${workspace.name}" is declared for ${workspace.dataClass} data at most`);
    }
    for (const resource of ['cpu', 'memory'] as const) {
      const value = service.spec.resources?.[resource];
      if (value !== undefined && exact(resource, value) === 0n) error(service, ['spec', 'resources', resource], 'must be more than 0');
    }
    service.spec.placement.dataCentres.forEach((dc, i) => {
      if (!owner.spec.placement.dataCentres.includes(dc)) {
        error(service, ['spec', 'placement', 'dataCentres', i], `${describeObject(owner)} is not placed in DataCentre/${dc} (it is in ${list(owner.spec.placement.dataCentres)}): a service runs only where its owner is placed`);
      }
    });
    const id = serviceIdentifier(agencyCode(owner), service.spec.subsystem, service.spec.serviceCode, service.spec.version);
    const earlier = identifiers.get(id);
    if (earlier) error(service, ['spec', 'serviceCode'], `identifier ${id} is already ${describeObject(earlier)}'s`, earlier);
    else identifiers.set(id, service);
  }
}

function checkRequests(platform: Platform, index: Index, error: Report, warning: Report): void {
  for (const request of platform.requests) {
    const consumer = acting(request, index, error);
    if (!consumer) continue;
    request.spec.workspaces.forEach((w, i) => {
      if (!hasWorkspace(consumer, w)) error(request, ['spec', 'workspaces', i], `${describeObject(consumer)} has no workspace "${w}" (it has ${workspaceNames(consumer)})`);
    });
    const provider = request.spec.provider;
    if (provider === consumer.metadata.name) {
      error(request, ['spec', 'provider'], 'an agency does not request access to its own service: its own workspaces use it when it is shared by default or openly, and links join only two agencies');
      continue;
    }
    if (!index.exists('Agency', undefined, provider)) {
      error(request, ['spec', 'provider'], `no Agency named "${provider}"`);
      continue;
    }
    const ns = hubNamespaceOf(provider);
    const service = index.services.get(`${ns}/${request.spec.service}`);
    if (!service) {
      if (index.agencies.has(provider) && !index.exists('SharedDataService', ns, request.spec.service)) {
        error(request, ['spec', 'service'], `Agency/${provider} publishes no SharedDataService named "${request.spec.service}" (none in ${ns})`);
      }
    } else if (service.spec.sharing !== 'onRequest') {
      const how = service.spec.sharing === 'open' ? 'openly' : 'by default';
      const owner = index.agencies.get(provider);
      if (!levelPolicy(consumer.spec.securityLevel).declaredUse) {
        warning(request, ['spec', 'service'], `not needed: ${describeObject(service)} is shared ${how}, so every agency at security level 1 or 2 may use it already`, service);
      } else if (owner) {
        // Needed from level 3 (no grant is: the owner shares it with everyone), and only where both are.
        const apart = noCommonDataCentre(consumer, service, owner, `services shared ${how}, for consumers at security level ${DECLARED_USE_FROM_LEVEL} and above,`);
        if (apart) error(request, ['spec', 'service'], `the request can open nothing: ${apart}`, service);
      }
    }
  }
}

function checkGrants(platform: Platform, index: Index, error: Report, warning: Report): void {
  for (const grant of platform.grants) {
    const provider = acting(grant, index, error);
    if (!provider) continue;
    const ns = grant.metadata.namespace!;
    const service = index.services.get(`${ns}/${grant.spec.service}`);
    if (!service && !index.exists('SharedDataService', ns, grant.spec.service)) {
      error(grant, ['spec', 'service'], `no SharedDataService named "${grant.spec.service}" in ${ns}: an agency grants access only to its own services`);
    } else if (service && service.spec.sharing !== 'onRequest') {
      warning(grant, ['spec', 'service'], `not needed: ${describeObject(service)} is shared ${service.spec.sharing === 'open' ? 'openly' : 'by default'}, so every agency may use it already`, service);
    }
    const consumerName = grant.spec.consumer;
    if (consumerName === provider.metadata.name) {
      error(grant, ['spec', 'consumer'], 'an agency does not grant access to itself');
      continue;
    }
    const consumer = index.agencies.get(consumerName);
    if (!consumer) {
      if (!index.exists('Agency', undefined, consumerName)) error(grant, ['spec', 'consumer'], `no Agency named "${consumerName}"`);
      continue;
    }
    const workspaces = grant.spec.workspaces ?? [];
    workspaces.forEach((w, i) => {
      if (!hasWorkspace(consumer, w)) error(grant, ['spec', 'workspaces', i], `${describeObject(consumer)} has no workspace "${w}" (it has ${workspaceNames(consumer)})`);
    });
    const requests = index.requests.get(`${consumerName}|${provider.metadata.name}|${grant.spec.service}`) ?? [];
    if (requests.length === 0) {
      if (service) {
        warning(
          grant,
          ['spec', 'consumer'],
          `pending consent: ${describeObject(consumer)} has not requested this service (no AccessRequest in ${hubNamespaceOf(consumerName)} with provider ${provider.metadata.name} and service ${grant.spec.service}); the grant opens nothing until it does`,
        );
      }
      continue;
    }
    if (service && service.spec.sharing === 'onRequest') {
      const apart = noCommonDataCentre(consumer, service, provider, 'on-request services');
      if (apart) error(grant, ['spec', 'consumer'], `the grant and ${describeObject(requests[0]!)} can open nothing: ${apart}`, requests[0]);
    }
    const requested = new Set(requests.flatMap((r) => r.spec.workspaces));
    workspaces.forEach((w, i) => {
      if (hasWorkspace(consumer, w) && !requested.has(w)) {
        error(grant, ['spec', 'workspaces', i], `workspace "${w}" was not requested: ${describeObject(requests[0]!)} of ${describeObject(consumer)} asks for ${list([...requested].sort())}`, requests[0]);
      }
    });
  }
}
