// What the operator tells the writers of AccessRequests and AccessGrants: whether their
// object opens anything now (`active`), which object on the other side it pairs with
// (`matchedBy`), for which workspaces, and for which agency it speaks (`agency`: the owner
// of the namespace it was written in, never a field). A grant written anywhere but in the
// provider's own hub namespace grants nothing, and its status says why. Also the access
// history of a service: every grant, revocation and expiry, newest last.
import type { KubernetesObject } from '@kubernetes/client-node';
import { agencyNameOfHubNamespace, hubNamespaceOf, type AccessGrant, type AccessRequest, type SharedDataService } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import type { AccessMatch, ServiceRender } from '../render/index.ts';
import { closedBecause, windowOf } from '../model/window.ts';
import { formatTime, listText } from '../runtime/index.ts';
import type { HubCache } from './hub.ts';
import { RULE_VIOLATION, rejectionOf } from './refusal.ts';
import type { Outcome } from './status.ts';

export interface AccessDecision {
  object: AccessGrant | AccessRequest;
  status: { agency?: string; active: boolean; matchedBy?: string; workspaces: string[] };
  outcome: Outcome;
}

const nsName = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function shared(service: SharedDataService): string {
  return service.spec.sharing === 'open' ? 'openly' : 'by default';
}

interface Inputs {
  hub: HubCache;
  platform: Platform;
  /** The service's key: its namespace and name (the service itself may not exist). */
  namespace: string;
  name: string;
  service: SharedDataService | undefined;
  /** The rules reject the service: nothing pairs with it. */
  rejected: boolean;
  render: ServiceRender | undefined;
  now: number;
}

function active(object: AccessGrant | AccessRequest, agency: string, matches: AccessMatch[], other: 'grant' | 'request', describe: string): AccessDecision {
  const workspaces = [...new Set(matches.flatMap((m) => m.workspaces))].sort();
  return {
    object,
    status: { agency, active: true, matchedBy: matches[0]![other], workspaces },
    outcome: { state: 'ready', reason: 'Active', message: `${describe} for workspaces ${listText(workspaces, { noun: 'workspaces', separator: ', ' })}` },
  };
}

function closed(object: AccessGrant | AccessRequest, agency: string | undefined, outcome: Outcome): AccessDecision {
  return { object, status: { ...(agency !== undefined ? { agency } : {}), active: false, workspaces: [] }, outcome };
}

/** A request or grant the rules reject pairs with nothing (the service renders without it): it says why. */
function withRuleErrors(d: AccessDecision, hub: HubCache): AccessDecision {
  const rejection = rejectionOf(hub, d.object as AccessDecision['object'] & KubernetesObject);
  if (!rejection || d.outcome.state === 'degraded') return d;
  return { ...d, outcome: { state: 'degraded', reason: RULE_VIOLATION, message: rejection.message } };
}

export function grantDecision(input: Inputs, grant: AccessGrant): AccessDecision {
  const { platform, service, now } = input;
  const ns = grant.metadata.namespace ?? '';
  const acting = agencyNameOfHubNamespace(ns);
  const refuse = (reason: string, message: string, agency?: string) =>
    closed(grant, agency, { state: 'degraded', reason, message: `${message}: this grant opens nothing` });
  if (acting === undefined)
    return refuse('NotInHubNamespace', `a grant is written by the provider in its own hub namespace govcloud-<agency>, and ${ns} is not one`);
  if (!platform.agencies.some((a) => a.metadata.name === acting))
    return refuse('AgencyNotFound', `namespace ${ns} belongs to no Agency (there is no Agency ${acting})`, acting);
  if (!service) {
    return refuse(
      'ServiceNotFound',
      `agency ${acting} has no SharedDataService "${grant.spec.service}" in ${ns}; an agency grants access only to its own services, from its own namespace`,
      acting,
    );
  }
  if (input.rejected) return refuse('ServiceRejected', `SharedDataService ${service.metadata.name} is rejected by the rules`, acting);
  if (service.spec.sharing !== 'onRequest')
    return closed(grant, acting, { state: 'inactive', reason: 'NotNeeded', message: `not needed: the service is shared ${shared(service)}` });
  const consumer = grant.spec.consumer;
  if (!platform.agencies.some((a) => a.metadata.name === consumer)) return refuse('ConsumerNotFound', `there is no Agency ${consumer}`, acting);
  const matches = (input.render?.access ?? []).filter((m) => m.grant === nsName(grant));
  if (matches.length > 0) return withRuleErrors(active(grant, acting, matches, 'request', `opens ${service.metadata.name} to ${consumer}`), input.hub);
  const window = closedBecause(windowOf(grant.spec), new Date(now));
  if (window) {
    const message = window === 'Expired' ? `expired at ${grant.spec.validUntil}` : `opens at ${grant.spec.validFrom}`;
    return withRuleErrors(closed(grant, acting, { state: window === 'Expired' ? 'inactive' : 'progressing', reason: window, message }), input.hub);
  }
  const requests = platform.requests.filter(
    (r) => r.metadata.namespace === hubNamespaceOf(consumer) && r.spec.provider === acting && r.spec.service === service.metadata.name,
  );
  const outcome: Outcome =
    requests.length === 0
      ? {
          state: 'progressing',
          reason: 'WaitingForRequest',
          message: `pending consent: ${consumer} has not requested this service (no AccessRequest in ${hubNamespaceOf(consumer)})`,
        }
      : { state: 'inactive', reason: 'NoMatch', message: `the requests of ${consumer} are outside their windows or name none of the granted workspaces` };
  return withRuleErrors(closed(grant, acting, outcome), input.hub);
}

