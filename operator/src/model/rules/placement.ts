/**
 * Rules of placement and capacity: data centres (one hub, ranges that do not overlap),
 * agencies' WANs and internet egress (the rule of addresses, model/addresses.ts), where
 * an agency may be placed (the policy's one decision, model/policy.ts), and quotas that fit
 * the data centres' capacity.
 */
import type { Agency, DataCentre } from '../../api/index.ts';
import type { AddressPlan } from '../addresses.ts';
import { judgeRanges } from '../addresses.ts';
import { findOverlaps, lastOf, parseIP, parseStrictCidr, type Cidr } from '../ip.ts';
import { placementContext, type Platform } from '../platform.ts';
import { placementRefusal, type PlacementRefusal } from '../policy.ts';
import { byCodeUnits, describeObject, exact, formatExact, plural, push, RESOURCES, type Index, type Report } from './common.ts';

export function checkDataCentres(platform: Platform, index: Index, error: Report, warning: Report): void {
  const dcs = platform.dataCentres;
  const hubs = dcs.filter((d) => d.spec.connection.thisCluster === true);
  if (dcs.length > 0 && hubs.length === 0) {
    error(dcs[0]!, ['spec', 'connection'], 'no DataCentre is the hub: exactly one needs connection.thisCluster: true (the cluster the operator runs in)');
  }
  for (const extra of hubs.slice(1)) {
    error(
      extra,
      ['spec', 'connection', 'thisCluster'],
      `${describeObject(hubs[0]!)} is the hub already: exactly one DataCentre has connection.thisCluster: true`,
      hubs[0],
    );
  }
  const ranges: { cidr: Cidr; tag: { dc: DataCentre; i: number } }[] = [];
  for (const dc of dcs) {
    const dedicated = dc.spec.dedicatedTo;
    if (dedicated !== undefined && !index.exists('Agency', undefined, dedicated)) {
      warning(dc, ['spec', 'dedicatedTo'], `dedicated to Agency/${dedicated}, which is not defined (yet)`);
    }
    const owner = dc.spec.ownedBy;
    if (owner !== undefined && !index.exists('Agency', undefined, owner)) {
      warning(dc, ['spec', 'ownedBy'], `owned by Agency/${owner}, which is not defined (yet)`);
    }
    dc.spec.confirmedMoves?.forEach((name, i) => {
      if (index.agencies.get(name)?.spec.placement.dataCentres.includes(dc.metadata.name)) {
        warning(
          dc,
          ['spec', 'confirmedMoves', i],
          `Agency/${name} is placed here: this confirmation would let its namespaces here go as soon as it moves off; remove the name once a move is done`,
        );
      }
    });
    const own: Cidr[] = [];
    dc.spec.networkRanges.forEach((text, i) => {
      const parsed = parseStrictCidr(text);
      if (!parsed.ok) error(dc, ['spec', 'networkRanges', i], parsed.message);
      else {
        ranges.push({ cidr: parsed.cidr, tag: { dc, i } });
        own.push(parsed.cidr);
      }
    });
    checkGatewayAddress(dc, own, error);
  }
  for (const { range, with: other } of findOverlaps(ranges)) {
    if (range.tag.dc === other.tag.dc) {
      error(range.tag.dc, ['spec', 'networkRanges', range.tag.i], `overlaps ${other.cidr.text} of the same data centre`);
    } else {
      error(
        range.tag.dc,
        ['spec', 'networkRanges', range.tag.i],
        `overlaps ${other.cidr.text} of ${describeObject(other.tag.dc)}: peers are addressed by these ranges, so they must not overlap`,
        other.tag.dc,
      );
    }
  }
}

/**
 * The other data centres' gateways reach this one's, and admit it, by its address: one of
 * the data centre's own, inside its networkRanges (which no other data centre's overlap).
 */
function checkGatewayAddress(dc: DataCentre, ranges: readonly Cidr[], error: Report): void {
  const address = dc.spec.exchangeGateway?.address;
  if (address === undefined) return;
  const path = ['spec', 'exchangeGateway', 'address'];
  const ip = parseIP(address);
  if (!ip) {
    error(dc, path, `"${address}" is not an IP address`);
    return;
  }
  if (!ranges.some((r) => r.family === ip.family && r.network <= ip.value && ip.value <= lastOf(r))) {
    error(
      dc,
      path,
      `${address} is outside this data centre's networkRanges (${dc.spec.networkRanges.join(', ')}): the other data centres' gateways reach and admit the gateway by this address, so it must be one of the data centre's own`,
    );
  }
}

