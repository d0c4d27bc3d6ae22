/**
 * A NetworkLink, rendered: one NetworkPolicy `govcloud-link-<link name>` in the acting
 * agency's workspace namespace, in each data centre where that workspace exists, opening
 * the link's direction to the peer's endpoints on the link's ports. The other end is the
 * peer's own link in the other direction, rendered by that link.
 *
 * The acting agency is the owner of the hub namespace holding the link. A link to another
 * agency's workspace is active only while the peer declares the matching link (opposite
 * direction, its workspace, this agency and workspace as peer) in its own hub namespace,
 * both inside their validity windows [validFrom, validUntil); the ports opened are those
 * both sides name. A link to an external network needs only its own window.
 *
 * Peer endpoints seen from data centre D: the peer's workspace namespace where the peer is
 * placed in D (namespaceSelector on kubernetes.io/metadata.name); for an external peer, its
 * cidrs, judged by the rule of addresses (model/addresses.ts): each on a network a DataCentre
 * declares, the data centres' ranges and other agencies' WANs inside it as `except`; one
 * range the rule refuses refuses the link (`ReservedAddresses`). A link between two agencies' workspaces is rendered only in the data centres where
 * both exist: across data centres a peer is seen by address only (its data centre's
 * networkRanges), and admitting a range would admit every pod there whose egress reaches
 * it, linked or not. Where the two share no data centre, the exchange gateways carry the pair
 * or nothing does (model/policy.ts `linkExchangeRefusals`: a gateway and encrypted links on
 * each side, the Ingress link naming the Service to forward to, single TCP ports): then the
 * link renders no policy of its own, it is active with `viaGateway`, and render/gateway.ts
 * renders the route from the Ingress side's render (the listener, the certificates, the
 * policies). Otherwise it is inactive, with what its own spec lacks as issues
 * (`GatewayUnavailable`, `CrossDataCentreAccessUnsupported`) or, where only the peer's lacks
 * something, `PeerNotCarried`.
 *
 * Encryption: where either agency is level 3 or above, the link must say `encrypted: true`
 * (else nothing is rendered). An encrypted link (either side asking is enough) is rendered
 * only in data centres offering encrypted links; its policies carry `govcloud.dev/encryption: required` for the data path to
 * enforce.
 */
import { ANNOTATIONS, hubNamespaceOf, workspaceNamespace, type Agency, type ExternalNetwork, type NetworkLink } from '../api/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import { apartInDataCentres, exchangeLacks, levelPolicy, linkExchangeRefusals, type LinkExchangeProblem } from '../model/policy.ts';
import { compareStrings, ownerOf, PerDataCentre } from './meta.ts';
import { boundedName } from './names.ts';
import { findAgency, findDataCentre, hasWorkspace, placementOf, placedNames, type Placement } from './placement.ts';
import { addressPeers, directionalPolicy, namespacesPeer, type Peer } from './policies.ts';
import { addressPlan, judgeRanges } from '../model/addresses.ts';
import { fieldPath } from '../load/problem.ts';
import { intersectPorts, normalisePorts, type PortRange } from '../model/ports.ts';
import type { OwnerRef, Rendered, RenderIssue } from './types.ts';
import { closedBecause, earliest, futureBoundaries, isOpen, parseWindow, type Window } from '../model/window.ts';

export const LINK_POLICY_PREFIX = 'govcloud-link-';

export interface LinkRender {
  perDataCentre: Rendered[];
  issues: RenderIssue[];
  /** Open now: both sides agree, both windows are open, ports in common, no rule broken. */
  active: boolean;
  /** Why the link is not active (for the Ready condition); absent when active. */
  inactive?: { reason: string; message: string };
  /** Ports opened (when active). */
  ports: PortRange[];
  encrypted: boolean;
  /** The next validFrom or validUntil after now, of this link or a matching peer link. */
  nextChange?: Date;
  /** Active across data centres, carried by the exchange gateways (no policy of the link's own). */
  viaGateway?: LinkViaGateway;
}

/**
 * A link pair the exchange gateways carry: the connecting (Egress) workspace reaches the
 * Service the listening (Ingress) link names through its own data centres' gateways and the
 * gateway of the listening side's first data centre with one.
 */