export function requestDecision(input: Inputs, request: AccessRequest): AccessDecision {
  const { platform, service, now } = input;
  const ns = request.metadata.namespace ?? '';
  const acting = agencyNameOfHubNamespace(ns);
  const refuse = (reason: string, message: string, agency?: string) =>
    closed(request, agency, { state: 'degraded', reason, message: `${message}: this request opens nothing` });
  if (acting === undefined)
    return refuse('NotInHubNamespace', `a request is written by the consumer in its own hub namespace govcloud-<agency>, and ${ns} is not one`);
  if (!platform.agencies.some((a) => a.metadata.name === acting))
    return refuse('AgencyNotFound', `namespace ${ns} belongs to no Agency (there is no Agency ${acting})`, acting);
  const provider = request.spec.provider;
  if (!platform.agencies.some((a) => a.metadata.name === provider)) return refuse('ProviderNotFound', `there is no Agency ${provider}`, acting);
  if (!service) return refuse('ServiceNotFound', `agency ${provider} publishes no SharedDataService "${request.spec.service}"`, acting);
  if (input.rejected) return refuse('ServiceRejected', `SharedDataService ${service.metadata.name} of ${provider} is rejected by the rules`, acting);
  if (service.spec.sharing !== 'onRequest')
    return closed(request, acting, { state: 'inactive', reason: 'NotNeeded', message: `not needed: the service is shared ${shared(service)}` });
  const matches = (input.render?.access ?? []).filter((m) => m.request === nsName(request));
  if (matches.length > 0) return withRuleErrors(active(request, acting, matches, 'grant', `${provider} granted access to ${service.metadata.name}`), input.hub);
  const window = closedBecause(windowOf(request.spec), new Date(now));
  if (window) {
    const message = window === 'Expired' ? `expired at ${request.spec.validUntil}` : `opens at ${request.spec.validFrom}`;
    return withRuleErrors(closed(request, acting, { state: window === 'Expired' ? 'inactive' : 'progressing', reason: window, message }), input.hub);
  }
  const grants = platform.grants.filter(
    (g) => g.metadata.namespace === hubNamespaceOf(provider) && g.spec.service === service.metadata.name && g.spec.consumer === acting,
  );
  const outcome: Outcome =
    grants.length === 0
      ? {
          state: 'progressing',
          reason: 'WaitingForGrant',
          message: `pending consent: ${provider} has not granted it (no AccessGrant in ${hubNamespaceOf(provider)})`,
        }
      : { state: 'inactive', reason: 'NoMatch', message: `the grants of ${provider} are outside their windows or grant none of the requested workspaces` };
  return withRuleErrors(closed(request, acting, outcome), input.hub);
}

/** Every request and grant that names the service of this key, decided. */
export function accessDecisions(input: Inputs): AccessDecision[] {
  const provider = agencyNameOfHubNamespace(input.namespace);
  const grants = input.platform.grants.filter((g) => g.metadata.namespace === input.namespace && g.spec.service === input.name);
  const requests = provider === undefined ? [] : input.platform.requests.filter((r) => r.spec.provider === provider && r.spec.service === input.name);
  return [...grants.map((g) => grantDecision(input, g)), ...requests.map((r) => requestDecision(input, r))];
}

export interface HistoryEntry {
  time: string;
  event: 'Granted' | 'Revoked' | 'Expired';
  consumer: string;
  grant: string;
  request?: string;
}

export const HISTORY_LIMIT = 100;

/**
 * The history after this reconcile: a Granted line for each request/grant pair that opened,
 * and for each that closed an Expired line (a window ended) or a Revoked one (a side was
 * withdrawn or changed). Which pairs are open is replayed from the history itself, and
 * `wasOpen` says so of a pair whose Granted line the bounded history no longer holds (more
 * pairs open at once than it keeps lines): without it, every reconcile would grant those again.
 */
export function nextHistory(
  previous: readonly HistoryEntry[] | undefined,
  access: readonly AccessMatch[],
  platform: Platform,
  now: number,
  wasOpen: (m: AccessMatch) => boolean = () => false,
): { history: HistoryEntry[]; added: HistoryEntry[] } {
  const pair = (grant: string, request: string | undefined) => `${grant}|${request ?? ''}`;
  const open = new Map<string, HistoryEntry>();
  for (const e of previous ?? []) {
    if (e.event === 'Granted') open.set(pair(e.grant, e.request), e);
    else open.delete(pair(e.grant, e.request));
  }
  const time = formatTime(now);
  const added: HistoryEntry[] = [];
  const current = new Set(access.map((m) => pair(m.grant, m.request)));
  for (const m of access) {
    if (!open.has(pair(m.grant, m.request)) && !wasOpen(m)) added.push({ time, event: 'Granted', consumer: m.consumer, grant: m.grant, request: m.request });
  }
  const find = <T extends { metadata: { namespace?: string; name: string } }>(list: T[], ref: string | undefined) => list.find((o) => nsName(o) === ref);
  for (const [key, e] of open) {
    if (current.has(key)) continue;
    const ended = [find(platform.grants, e.grant), find(platform.requests, e.request)].some(
      (o) => o !== undefined && closedBecause(windowOf(o.spec), new Date(now)) === 'Expired',
    );
    const entry: HistoryEntry = { time, event: ended ? 'Expired' : 'Revoked', consumer: e.consumer, grant: e.grant };
    if (e.request !== undefined) entry.request = e.request;
    added.push(entry);
  }
  return { history: [...(previous ?? []), ...added].slice(-HISTORY_LIMIT), added };
}
