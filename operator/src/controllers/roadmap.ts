// MigrationPlan and ConsolidationTarget: nothing is rendered for either; the operator reports
// progress in their status, because leadership reads it there (kubectl, the dashboard) and
// it changes by time alone: a system falls overdue the day after its target date with no
// change to any object, so a controller re-queues itself for that day. The numbers come from
// roadmap/progress.ts, which the CLI and the dashboard read too.
//
// A MigrationPlan the rules reject (a target data centre not accredited for the system, a
// migrated system naming a workspace that does not exist) is Degraded through the same path
// as every kind (refusal.ts); its progress is still reported, since it is what the agency
// declared.
import type { KubernetesObject } from '@kubernetes/client-node';
import { agencyNameOfHubNamespace, hubNamespaceOf, type Agency, type ConsolidationTarget } from '../api/index.ts';
import { agencyProgress, dayOf, planProgress, targetProgress } from '../roadmap/progress.ts';
import { listText, type Condition, type ReconcileFn } from '../runtime/index.ts';
import type { ControllerContext } from './context.ts';
import { rejectedOutcome, rejectionOf, RULE_VIOLATION } from './refusal.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { itself, watch, watchEvery, type ControllerSetup, type HubView, type ObjectKey } from './watches.ts';

export const MIGRATIONPLAN_CONTROLLER = 'migrationplan';
export const CONSOLIDATIONTARGET_CONTROLLER = 'consolidationtarget';
const PLAN_FIELD_MANAGER = 'govcloud-migrationplan';
const TARGET_FIELD_MANAGER = 'govcloud-consolidationtarget';
const DAY_MS = 24 * 3600_000;

/** Milliseconds from now to the start (UTC) of the day after `day`: when what is due on `day` becomes late. */
export function untilDayAfter(day: string, now: number): number {
  return Math.max(1000, Date.parse(`${day}T00:00:00Z`) + DAY_MS - now);
}

interface WithConditions {
  conditions?: Condition[];
  overdueCount?: number;
}

export function migrationPlanReconciler(ctx: ControllerContext): ReconcileFn {
  return async (req) => {
    const plan = ctx.hub.plans.get(req.namespace, req.name);
    if (!plan || plan.metadata.deletionTimestamp) return;
    const now = ctx.clock.now();
    const progress = planProgress(plan, dayOf(new Date(now)));
    const previous = ctx.status.previous<WithConditions>(plan);
    const rejection = rejectionOf(ctx.hub, plan);
    const done = progress.migrated + progress.retired;
    const summary = `${done} of ${progress.systems} systems migrated or retired, ${progress.overdue.length} overdue`;
    const overdue = `${summary}: ${listText(
      progress.overdue.map((o) => `${o.name} (due ${o.targetDate})`),
      { noun: 'overdue systems', separator: ', ', see: 'status.overdue' },
    )}`;
    const outcome: Outcome = rejection
      ? rejectedOutcome(rejection)
      : progress.overdue.length > 0
        ? { state: 'ready', reason: 'Overdue', message: overdue }
        : { state: 'ready', reason: 'OnSchedule', message: summary };
    const status: Record<string, unknown> = {
      observedGeneration: plan.metadata.generation,
      agency: agencyNameOfHubNamespace(req.namespace),
      systems: progress.systems,
      planned: progress.planned,
      migrating: progress.migrating,
      migrated: progress.migrated,
      retired: progress.retired,
      overdueCount: progress.overdue.length,
      lateCompletions: progress.lateCompletions,
      overdue: progress.overdue,
      ...(progress.nextTargetDate !== undefined ? { nextTargetDate: progress.nextTargetDate } : {}),
      conditions: conditionsFor(previous?.conditions, outcome, plan.metadata.generation, now),
    };
    if (rejection) void ctx.recorder.warning(plan, RULE_VIOLATION, 'Reconcile', rejection.message);
    else if (progress.overdue.length > (previous?.overdueCount ?? 0)) void ctx.recorder.warning(plan, 'Overdue', 'Progress', overdue);
    await ctx.status.write(plan, status, PLAN_FIELD_MANAGER);
    if (progress.nextTargetDate === undefined) return;
    return { requeueAfter: Math.min(untilDayAfter(progress.nextTargetDate, now), ctx.maxRequeueMs) };
  };
}

/** A change to an Agency enqueues the MigrationPlans in its hub namespace (its rejection is theirs). */
export function plansForAgency(hub: HubView, agency: Agency): ObjectKey[] {
  const namespace = hubNamespaceOf(agency.metadata.name);
  return hub.plans.list(namespace).map((p) => ({ namespace, name: p.metadata?.name ?? '' }));
}

export const migrationPlanController: ControllerSetup = {
  kind: 'MigrationPlan',
  name: MIGRATIONPLAN_CONTROLLER,
  reconciler: migrationPlanReconciler,
  object: (hub, namespace, name) => hub.plans.get(namespace, name),
  watches: [watch('plans', itself), watch('agencies', plansForAgency)],
};

export function consolidationTargetReconciler(ctx: ControllerContext): ReconcileFn {
  return async (req) => {
    const target = ctx.hub.targets.get(undefined, req.name) as (ConsolidationTarget & KubernetesObject) | undefined;
    if (!target || target.metadata.deletionTimestamp) return;
    const now = ctx.clock.now();
    const today = dayOf(new Date(now));
    const progress = targetProgress(target, agencyProgress(ctx.hub.admitted(), today), today);
    const previous = ctx.status.previous<WithConditions>(target);
    const due = target.spec.sharePercent;
    const message = `${progress.sharePercent}% of ${progress.systems} systems migrated or retired (${due}% due by ${target.spec.by}); ${progress.agenciesBehind} of ${progress.agencies} agencies below ${due}%`;
    const outcome: Outcome = { state: 'ready', reason: progress.verdict, message };
    const status: Record<string, unknown> = {
      observedGeneration: target.metadata.generation,
      agencies: progress.agencies,
      systems: progress.systems,
      done: progress.done,
      sharePercent: progress.sharePercent,
      agenciesBehind: progress.agenciesBehind,
      behind: progress.behind,
      conditions: conditionsFor(previous?.conditions, outcome, target.metadata.generation, now),
    };
    const before = previous?.conditions?.find((c) => c.type === 'Ready')?.reason;
    if (progress.verdict === 'Missed' && before !== 'Missed') void ctx.recorder.warning(target, 'Missed', 'Progress', message);
    await ctx.status.write(target, status, TARGET_FIELD_MANAGER);
    if (progress.verdict !== 'Behind') return;
    return { requeueAfter: Math.min(untilDayAfter(target.spec.by, now), ctx.maxRequeueMs) };
  };
}

export const consolidationTargetController: ControllerSetup = {
  kind: 'ConsolidationTarget',
  name: CONSOLIDATIONTARGET_CONTROLLER,
  reconciler: consolidationTargetReconciler,
  object: (hub, _namespace, name) => hub.targets.get(undefined, name),
  // Every plan and every agency (its type decides which targets count it) moves every target.
  watches: [watch('targets', itself), watchEvery('plans'), watchEvery('agencies')],
};
