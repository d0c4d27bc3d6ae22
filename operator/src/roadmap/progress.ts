/**
 * How far the consolidation has come: each MigrationPlan's progress (systems by state,
 * overdue, completed late) and each ConsolidationTarget's (the share of systems migrated or
 * retired, over all and per agency, against the share due). Pure: API objects and a day in,
 * plain data out. The operator writes it into status, the CLI and the dashboard read it from
 * the same functions.
 *
 * Dates are days (YYYY-MM-DD, UTC): a system is overdue from the day after its target date,
 * and a target is missed from the day after its date.
 */
import { agencyNameOfHubNamespace, DONE_STATES, type Agency, type ConsolidationTarget, type MigrationPlan, type MigrationState } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';

/** Targets list at most this many agencies behind (status stays small at a thousand agencies). */
export const BEHIND_LISTED = 50;

/** The day of an instant, in UTC. */
export function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface OverdueSystem {
  name: string;
  targetDate: string;
  state: MigrationState;
}

export interface PlanProgress {
  systems: number;
  planned: number;
  migrating: number;
  migrated: number;
  retired: number;
  /** Migrated or retired after the target date. */
  lateCompletions: number;
  /** Past the target date, not migrated or retired: the earliest due first. */
  overdue: OverdueSystem[];
  /** The earliest target date from today on, of a system not done. */
  nextTargetDate?: string;
}

const isDone = (state: string): boolean => (DONE_STATES as readonly string[]).includes(state);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function planProgress(plan: MigrationPlan, today: string): PlanProgress {
  const out: PlanProgress = { systems: 0, planned: 0, migrating: 0, migrated: 0, retired: 0, lateCompletions: 0, overdue: [] };
  for (const s of plan.spec.systems) {
    const state = s.state as MigrationState;
    out.systems++;
    out[state]++;
    if (isDone(state)) {
      if (s.completedOn !== undefined && s.completedOn > s.targetDate) out.lateCompletions++;
    } else if (s.targetDate < today) {
      out.overdue.push({ name: s.name, targetDate: s.targetDate, state });
    } else if (out.nextTargetDate === undefined || s.targetDate < out.nextTargetDate) {
      out.nextTargetDate = s.targetDate;
    }
  }
  out.overdue.sort((a, b) => cmp(a.targetDate, b.targetDate) || cmp(a.name, b.name));
  return out;
}

export interface AgencyProgress {
  agency: string;
  displayName?: string;
  type?: string;
  systems: number;
  done: number;
  overdue: number;
  /** done / systems in percent, rounded down; 0 without systems. */
  sharePercent: number;
}

/** Each agency with a MigrationPlan (its hub namespace's owner), all its plans together, by name. */
export function agencyProgress(platform: Platform, today: string): AgencyProgress[] {
  const byAgency = new Map<string, AgencyProgress>();
  const agencies = new Map<string, Agency>(platform.agencies.map((a) => [a.metadata.name, a]));
  for (const plan of platform.plans) {
    const name = agencyNameOfHubNamespace(plan.metadata.namespace);
    if (name === undefined) continue;
    let row = byAgency.get(name);
    if (!row) {
      const agency = agencies.get(name);
      row = { agency: name, systems: 0, done: 0, overdue: 0, sharePercent: 0 };
      if (agency) Object.assign(row, { displayName: agency.spec.displayName, type: agency.spec.type });
      byAgency.set(name, row);
    }
    const p = planProgress(plan, today);
    row.systems += p.systems;
    row.done += p.migrated + p.retired;
    row.overdue += p.overdue.length;
  }
  const rows = [...byAgency.values()].sort((a, b) => cmp(a.agency, b.agency));
  for (const r of rows) r.sharePercent = percent(r.done, r.systems);
  return rows;
}

export interface TargetProgress {
  agencies: number;
  systems: number;
  done: number;
  sharePercent: number;
  agenciesBehind: number;
  /** Agencies below the target's share, the furthest behind first, at most BEHIND_LISTED. */
  behind: string[];
  /** Met: the share is reached (over all and by every agency); Missed: the date has passed without; Behind: not yet reached, still due. */
  verdict: 'Met' | 'Behind' | 'Missed';
}

/** A target against the agencies of its types that declare a roadmap. */
export function targetProgress(target: ConsolidationTarget, agencies: readonly AgencyProgress[], today: string): TargetProgress {
  const types = target.spec.agencyTypes;
  const covered = agencies.filter((a) => types === undefined || (a.type !== undefined && types.includes(a.type)));
  const systems = covered.reduce((n, a) => n + a.systems, 0);
  const done = covered.reduce((n, a) => n + a.done, 0);
  const sharePercent = percent(done, systems);
  const behindAll = covered
    .filter((a) => a.sharePercent < target.spec.sharePercent)
    .sort((a, b) => a.sharePercent - b.sharePercent || cmp(a.agency, b.agency))
    .map((a) => a.agency);
  const reached = sharePercent >= target.spec.sharePercent && behindAll.length === 0;
  return {
    agencies: covered.length,
    systems,
    done,
    sharePercent,
    agenciesBehind: behindAll.length,
    behind: behindAll.slice(0, BEHIND_LISTED),
    verdict: reached ? 'Met' : target.spec.by < today ? 'Missed' : 'Behind',
  };
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 100) / whole);
}