export interface LinkViaGateway {
  egress: { agency: string; workspace: string; dataCentres: string[]; link: string };
  ingress: { agency: string; workspace: string; dataCentre: string; link: string; service: string };
  /** The ports both sides name (single TCP ports). */
  ports: number[];
  /** When the pair closes (ms since the epoch); absent when it does not. */
  until?: number;
}

export function linkPolicyName(link: NetworkLink): string {
  return boundedName(LINK_POLICY_PREFIX, link.metadata.name, { dots: true });
}

/** Links in the peer's hub namespace that answer this one (whatever their windows). */
export function counterparts(platform: Platform, acting: Agency, link: NetworkLink): NetworkLink[] {
  const peer = link.spec.peer.agency;
  if (!peer) return [];
  const namespace = hubNamespaceOf(peer.name);
  const opposite = link.spec.direction === 'Egress' ? 'Ingress' : 'Egress';
  return platform.links
    .filter(
      (l) =>
        l !== link &&
        l.metadata.namespace === namespace &&
        l.spec.direction === opposite &&
        l.spec.workspace === peer.workspace &&
        l.spec.peer.agency?.name === acting.metadata.name &&
        l.spec.peer.agency.workspace === link.spec.workspace,
    )
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
}

/** What a link's render works from, once its spec is judged renderable. */
interface Subject {
  link: NetworkLink;
  owner: OwnerRef;
  acting: Agency;
  actingPlacement: Placement;
  code: string;
  ownWindow: Window;
  peerAgency: Agency | undefined;
  /** The rule of addresses' verdict on an external peer's cidrs. */
  addresses: ReturnType<typeof judgeRanges> | undefined;
  /** The strictest level of the two sides asks for encrypted links. */
  mustEncrypt: boolean;
  level: number;
  /** Where each side is placed, when the two share no data centre (the exchange gateways carry the pair, or nothing does). */
  apart?: { own: string[]; peer: string[] };
}

/** Open now, with what: the ports both sides name, encryption, and when the policy's window ends. */
interface Agreement {
  ports: PortRange[];
  encrypted: boolean;
  until: number | undefined;
}

export function renderLink(platform: Platform, link: NetworkLink, now: Date): LinkRender {
  const issues: RenderIssue[] = [];
  const subject = judgeLink(platform, link, issues);
  if ('perDataCentre' in subject) return subject;

  const candidates = counterparts(platform, subject.acting, link);
  // A peer link that its own renderer refuses (no encryption where required, or apart, what the gateways need) does not count.
  const encryptedPeers = candidates.filter((c) => !subject.mustEncrypt || c.spec.encrypted === true);
  const usable = encryptedPeers.filter((c) => peerCrossing(platform, subject, c).length === 0);
  const windows: Window[] = [subject.ownWindow];
  const activePeers: { link: NetworkLink; window: Window }[] = [];
  for (const c of usable) {
    const w = parseWindow(c.spec);
    if (!w.ok) continue;
    windows.push(w.window);
    if (isOpen(w.window, now)) activePeers.push({ link: c, window: w.window });
  }
  const nextChange = earliest(windows.flatMap((w) => futureBoundaries(w, now)));
  const inactive = (reason: string, message: string): LinkRender => {
    const result: LinkRender = { perDataCentre: [], issues, active: false, inactive: { reason, message }, ports: [], encrypted: link.spec.encrypted === true };
    if (nextChange) result.nextChange = nextChange;
    return result;
  };
  // Both declared and apart: what this link's own spec lacks for the gateways comes first, as the rules say it.
  const ownCrossing = subject.apart && encryptedPeers.length > 0 ? crossingIssues(platform, subject, issues) : undefined;
  if (ownCrossing) return inactive(ownCrossing.reason, ownCrossing.message);
  const agreed = agreement(subject, now, candidates, encryptedPeers, usable, activePeers);
  if ('reason' in agreed) return inactive(agreed.reason, agreed.message);
  if (subject.apart) {
    const carried = viaGateway(platform, subject, agreed, activePeers);
    // Through the gateways' mutual TLS: encrypted, whatever either side asked.
    const result: LinkRender = { perDataCentre: [], issues, active: true, ports: agreed.ports, encrypted: true, viaGateway: carried };
    if (nextChange) result.nextChange = nextChange;
    return result;
  }
  const rendered = linkObjects(platform, subject, agreed, issues);
  if ('reason' in rendered) return inactive(rendered.reason, rendered.message);
  const result: LinkRender = { perDataCentre: rendered, issues, active: true, ports: agreed.ports, encrypted: agreed.encrypted };
  if (nextChange) result.nextChange = nextChange;
  return result;
}

