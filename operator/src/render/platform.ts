/**
 * The whole platform, rendered: every data centre's shared objects, every agency, link and
 * service, and the exchange gateways between data centres, merged per data centre in apply order. This is what `govcloud plan` shows and
 * what the operator's controllers apply, piece by piece.
 */
import { LABELS, type Agency, type NetworkLink, type SharedDataService } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { renderAgency } from './agency.ts';
import { renderLink, type LinkRender } from './link.ts';
import { compareIssues, compareStrings, PerDataCentre } from './meta.ts';
import { platformObjects } from './platform-objects.ts';
import { gatewayEndpoints, renderGateways } from './gateway.ts';
import { renderService, type ServiceRender } from './service.ts';
import type { DesiredObject, Rendered, RenderIssue } from './types.ts';
import { earliest } from '../model/window.ts';
import { addressPlan } from '../model/addresses.ts';

export interface PlatformRender {
  /** Every data centre of the platform (also those with nothing rendered), by name. Read only: objects may share values. */
  perDataCentre: Rendered[];
  issues: RenderIssue[];
  /** The earliest time a link, request or grant window opens or closes (a gateway's routes among them). */
  nextChange?: Date;
}

const byNamespacedName = (a: { metadata: { namespace?: string; name: string } }, b: { metadata: { namespace?: string; name: string } }) =>
  compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
  compareStrings(a.metadata.name, b.metadata.name) ||
  // Two objects of one name (an invalid platform) still render in one order.
  compareStrings(JSON.stringify(a), JSON.stringify(b));

/** `only`: render just the agencies it accepts, every other owner in full (`plan --base`, gitops/plan-diff.ts). */
export function renderPlatform(platform: Platform, now: Date, only?: (agency: Agency) => boolean): PlatformRender {
  const out = new PerDataCentre();
  const issues: RenderIssue[] = [];
  const changes: (Date | undefined)[] = [];
  const add = (rendered: Rendered[]) => {
    for (const r of rendered) out.add(r.dataCentre, ...r.objects);
  };
  for (const dc of [...platform.dataCentres].sort(byNamespacedName)) {
    out.touch(dc.metadata.name);
    out.add(dc.metadata.name, ...platformObjects(dc, platform.dataCentres));
  }
  // The objects are only read (plan, connectivity): no copy of each, and the address plan read once.
  const agencyOptions = { plan: addressPlan(platform.dataCentres), copy: false };
  for (const agency of [...platform.agencies].sort(byNamespacedName)) {
    if (only !== undefined && !only(agency)) continue;
    const r = renderAgency(platform, agency, agencyOptions);
    add(r.perDataCentre);
    issues.push(...r.issues);
  }
  const links = new Map<NetworkLink, LinkRender>();
  for (const link of [...platform.links].sort(byNamespacedName)) {
    const r = renderLink(platform, link, now);
    links.set(link, r);
    add(r.perDataCentre);
    issues.push(...r.issues);
    changes.push(r.nextChange);
  }
  const services = new Map<SharedDataService, ServiceRender>();
  for (const service of [...platform.services].sort(byNamespacedName)) {
    const r = renderService(platform, service, now);
    services.set(service, r);
    add(r.perDataCentre);
    issues.push(...r.issues);
    changes.push(r.nextChange);
  }
  const gateways = renderGateways(platform, now, gatewayEndpoints(platform), services, links);
  add(gateways.perDataCentre);
  issues.push(...gateways.issues);
  changes.push(gateways.nextChange);
  // Read only from here on: no copy of the lot (the agencies' objects may share values).
  const perDataCentre = out.result({ copy: false }).map((r) => ({ dataCentre: r.dataCentre, objects: dedupe(r.dataCentre, r.objects, issues) }));
  const result: PlatformRender = { perDataCentre, issues: issues.sort(compareIssues) };
  const next = earliest(changes);
  if (next) result.nextChange = next;
  return result;
}

/**
 * One object per identity. Two owners wanting the same object identically is harmless;
 * wanting it differently is a collision: the first (in apply order) stays and the other
 * owner gets an issue. Names are chosen so that this does not happen; this is the guard.
 */
function dedupe(dataCentre: string, objects: DesiredObject[], issues: RenderIssue[]): DesiredObject[] {
  const result: DesiredObject[] = [];
  // In apply order (compareObjects) objects of one identity are next to each other: each is compared with the first of its run.
  let first: DesiredObject | undefined;
  for (const object of objects) {
    if (first === undefined || !sameIdentity(first, object)) {
      first = object;
      result.push(object);
      continue;
    }
    if (JSON.stringify(first) === JSON.stringify(object)) continue;
    const owner = object.metadata.annotations?.[LABELS.owner] ?? object.metadata.labels[LABELS.owner] ?? '';
    const [kind = '', namespace = '', ...name] = owner.split('.');
    const firstOwner = first.metadata.annotations?.[LABELS.owner] ?? first.metadata.labels[LABELS.owner] ?? '';
    issues.push({
      owner: namespace ? { kind, namespace, name: name.join('.') } : { kind, name: name.join('.') },
      dataCentre,
      reason: 'NameCollision',
      message: `${object.kind} ${object.metadata.namespace ? object.metadata.namespace + '/' : ''}${object.metadata.name} is already wanted by ${firstOwner}`,
    });
  }
  return result;
}

function sameIdentity(a: DesiredObject, b: DesiredObject): boolean {
  return (
    a.kind === b.kind && a.metadata.name === b.metadata.name && (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '') && a.apiVersion === b.apiVersion
  );
}
