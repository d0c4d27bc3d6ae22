// What every controller does with an object the rules across objects reject (model/rules.ts,
// errors only): the one path for all kinds, so a spec `govcloud validate` refuses opens
// nothing, whether it came through a reviewed pull request or a tenant's kubectl.
//
// A rejected object is rendered no more: nothing of its spec is applied anywhere. What it
// had in the data centres is split by what it does. What opens access (RoleBindings, and
// NetworkPolicies with any allow rule) is removed at once: a spec turned bad, by its author
// or by another object's change (a data centre's new range, a peer's new level), keeps no
// path open. What only confines (namespaces, quotas, LimitRanges, the default-deny policy)
// and the workloads stay as they were: tenant data and running pods are never the price of a
// rejected spec, and nothing there opens a path without the policies. The object is Degraded
// with reason RuleViolation and a message naming each rule and field, with a Warning Event
// saying the same.
//
// A rejected object also counts for nothing in other objects' renders (`HubCache.admitted`):
// a rejected link answers no peer, a rejected request or grant pairs with nothing, a
// rejected agency is no consumer and no peer. An agency's rejection extends to what it
// writes in its hub namespace: the acting agency of those objects is the namespace's owner.
import type { KubernetesObject } from '@kubernetes/client-node';
import { agencyNameOfHubNamespace } from '../api/index.ts';
import type { RuleProblem } from '../model/rules.ts';
import { listText } from '../runtime/index.ts';
import type { HubCache } from './hub.ts';
import { pathText, type Outcome } from './status.ts';
import { changed, countsText, syncEverywhere, type DcOutcome, type SyncOptions } from './sync.ts';

export const RULE_VIOLATION = 'RuleViolation';

export interface Rejection {
  /** The rules that reject it, by name. */
  rules: string[];
  /** Every rule, field and message at once. */
  message: string;
}

const problemText = (p: RuleProblem): string => `rule ${p.rule} at ${pathText(p.path)}: ${p.message}`;

/** Why the rules reject this object (its own errors, or its acting agency's), or undefined when they do not. */
export function rejectionOf(hub: HubCache, object: KubernetesObject): Rejection | undefined {
  const kind = object.kind ?? '';
  const namespace = object.metadata?.namespace;
  const own = hub.errorsOf(kind, namespace, object.metadata?.name ?? '');
  const agency = kind === 'Agency' ? undefined : agencyNameOfHubNamespace(namespace);
  const acting = agency === undefined ? [] : hub.errorsOf('Agency', undefined, agency);
  if (own.length === 0 && acting.length === 0) return undefined;
  const texts = [...own.map(problemText), ...acting.map((p) => `its agency ${agency} is rejected by ${problemText(p)}`)];
  return {
    rules: [...new Set([...own, ...acting].map((p) => p.rule))],
    message: `rejected by the rules: ${listText(texts, { noun: 'rule problems', see: '`govcloud validate`' })}`,
  };
}

/** Degraded, naming the rules. */
export function rejectedOutcome(rejection: Rejection): Outcome & { state: 'degraded' } {
  return { state: 'degraded', reason: RULE_VIOLATION, message: rejection.message };
}

/** Whether a rendered object opens access: a binding, or a NetworkPolicy with an allow rule. */
export function opensAccess(obj: KubernetesObject): boolean {
  if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') return true;
  if (obj.kind !== 'NetworkPolicy') return false;
  const spec = (obj as { spec?: { ingress?: unknown[]; egress?: unknown[] } }).spec;
  return (spec?.ingress?.length ?? 0) > 0 || (spec?.egress?.length ?? 0) > 0;
}

/**
 * For a rejected object: applies nothing, removes what of it opens access in every
 * connected data centre, keeps the rest; a Normal Event `Withdrawn` where something was removed.
 */
export async function withdraw(object: KubernetesObject, opts: Omit<SyncOptions, 'desired' | 'mayDelete' | 'admit' | 'after'>): Promise<DcOutcome[]> {
  const outcomes = await syncEverywhere({ ...opts, desired: new Map(), mayDelete: opensAccess });
  for (const o of outcomes) if (changed(o)) void opts.ctx.recorder.normal(object, 'Withdrawn', 'Withdraw', `what opened access: ${countsText(o)}`);
  return outcomes;
}