const dataCentreOf = (platform: Platform) => (name: string) => findDataCentre(platform, name);

/** What a peer link lacks to cross data centres with this one (nothing where the two share a data centre). */
function peerCrossing(platform: Platform, subject: Subject, peerLink: NetworkLink): LinkExchangeProblem[] {
  return subject.apart ? linkExchangeRefusals(dataCentreOf(platform), peerLink.spec, subject.apart.peer, subject.apart.own) : [];
}

/** Apart: what this link lacks for the gateways, as issues; the first as the reason it is inactive, or undefined when it lacks nothing. */
function crossingIssues(platform: Platform, subject: Subject, issues: RenderIssue[]): { reason: string; message: string } | undefined {
  const { link, owner, acting } = subject;
  const peerRef = link.spec.peer.agency!;
  const { own, peer } = subject.apart!;
  const where = `workspace ${link.spec.workspace} of agency ${acting.metadata.name} is only in ${own.join(', ')} and workspace ${peerRef.workspace} of agency ${peerRef.name} only in ${peer.join(', ')}`;
  const problems = linkExchangeRefusals(dataCentreOf(platform), link.spec, own, peer);
  for (const p of problems) {
    issues.push({ owner, field: fieldPath(p.path), reason: p.reason, message: `${where}: ${p.message}` });
  }
  const first = problems[0];
  return first ? { reason: first.reason, message: `${where}: ${first.message}` } : undefined;
}

/** Apart, agreed with a peer whose link crosses too: the pair the gateways carry. */
function viaGateway(platform: Platform, subject: Subject, agreed: Agreement, activePeers: { link: NetworkLink; window: Window }[]): LinkViaGateway {
  const { link, acting } = subject;
  const peerRef = link.spec.peer.agency!;
  const { own, peer } = subject.apart!;
  const ready = (names: string[]) => names.filter((d) => exchangeLacks(findDataCentre(platform, d)).length === 0);
  const ref = (l: NetworkLink) => `${l.metadata.namespace ?? ''}/${l.metadata.name}`;
  const answer = ref(activePeers[0]!.link);
  const ours = { agency: acting.metadata.name, workspace: link.spec.workspace, link: ref(link) };
  const theirs = { agency: peerRef.name, workspace: peerRef.workspace, link: answer };
  const egress = link.spec.direction === 'Egress';
  const service = egress ? activePeers[0]!.link.spec.service : link.spec.service;
  const carried: LinkViaGateway = {
    egress: { ...(egress ? ours : theirs), dataCentres: ready(egress ? own : peer) },
    ingress: { ...(egress ? theirs : ours), dataCentre: ready(egress ? peer : own)[0]!, service: service! },
    ports: agreed.ports.map((p) => p.port),
  };
  if (agreed.until !== undefined) carried.until = agreed.until;
  return carried;
}