/**
 * An agency's WAN is its own: it overlaps no data centre's range and no other agency's WAN,
 * or the rule of addresses (model/addresses.ts) would hand one agency what is another's.
 */
export function checkDeclaredNetworks(platform: Platform, error: Report): void {
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
    const whose =
      them.tag.agency === undefined
        ? `networkRanges of ${describeObject(them.tag.dc)}`
        : `the WAN of Agency/${them.tag.agency} (${describeObject(them.tag.dc)})`;
    error(
      wan.tag.dc,
      wan.tag.path,
      `the WAN of Agency/${wan.tag.agency} overlaps ${them.cidr.text}, ${whose}: an agency's WAN is its own`,
      them.tag.dc === wan.tag.dc ? undefined : them.tag.dc,
    );
  }
}

/** Internet egress reaches the internet only: never a data centre, a declared network or a private range (model/addresses.ts). */
export function checkInternetEgress(platform: Platform, plan: AddressPlan, error: Report): void {
  for (const agency of platform.agencies) {
    agency.spec.workspaces.forEach((w, i) => {
      for (const { index, message } of judgeRanges(plan, agency.metadata.name, 'internet', w.internetEgress ?? []).refused) {
        error(agency, ['spec', 'workspaces', i, 'internetEgress', index], message);
      }
    });
  }
}

/**
 * Where the agency asks to be placed: each data centre exists and the policy lets it host
 * the agency. A cordoned data centre whose occupants are not known (offline) refuses no one
 * here: the operator, which sees them, refuses a newcomer; this warns.
 */
export function checkAgencyPlacement(platform: Platform, agency: Agency, index: Index, error: Report, warning: Report): void {
  agency.spec.placement.dataCentres.forEach((dcName, i) => {
    const path = ['spec', 'placement', 'dataCentres', i];
    const dc = index.dataCentres.get(dcName);
    if (!dc) {
      if (!index.exists('DataCentre', undefined, dcName)) error(agency, path, `no DataCentre named "${dcName}"`);
      return;
    }
    const context = placementContext(platform, agency, dc);
    const refusal = placementRefusal(agency, dc, context);
    if (refusal) error(agency, path, placementRefusalText(refusal, dc, agency.metadata.name), dc);
    else if (dc.spec.cordoned === true && context.present === undefined) {
      warning(
        agency,
        path,
        `${describeObject(dc)} is cordoned (draining): only an agency placed there already may stay; move this one to another data centre`,
        dc,
      );
    }
  });
}

/** `whose`: whose level the refusal is about (an agency's, or a system's in its MigrationPlan). */
export function placementRefusalText(refusal: PlacementRefusal, dc: DataCentre, agency: string, whose = "this agency's"): string {
  switch (refusal.reason) {
    case 'DedicatedToAnotherAgency':
      return `${describeObject(dc)} is dedicated to Agency/${refusal.dedicatedTo} and hosts no other agency: choose a shared data centre`;
    case 'OwnedByAnotherAgency':
      return `${describeObject(dc)} is Agency/${refusal.ownedBy}'s own and hosts only it and the agencies under it (spec.parent): choose a shared data centre, or one of this agency's own line`;
    case 'DedicatedDataCentreRequired':
      return `security level ${refusal.level} needs a data centre dedicated to this agency, and ${describeObject(dc)} is not (set its dedicatedTo: ${agency})`;
    case 'NotAccredited':
      return `${describeObject(dc)} is accredited up to security level ${refusal.accreditedLevel}, below ${whose} level ${refusal.level}`;
    case 'Cordoned':
      return `${describeObject(dc)} is cordoned (draining): it takes no new agency; choose another data centre`;
  }
}

export function checkCapacity(platform: Platform, index: Index, error: Report): void {
  const usage = new Map<string, Map<string, { agency: Agency; amount: bigint }[]>>();
  for (const agency of platform.agencies) {
    for (const quota of agency.spec.quotas) {
      if (!index.dataCentres.has(quota.dataCentre)) continue;
      let perResource = usage.get(quota.dataCentre);
      if (!perResource) usage.set(quota.dataCentre, (perResource = new Map<string, { agency: Agency; amount: bigint }[]>()));
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
