/**
 * The one rule for every egress to addresses: an Agency workspace's internet egress and a
 * NetworkLink to an external network. `govcloud validate` (rules.ts), the renderers
 * (render/agency.ts, render/link.ts) and the hub's admission policy
 * (render/address-policy.ts) all read addresses through this module, so they refuse the
 * same ranges and except the same ranges.
 *
 * Addresses carry no identity: a range that covers a data centre's networkRanges reaches
 * every workspace there, linked or not; one that covers another agency's WAN reaches that
 * agency's own network, where no NetworkPolicy of the receiver gates anything. So some
 * ranges are reserved for every egress:
 * - every DataCentre's networkRanges;
 * - every other agency's WAN (DataCentre spec.externalNetworks.agencyWANs);
 * - for internet egress, also every declared external network (specialised network and
 *   every agency WAN, its own included: they are not the internet) and the private and
 *   local ranges (RFC 1918, RFC 6598, loopback, link-local, unique local), which the
 *   internet does not route and where the clusters' own pods and services live.
 *
 * A range inside a reserved range is refused, naming it; a broader range that contains
 * reserved ranges is kept with them as its ipBlock's `except`. (Two CIDR ranges either
 * nest or are disjoint, so there is no third case.)
 *
 * A link to an external network must also stay on that network: each range must lie inside
 * one range a DataCentre declares for it (for agencyWAN, a WAN declared for the acting
 * agency), and be no broader than LINK_MIN_PREFIX. So a tenant cannot reach the internet,
 * another data centre or another agency's network by naming it in a link.
 */
import { LINK_MIN_PREFIX, type DataCentre, type ExternalNetwork } from '../api/index.ts';
import { AddressSet, isStrictSubset, parseStrictCidr, type Cidr } from './ip.ts';

/** Where an egress goes: the internet (an Agency workspace's internetEgress) or an external network of a link. */
export type Destination = 'internet' | ExternalNetwork;

/** A named range: what it is, for messages and the admission policy. */
export interface NamedRange {
  cidr: Cidr;
  /** e.g. `networkRanges of DataCentre/dc-hcm`. */
  what: string;
  /** The agency a WAN belongs to. */
  agency?: string;
}

/** Not internet: private (RFC 1918), shared (RFC 6598), loopback, link-local and unique-local ranges. */
export const NON_INTERNET_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

const NON_INTERNET_WHAT = 'a private or local range, never internet';

export interface AddressPlan {
  dataCentreRanges: NamedRange[];
  specialised: Record<'specialisedLevelI' | 'specialisedLevelII', NamedRange[]>;
  wans: NamedRange[];
  nonInternet: NamedRange[];
}

function named(texts: readonly string[] | undefined, what: string, agency?: string): NamedRange[] {
  const out: NamedRange[] = [];
  for (const text of texts ?? []) {
    const parsed = parseStrictCidr(text);
    if (parsed.ok) out.push(agency === undefined ? { cidr: parsed.cidr, what } : { cidr: parsed.cidr, what, agency });
  }
  return out;
}

/** The ranges the DataCentres declare, read once. Ranges that do not parse are left out (rules.ts reports them). */
export function addressPlan(dataCentres: readonly DataCentre[]): AddressPlan {
  const plan: AddressPlan = {
    dataCentreRanges: [],
    specialised: { specialisedLevelI: [], specialisedLevelII: [] },
    wans: [],
    nonInternet: named(NON_INTERNET_RANGES, NON_INTERNET_WHAT),
  };
  // In name order: the admission policy and the messages do not depend on the order objects were read in.
  const byName = [...dataCentres].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const dc of byName) {
    const name = `DataCentre/${dc.metadata.name}`;
    plan.dataCentreRanges.push(...named(dc.spec.networkRanges, `networkRanges of ${name}`));
    const networks = dc.spec.externalNetworks;
    for (const level of ['specialisedLevelI', 'specialisedLevelII'] as const) {
      plan.specialised[level].push(...named(networks?.[level], `${level} as ${name} declares it`));
    }
    for (const wan of networks?.agencyWANs ?? []) plan.wans.push(...named(wan.cidrs, `the WAN of Agency/${wan.agency} (declared by ${name})`, wan.agency));
  }
  return plan;
}

