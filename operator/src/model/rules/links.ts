/**
 * Rules of links: each side names workspaces that exist, the peer answers (consent of two
 * agencies, ports in common), the two share a data centre or the exchange gateways carry the
 * pair (policy.ts, linkExchangeRefusals), encryption where the policy requires it and only where
 * the data centres offer it, external ranges by the rule of addresses; and never a link between
 * one agency's own workspaces.
 */
import { agencyNameOfHubNamespace, hubNamespaceOf, type Agency, type DataCentre, type ExternalNetwork, type NetworkLink } from '../../api/index.ts';
import { judgeRanges, type AddressPlan } from '../addresses.ts';
import type { Platform } from '../platform.ts';
import { apartInDataCentres, ENCRYPTED_LINKS_FROM_LEVEL, GATEWAY_UNAVAILABLE, levelPolicy, linkExchangeRefusals } from '../policy.ts';
import { intersectPorts } from '../ports.ts';
import { acting, describeObject, hasWorkspace, reverseLinkKey, workspaceNames, type Index, type Report } from './common.ts';

export function checkLinks(platform: Platform, index: Index, plan: AddressPlan, error: Report, warning: Report): void {
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
        error(
          link,
          ['spec', 'peer', 'agency', 'workspace'],
          `${describeObject(peer)} has no workspace "${peerRef.workspace}" (it has ${workspaceNames(peer)})`,
        );
      } else {
        const answers = findReverseLinksIndexed(index, own, link);
        const opposite = link.spec.direction === 'Egress' ? 'Ingress' : 'Egress';
        const matching = answers.filter((l) => l.spec.direction === opposite);
        if (
          matching.length > 0 &&
          intersectPorts(
            link.spec.ports,
            matching.flatMap((l) => l.spec.ports),
          ).length === 0
        ) {
          warning(
            link,
            ['spec', 'ports'],
            `no port in common with the matching link ${describeObject(matching[0]!)} of ${describeObject(peer)}: the link stays closed`,
            matching[0],
          );
        }
        const ours = [...new Set(agency.spec.placement.dataCentres)].sort();
        const theirs = [...new Set(peer.spec.placement.dataCentres)].sort();
        // Apart, the pair is carried by the exchange gateways of both data centres, or by nothing (policy.ts).
        if (matching.length > 0 && apartInDataCentres(ours, theirs)) {
          const apart = `${describeObject(agency)} is placed only in ${ours.join(', ')} and ${describeObject(peer)} only in ${theirs.join(', ')}`;
          for (const problem of linkExchangeRefusals((d) => index.dataCentres.get(d), link.spec, ours, theirs)) {
            error(
              link,
              problem.path,
              problem.reason === GATEWAY_UNAVAILABLE
                ? `${apart}: the link and ${describeObject(matching[0]!)} can open nothing. Place both in one data centre, or ${problem.message}`
                : `${apart}, so the link goes through the exchange gateways: ${problem.message}`,
              matching[0],
            );
          }
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
      error(
        link,
        ['spec', 'encrypted'],
        `links at security level ${ENCRYPTED_LINKS_FROM_LEVEL} and above must be encrypted (${who} is at level ${strictest.spec.securityLevel}): set encrypted: true${cannot}`,
      );
    } else if (link.spec.encrypted === true && lacking.length > 0 && peerKnown) {
      error(
        link,
        ['spec', 'encrypted'],
        `cannot be encrypted: ${lackingText} ${lacking.length === 1 ? 'is' : 'are'} involved and cannot offer encrypted links (encryptedLinks is not set)`,
        lacking[0],
      );
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
export function checkSelfLinks(platform: Platform, error: Report): void {
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

function findReverseLinksIndexed(index: Index, own: string, link: NetworkLink): NetworkLink[] {
  const key = reverseLinkKey(own, link);
  return key === undefined ? [] : (index.links.get(key) ?? []);
}