/** The link's spec against the agencies, the rule of addresses and the policy: a Subject, or the refused render. */
function judgeLink(platform: Platform, link: NetworkLink, issues: RenderIssue[]): Subject | LinkRender {
  const owner = ownerOf(link);
  const refused = (reason: string, message: string, field?: string): LinkRender => {
    const issue: RenderIssue = { owner, reason, message };
    if (field) issue.field = field;
    issues.push(issue);
    return { perDataCentre: [], issues, active: false, inactive: { reason, message }, ports: [], encrypted: false };
  };

  const acting = actingAgency(platform, link);
  if (!acting) {
    return refused('NotInHubNamespace', `namespace ${link.metadata.namespace ?? '(none)'} is not an agency's hub namespace`, 'metadata.namespace');
  }
  const actingPlacement = placementOf(platform, acting);
  if (actingPlacement.code === undefined) return refused('AgencyInvalid', `agency ${acting.metadata.name} has an invalid code; nothing of it is rendered`);
  if (!hasWorkspace(acting, link.spec.workspace)) {
    return refused('WorkspaceNotFound', `agency ${acting.metadata.name} has no workspace ${link.spec.workspace}`, 'spec.workspace');
  }
  const ownWindow = parseWindow(link.spec);
  if (!ownWindow.ok) return refused('InvalidWindow', ownWindow.message, ownWindow.field);

  const peerRef = link.spec.peer.agency;
  const external = link.spec.peer.external;
  let peerAgency: Agency | undefined;
  if (peerRef) {
    peerAgency = findAgency(platform, peerRef.name);
    if (!peerAgency) return refused('PeerAgencyNotFound', `agency ${peerRef.name} does not exist`, 'spec.peer.agency.name');
    if (!hasWorkspace(peerAgency, peerRef.workspace)) {
      return refused('PeerWorkspaceNotFound', `agency ${peerRef.name} has no workspace ${peerRef.workspace}`, 'spec.peer.agency.workspace');
    }
    if (peerRef.name === acting.metadata.name && peerRef.workspace === link.spec.workspace) {
      return refused('SelfLink', 'a link from a workspace to itself is not needed: pods of one workspace reach each other already', 'spec.peer.agency');
    }
  } else if (!external) {
    return refused('PeerMissing', 'set exactly one of peer.agency or peer.external', 'spec.peer');
  }
  // One rule for every egress to addresses (model/addresses.ts): one refused range refuses the link.
  const addresses = external
    ? judgeRanges(addressPlan(platform.dataCentres), acting.metadata.name, external.network as ExternalNetwork, external.cidrs)
    : undefined;
  const reserved = addresses?.refused[0];
  if (reserved) return refused('ReservedAddresses', reserved.message, `spec.peer.external.cidrs[${reserved.index}]`);

  const level = Math.max(acting.spec.securityLevel, peerAgency?.spec.securityLevel ?? 0);
  const mustEncrypt = levelPolicy(level).encryptedLinks;
  if (mustEncrypt && link.spec.encrypted !== true) {
    return refused('EncryptionRequired', `security level ${level} requires encrypted links: set encrypted: true`, 'spec.encrypted');
  }
  const subject: Subject = {
    link,
    owner,
    acting,
    actingPlacement,
    code: actingPlacement.code,
    ownWindow: ownWindow.window,
    peerAgency,
    addresses,
    mustEncrypt,
    level,
  };
  if (peerAgency) {
    const own = actingPlacement.placed.map((p) => p.dataCentre.metadata.name);
    const peer = placedNames(platform, peerAgency);
    if (apartInDataCentres(own, peer)) subject.apart = { own, peer };
  }
  return subject;
}

/** Time and agreement: the link's own window open and, for an agency peer, a matching peer link open now with ports in common. */
function agreement(
  subject: Subject,
  now: Date,
  candidates: NetworkLink[],
  encryptedPeers: NetworkLink[],
  usable: NetworkLink[],
  activePeers: { link: NetworkLink; window: Window }[],
): Agreement | { reason: string; message: string } {
  const { link, acting, ownWindow } = subject;
  const closed = closedBecause(ownWindow, now);
  if (closed === 'NotYetValid') return { reason: closed, message: `the link opens at ${link.spec.validFrom}` };
  if (closed === 'Expired') return { reason: closed, message: `the link closed at ${link.spec.validUntil}` };

  const peerRef = link.spec.peer.agency;
  if (!peerRef) return { ports: normalisePorts(link.spec.ports), encrypted: link.spec.encrypted === true, until: ownWindow.until };
  if (activePeers.length === 0) {
    const opposite = link.spec.direction === 'Egress' ? 'Ingress' : 'Egress';
    if (candidates.length === 0) {
      return {
        reason: 'WaitingForPeer',
        message: `agency ${peerRef.name} declares no ${opposite} link for workspace ${peerRef.workspace} with ${acting.metadata.name}/${link.spec.workspace} as peer`,
      };
    }
    if (encryptedPeers.length === 0)
      return {
        reason: 'PeerNotEncrypted',
        message: `the matching link of agency ${peerRef.name} is not encrypted, as security level ${subject.level} requires`,
      };
    if (usable.length === 0) {
      return {
        reason: 'PeerNotCarried',
        message: `the matching link of agency ${peerRef.name} cannot cross data centres through the exchange gateways, as the two workspaces share none: its owner must fix it (its conditions say what it lacks)`,
      };
    }
    return { reason: 'PeerOutsideWindow', message: `the matching link of agency ${peerRef.name} is outside its validity window` };
  }
  const ports = intersectPorts(
    link.spec.ports,
    activePeers.flatMap((p) => p.link.spec.ports),
  );
  if (ports.length === 0) return { reason: 'NoCommonPorts', message: `no port is named by both this link and agency ${peerRef.name}'s matching link` };
  const encrypted = link.spec.encrypted === true || activePeers.some((p) => p.link.spec.encrypted === true);
  // The policy stays open while one of the peer links is: its window ends at the latest peer end.
  let until = ownWindow.until;
  const peerUntil = activePeers.some((p) => p.window.until === undefined) ? undefined : Math.max(...activePeers.map((p) => p.window.until as number));
  if (peerUntil !== undefined && (until === undefined || peerUntil < until)) until = peerUntil;
  return { ports, encrypted, until };
}