/** Ranges no egress of `agency` to `destination` may reach. */
export function reservedRanges(plan: AddressPlan, agency: string, destination: Destination): NamedRange[] {
  if (destination === 'internet') {
    return [...plan.dataCentreRanges, ...plan.wans, ...plan.specialised.specialisedLevelI, ...plan.specialised.specialisedLevelII, ...plan.nonInternet];
  }
  return [...plan.dataCentreRanges, ...plan.wans.filter((w) => w.agency !== agency)];
}

/** Ranges a link of `agency` to `network` may name (each of its ranges inside one of them). */
export function declaredRanges(plan: AddressPlan, agency: string, network: ExternalNetwork): NamedRange[] {
  return network === 'agencyWAN' ? plan.wans.filter((w) => w.agency === agency) : plan.specialised[network];
}

export type Verdict = { ok: true; cidr: string; except: string[] } | { ok: false; message: string };

/** `inner` lies in `outer` (or is it): what the admission policy's `cidr(outer).containsCIDR(inner)` answers. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return (outer.family === inner.family && outer.prefix === inner.prefix && outer.network === inner.network) || isStrictSubset(inner, outer);
}

function declaredText(ranges: readonly NamedRange[]): string {
  return ranges.length === 0 ? 'none is declared' : `declared: ${[...new Set(ranges.map((r) => r.cidr.text))].join(', ')}`;
}

/** The verdict on one range of an egress of `agency` to `destination`: refused (why), or kept with its excepts. */
export function judgeRange(plan: AddressPlan, agency: string, destination: Destination, text: string): Verdict {
  const parsed = parseStrictCidr(text);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const cidr = parsed.cidr;
  if (destination !== 'internet') {
    const min = LINK_MIN_PREFIX[cidr.family];
    if (cidr.prefix < min) return { ok: false, message: `${text} is broader than /${min}: an external network is never the whole internet` };
    const declared = declaredRanges(plan, agency, destination);
    if (!declared.some((d) => contains(d.cidr, cidr))) {
      const whose = destination === 'agencyWAN' ? `Agency/${agency}'s own WAN` : `the ${destination} network`;
      return {
        ok: false,
        message: `${text} is not on ${whose} as the DataCentres declare it in spec.externalNetworks (${declaredText(declared)}): a link reaches only declared networks`,
      };
    }
  }
  const reserved = reservedRanges(plan, agency, destination);
  const within = reserved.find((r) => contains(r.cidr, cidr));
  if (within) {
    const why = destination === 'internet' ? 'internet egress reaches the internet only' : 'reach other agencies through agency links and grants';
    return { ok: false, message: `${text} lies in ${within.cidr.text}, ${within.what}: ${why}` };
  }
  const inside = reserved.filter((r) => isStrictSubset(r.cidr, cidr)).map((r) => r.cidr);
  return { ok: true, cidr: text, except: AddressSet.of(inside).toCidrs() };
}

/** Every range of one egress, judged; `index` is the range's position in the list written. */
export function judgeRanges(
  plan: AddressPlan,
  agency: string,
  destination: Destination,
  texts: readonly string[],
): { kept: { cidr: string; except: string[] }[]; refused: { index: number; message: string }[] } {
  const kept: { cidr: string; except: string[] }[] = [];
  const refused: { index: number; message: string }[] = [];
  texts.forEach((text, index) => {
    const v = judgeRange(plan, agency, destination, text);
    if (v.ok) kept.push({ cidr: v.cidr, except: v.except });
    else refused.push({ index, message: v.message });
  });
  return { kept, refused };
}
