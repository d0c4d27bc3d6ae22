/**
 * Rules of access: services that fit their owner's workspace and placement, with one
 * identifier each; requests and grants that name what exists, pair up, and can open
 * something: the consumer shares a data centre with the service where the policy needs it,
 * or, for an on-request pair, the exchange gateways of both data centres carry it
 * (policy.ts, exchangeRefusal).
 */
import { hubNamespaceOf, serviceIdentifier, type Agency, type SharedDataService } from '../../api/index.ts';
import type { Platform } from '../platform.ts';
import { apartInDataCentres, dataClassExceeds, DECLARED_USE_FROM_LEVEL, exchangeRefusal, WHAT_GATEWAYS_CARRY, levelPolicy } from '../policy.ts';
import { acting, agencyCode, describeObject, exact, hasWorkspace, list, workspaceNames, type Index, type Report } from './common.ts';

/** Where a service runs: its placement, within its owner's. */
function runsIn(service: SharedDataService, owner: Agency): string[] {
  return [...new Set(service.spec.placement.dataCentres.filter((d) => owner.spec.placement.dataCentres.includes(d)))].sort();
}

/**
 * The consumer shares no data centre with the service: where each is and what would bring
 * them together, or undefined when they share one.
 */
function apart(consumer: Agency, service: SharedDataService, owner: Agency): { placed: string[]; runs: string[]; message: string } | undefined {
  const runs = runsIn(service, owner);
  const placed = [...new Set(consumer.spec.placement.dataCentres)].sort();
  if (!apartInDataCentres(placed, runs)) return undefined;
  const or = placed.length === 1 ? placed[0] : `${placed.slice(0, -1).join(', ')} or ${placed[placed.length - 1]}`;
  return {
    placed,
    runs,
    message:
      `${describeObject(consumer)} is placed only in ${placed.join(', ')}, where ${describeObject(service)} does not run (it runs in ${runs.join(', ')}): ` +
      `place the service in ${or} or the consumer's workspace in one of ${runs.join(', ')}`,
  };
}

export function checkServices(platform: Platform, index: Index, error: Report): void {
  const identifiers = new Map<string, SharedDataService>();
  for (const service of platform.services) {
    const owner = acting(service, index, error);
    if (!owner) continue;
    const workspace = owner.spec.workspaces.find((w) => w.name === service.spec.workspace);
    if (!workspace) {
      error(service, ['spec', 'workspace'], `${describeObject(owner)} has no workspace "${service.spec.workspace}" (it has ${workspaceNames(owner)})`);
    } else if (dataClassExceeds(service.spec.dataClass, workspace.dataClass)) {
      error(
        service,
        ['spec', 'dataClass'],
        `the service handles ${service.spec.dataClass} data, but workspace "${workspace.name}" is declared for ${workspace.dataClass} data at most`,
      );
    }
    for (const resource of ['cpu', 'memory'] as const) {
      const value = service.spec.resources?.[resource];
      if (value !== undefined && exact(resource, value) === 0n) error(service, ['spec', 'resources', resource], 'must be more than 0');
    }
    service.spec.placement.dataCentres.forEach((dc, i) => {
      if (!owner.spec.placement.dataCentres.includes(dc)) {
        error(
          service,
          ['spec', 'placement', 'dataCentres', i],
          `${describeObject(owner)} is not placed in DataCentre/${dc} (it is in ${list(owner.spec.placement.dataCentres)}): a service runs only where its owner is placed`,
        );
      }
    });
    const id = serviceIdentifier(agencyCode(owner), service.spec.subsystem, service.spec.serviceCode, service.spec.version);
    const earlier = identifiers.get(id);
    if (earlier) error(service, ['spec', 'serviceCode'], `identifier ${id} is already ${describeObject(earlier)}'s`, earlier);
    else identifiers.set(id, service);
  }
}

export function checkRequests(platform: Platform, index: Index, error: Report, warning: Report): void {
  for (const request of platform.requests) {
    const consumer = acting(request, index, error);
    if (!consumer) continue;
    request.spec.workspaces.forEach((w, i) => {
      if (!hasWorkspace(consumer, w))
        error(request, ['spec', 'workspaces', i], `${describeObject(consumer)} has no workspace "${w}" (it has ${workspaceNames(consumer)})`);
    });
    const provider = request.spec.provider;
    if (provider === consumer.metadata.name) {
      error(
        request,
        ['spec', 'provider'],
        'an agency does not request access to its own service: its own workspaces use it when it is shared by default or openly, and links join only two agencies',
      );
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
        warning(
          request,
          ['spec', 'service'],
          `not needed: ${describeObject(service)} is shared ${how}, so every agency at security level 1 or 2 may use it already`,
          service,
        );
      } else if (owner) {
        // Needed from level 3 (no grant is: the owner shares it with everyone), and only where both are.
        const away = apart(consumer, service, owner);
        if (away) {
          error(
            request,
            ['spec', 'service'],
            `the request can open nothing: ${away.message}; cross-data-centre access to services shared ${how}, for consumers at security level ${DECLARED_USE_FROM_LEVEL} and above, is not carried: ${WHAT_GATEWAYS_CARRY}`,
            service,
          );
        }
      }
    }
  }
}

export function checkGrants(platform: Platform, index: Index, error: Report, warning: Report): void {
  for (const grant of platform.grants) {
    const provider = acting(grant, index, error);
    if (!provider) continue;
    const ns = grant.metadata.namespace!;
    const service = index.services.get(`${ns}/${grant.spec.service}`);
    if (!service && !index.exists('SharedDataService', ns, grant.spec.service)) {
      error(grant, ['spec', 'service'], `no SharedDataService named "${grant.spec.service}" in ${ns}: an agency grants access only to its own services`);
    } else if (service && service.spec.sharing !== 'onRequest') {
      warning(
        grant,
        ['spec', 'service'],
        `not needed: ${describeObject(service)} is shared ${service.spec.sharing === 'open' ? 'openly' : 'by default'}, so every agency may use it already`,
        service,
      );
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
      if (!hasWorkspace(consumer, w))
        error(grant, ['spec', 'workspaces', i], `${describeObject(consumer)} has no workspace "${w}" (it has ${workspaceNames(consumer)})`);
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
      // Apart, the pair is carried by the exchange gateways of both data centres, or by nothing.
      const away = apart(consumer, service, provider);
      const refusal = away && exchangeRefusal((d) => index.dataCentres.get(d), away.placed, away.runs);
      if (away && refusal) {
        error(grant, ['spec', 'consumer'], `the grant and ${describeObject(requests[0]!)} can open nothing: ${away.message}, or ${refusal}`, requests[0]);
      }
    }
    const requested = new Set(requests.flatMap((r) => r.spec.workspaces));
    workspaces.forEach((w, i) => {
      if (hasWorkspace(consumer, w) && !requested.has(w)) {
        error(
          grant,
          ['spec', 'workspaces', i],
          `workspace "${w}" was not requested: ${describeObject(requests[0]!)} of ${describeObject(consumer)} asks for ${list([...requested].sort())}`,
          requests[0],
        );
      }
    });
  }
}
