/**
 * The catalogue of shared data services: who owns each (the agency of its hub namespace,
 * never a field), its identifier, data class, sharing mode, data centres and consumers.
 *
 * Consumers come from the renderer (`renderService`), so the catalogue and the network
 * policies agree by construction: for `onRequest`, the workspaces named by an AccessRequest
 * in the consumer's hub namespace and an AccessGrant in the owner's, both inside their
 * validity windows at `now`, that exist in a data centre where the service runs or that the
 * exchange gateways carry to it from another; for
 * `default` and `open`, every workspace of every agency at security level 1 or 2 placed
 * somewhere, and of agencies at level 3 and above those their AccessRequest names (inside
 * its window, in a data centre where the service runs), the owner's own workspace excepted.
 */
import { normaliseAgencyCode, serviceIdentifier, type SharedDataService } from '../api/index.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import { dataCentreOwner, DECLARED_USE_FROM_LEVEL as DECLARED_USE_LEVEL } from '../model/policy.ts';
import { gatewayEndpoints, serviceGatewayIssues, type GatewayEndpoint } from '../render/gateway.ts';
import { renderService, type AccessMatch, type DeclaredUse } from '../render/index.ts';

export interface CatalogueEntry {
  /** `namespace/name` of the SharedDataService. */
  ref: string;
  name: string;
  displayName: string;
  /** The owning agency's name, from the hub namespace; undefined when no agency owns that namespace. */
  owner?: string;
  ownerDisplayName?: string;
  /** VN/GOV/<normalised owner code>/<subsystem>/<service>/<version>; undefined without a valid owner. */
  identifier?: string;
  dataClass: string;
  sharing: string;
  workspace: string;
  port: number;
  /** Data centres where it runs (its placement, where the owner is placed), sorted. */
  dataCentres: string[];
  /** Of those, the ones an agency owns (inherited, ownedBy) or has dedicated to it (dedicatedTo): data centre name to that agency. */
  dataCentreOwners: Record<string, string>;
  /** Consumer workspaces entitled at `now`, `agency/workspace`, sorted. */
  consumers: string[];
  /** onRequest: the request/grant pairs open at `now`. */
  access: AccessMatch[];
  /** default and open: the AccessRequests of agencies at level 3 and above open at `now` (no grant needed). */
  requests: DeclaredUse[];
  /** Why parts of the service are not rendered (placement refused, sharing not allowed, no gateway to carry a consumer...). */
  issues: string[];
  /** The next time a request or grant window opens or closes (RFC 3339). */
  nextChange?: string;
}

export function catalogue(platform: Platform, now: Date): CatalogueEntry[] {
  const services = [...platform.services].sort((a, b) => cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name));
  const endpoints = gatewayEndpoints(platform);
  return services.map((s) => entry(platform, s, now, endpoints));
}

function entry(platform: Platform, service: SharedDataService, now: Date, endpoints: ReadonlyMap<string, GatewayEndpoint>): CatalogueEntry {
  const owner = actingAgency(platform, service);
  const rendered = renderService(platform, service, now);
  const issues = [...rendered.issues, ...serviceGatewayIssues(platform, service, rendered, now, endpoints)];
  const out: CatalogueEntry = {
    ref: `${service.metadata.namespace ?? ''}/${service.metadata.name}`,
    name: service.metadata.name,
    displayName: service.spec.displayName,
    dataClass: service.spec.dataClass,
    sharing: service.spec.sharing,
    workspace: service.spec.workspace,
    port: service.spec.port,
    dataCentres: rendered.dataCentres,
    dataCentreOwners: Object.fromEntries(
      rendered.dataCentres.flatMap((name) => {
        const dc = platform.dataCentres.find((d) => d.metadata.name === name);
        const owner = dc ? dataCentreOwner(dc) : undefined;
        return owner === undefined ? [] : [[name, owner]];
      }),
    ),
    consumers: rendered.consumers,
    access: rendered.access,
    requests: rendered.requests,
    issues: issues.map((i) => `${i.dataCentre ? `${i.dataCentre}: ` : ''}${i.message}`),
  };
  if (owner) {
    out.owner = owner.metadata.name;
    out.ownerDisplayName = owner.spec.displayName;
    const code = normaliseAgencyCode(owner.spec.code);
    // The renderer's identifier when it rendered; else the same formula, for refused services.
    if (rendered.identifier) out.identifier = rendered.identifier;
    else if (code.ok) out.identifier = serviceIdentifier(code.code, service.spec.subsystem, service.spec.serviceCode, service.spec.version);
  }
  if (rendered.nextChange) out.nextChange = rendered.nextChange.toISOString();
  return out;
}

/** What the data centres column says: an agency's own data centre is shown as its (`dc-btc (btc's)`). */
export function dataCentresText(e: CatalogueEntry): string {
  return e.dataCentres.map((d) => (e.dataCentreOwners[d] !== undefined ? `${d} (${e.dataCentreOwners[d]}'s)` : d)).join(', ') || 'none';
}

/** What the consumers column says. */
export function consumersText(e: CatalogueEntry): string {
  const declared = `level ${DECLARED_USE_LEVEL}+ on request`;
  if (e.sharing === 'default') return `agencies at levels 1-${DECLARED_USE_LEVEL - 1}; ${declared} (${e.consumers.length} workspaces)`;
  if (e.sharing === 'open') return `everyone at levels 1-${DECLARED_USE_LEVEL - 1}, also other data centres; ${declared} (${e.consumers.length} workspaces)`;
  return e.consumers.length === 0 ? 'none' : e.consumers.join(', ');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
