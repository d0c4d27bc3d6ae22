/**
 * Rules across objects: what no single object's schema can know. Unique names and codes,
 * references that resolve, placement only where the data centre is accredited, capacity,
 * link consent and encryption, access requests and grants that fit together.
 *
 * Across data centres a peer is seen by address only (its data centre's networkRanges), which
 * cannot tell one workspace from another. A request/grant pair for an on-request service
 * whose two sides share no data centre is carried by the exchange gateways when both data
 * centres have one and offer encrypted links, and is an error otherwise (the gateway renderer
 * reports `GatewayUnavailable`); a pair of links between two agencies that share no data
 * centre opens nothing and is an error (`CrossDataCentreAccessUnsupported`), and so is an
 * agency at security level 3 or above requesting a default or open service (which it must
 * declare to use) where they share no data centre: the gateways carry on-request services only.
 *
 * One file per concern: rules/placement.ts (data centres, addresses, placement, capacity),
 * rules/links.ts, rules/access.ts (services, requests, grants), rules/roadmap.ts (the
 * agencies' MigrationPlans); here the agencies' own
 * identity (unique names, codes, namespaces, parents) and the order the rules run in.
 *
 * Pure: a Platform in, problems out, each keyed by the object at fault and a field path
 * from that object's root. `govcloud validate` turns them into file:line messages; the
 * operator can put the same messages in conditions. Every object of the Platform is
 * assumed valid on its own (schema and CEL); objects that are not can be named in
 * `options.alsoPresent` so that references to them still resolve.
 */
import { HUB_NAMESPACE_PREFIX, hubNamespaceOf, normaliseAgencyCode, platformNamespaceClash, workspaceNamespace, type Agency } from '../api/index.ts';
import { addressPlan } from './addresses.ts';
import type { Platform } from './platform.ts';
import { checkGrants, checkRequests, checkServices } from './rules/access.ts';
import { describeObject, Index, refKey, type PlatformObject, type Report, type RuleOptions, type RuleProblem } from './rules/common.ts';
import { checkLinks, checkSelfLinks } from './rules/links.ts';
import { checkMigrationPlans } from './rules/roadmap.ts';
import { checkAgencyPlacement, checkCapacity, checkDataCentres, checkDeclaredNetworks, checkInternetEgress } from './rules/placement.ts';

export type { ObjectRef, PlatformObject, RuleOptions, RuleProblem } from './rules/common.ts';

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
  checkAgencies(platform, index, ...both('agencies'));
  checkPlatformNamespaces(platform, options.platformNamespaces ?? [], errors('platform-namespaces'));
  checkInternetEgress(platform, plan, errors('internet-egress'));
  checkCapacity(platform, index, errors('capacity'));
  checkLinks(platform, index, plan, ...both('links'));
  checkSelfLinks(platform, errors('self-links'));
  checkServices(platform, index, errors('services'));
  checkRequests(platform, index, ...both('access-requests'));
  checkGrants(platform, index, ...both('access-grants'));
  checkMigrationPlans(platform, index, ...both('migration-plans'));
  return out;
}

function checkDuplicates(platform: Platform, error: Report): void {
  const all: PlatformObject[] = [
    ...platform.dataCentres,
    ...platform.agencies,
    ...platform.links,
    ...platform.services,
    ...platform.requests,
    ...platform.grants,
    ...platform.plans,
    ...platform.targets,
  ];
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
      const clash =
        platformNamespaceClash(ns, extra) ??
        (ns.startsWith(HUB_NAMESPACE_PREFIX) ? `${HUB_NAMESPACE_PREFIX}* namespaces are the agencies' hub namespaces` : undefined);
      if (clash)
        error(agency, ['spec', 'workspaces', i, 'name'], `workspace "${w.name}" would be namespace ${ns}, and ${clash}: rename the workspace or the agency`);
    });
  }
}

function checkAgencies(platform: Platform, index: Index, error: Report, warning: Report): void {
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
        const written =
          agency.spec.code === code.code && earlier.spec.code === code.code
            ? ''
            : ` (${JSON.stringify(agency.spec.code)} and ${JSON.stringify(earlier.spec.code)} are the same code)`;
        error(agency, ['spec', 'code'], `code ${code.code} is already ${describeObject(earlier)}'s${written}: one agency, one code`, earlier);
      } else if (!earlier) codes.set(code.code, agency);
    }

    agency.spec.workspaces.forEach((w, i) => {
      const ns = workspaceNamespace(name, w.name);
      const earlier = namespaces.get(ns);
      if (earlier && earlier.agency.metadata.name !== name) {
        error(
          agency,
          ['spec', 'workspaces', i, 'name'],
          `namespace ${ns} would also be the namespace of workspace "${earlier.workspace}" of ${describeObject(earlier.agency)}: rename one of them`,
          earlier.agency,
        );
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

    checkAgencyPlacement(platform, agency, index, error, warning);
  }
}