/** The policy, per data centre where the acting agency's workspace exists (and the peer's, for an agency peer); or why there is none. */
function linkObjects(platform: Platform, subject: Subject, agreed: Agreement, issues: RenderIssue[]): Rendered[] | { reason: string; message: string } {
  const { link, owner, acting, actingPlacement, code, peerAgency, addresses } = subject;
  const peerRef = link.spec.peer.agency;
  const external = link.spec.peer.external;
  const namespace = workspaceNamespace(acting.metadata.name, link.spec.workspace);
  const peerPlaced = peerAgency ? placedNames(platform, peerAgency) : [];
  if (peerRef && peerPlaced.length === 0) {
    const message = `agency ${peerRef.name} is placed in no data centre`;
    issues.push({ owner, field: 'spec.peer.agency', reason: 'PeerUnreachable', message });
    return { reason: 'PeerUnreachable', message };
  }
  const noEncryption = new Set<string>();
  const cannotEncrypt = (dc: string) => {
    if (noEncryption.has(dc)) return;
    noEncryption.add(dc);
    issues.push({ owner, field: 'spec.encrypted', dataCentre: dc, reason: 'EncryptionUnavailable', message: `data centre ${dc} cannot offer encrypted links` });
  };
  const annotations: Record<string, string> = {};
  if (agreed.encrypted) annotations[ANNOTATIONS.encryption] = 'required';
  if (agreed.until !== undefined) annotations[ANNOTATIONS.validUntil] = new Date(agreed.until).toISOString();
  const out = new PerDataCentre();
  for (const { dataCentre } of actingPlacement.placed) {
    const dc = dataCentre.metadata.name;
    // Never the peer's other data centres by range: only where both workspaces are.
    if (peerRef && !peerPlaced.includes(dc)) continue;
    if (agreed.encrypted && dataCentre.spec.encryptedLinks !== true) {
      cannotEncrypt(dc);
      continue;
    }
    const peers: Peer[] = [];
    if (peerRef) {
      peers.push(...namespacesPeer([workspaceNamespace(peerRef.name, peerRef.workspace)]));
    } else if (external) {
      peers.push(...addressPeers(addresses?.kept ?? []));
    }
    const policy = directionalPolicy(
      { name: linkPolicyName(link), namespace, owner, agency: code, annotations },
      link.spec.direction === 'Ingress' ? 'Ingress' : 'Egress',
      peers,
      agreed.ports,
    );
    if (!policy) {
      issues.push({
        owner,
        dataCentre: dc,
        reason: 'PeerUnreachable',
        message: `from data centre ${dc} the peer workspace is in no data centre the link can reach`,
      });
      continue;
    }
    out.add(dc, policy);
  }
  const perDataCentre = out.result();
  if (perDataCentre.length === 0) {
    const why = issues[issues.length - 1];
    return { reason: why?.reason ?? 'NotPlaced', message: why?.message ?? `agency ${acting.metadata.name} is placed in no data centre` };
  }
  return perDataCentre;
}
