/**
 * The consolidation roadmap on the dashboard: progress per agency type and against each
 * ConsolidationTarget, the overdue migrations (overview), and an agency's own systems (its
 * page). View models only, from the same pure functions the operator writes into status
 * (roadmap/progress.ts), so the page and `kubectl get ctarget` agree; live and `--static`
 * alike, as both hold the MigrationPlans and ConsolidationTargets.
 */
import { AGENCY_TYPES, agencyNameOfHubNamespace, hubNamespaceOf, type MigrationState } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { agencyProgress, dayOf, planProgress, targetProgress, type TargetProgress } from '../roadmap/progress.ts';

/** The overview lists at most this many overdue systems, the longest overdue first, with the total beside. */
export const OVERDUE_LISTED = 20;

export interface NamedAgency {
  name: string;
  displayName: string;
}

export interface TargetRow {
  name: string;
  description: string;
  /** Empty: every agency type. */
  agencyTypes: string[];
  /** The share due. */
  targetPercent: number;
  by: string;
  agencies: number;
  systems: number;
  done: number;
  /** The share reached. */
  sharePercent: number;
  agenciesBehind: number;
  behind: NamedAgency[];
  verdict: TargetProgress['verdict'];
}

export interface TypeProgress {
  type: string;
  agencies: number;
  systems: number;
  done: number;
  sharePercent: number;
  overdue: number;
}

export interface OverdueRow {
  agency: string;
  agencyDisplayName: string;
  system: string;
  systemDisplayName: string;
  targetDate: string;
  state: MigrationState;
}

export interface RoadmapOverview {
  today: string;
  targets: TargetRow[];
  /** Agency types with at least one MigrationPlan, in the API's order. */
  byType: TypeProgress[];
  /** At most OVERDUE_LISTED, the earliest due first. */
  overdue: OverdueRow[];
  overdueCount: number;
}

export interface SystemRow {
  plan: string;
  name: string;
  displayName: string;
  securityLevel: number;
  dataClass: string;
  currentLocation: string;
  dataCentre?: string;
  workspace?: string;
  targetDate: string;
  state: MigrationState;
  completedOn?: string;
  /** Past its target date, not migrated or retired. */
  overdue: boolean;
  /** Migrated or retired after its target date. */
  late: boolean;
}

export interface AgencyRoadmap {
  today: string;
  systems: number;
  done: number;
  sharePercent: number;
  overdue: number;
  rows: SystemRow[];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const percent = (part: number, whole: number): number => (whole === 0 ? 0 : Math.floor((part * 100) / whole));

export function roadmapOverview(platform: Platform, now: Date): RoadmapOverview {
  const today = dayOf(now);
  const progress = agencyProgress(platform, today);
  const display = new Map(platform.agencies.map((a) => [a.metadata.name, a.spec.displayName]));
  const targets = platform.targets
    .map((t): TargetRow => {
      const p = targetProgress(t, progress, today);
      return {
        name: t.metadata.name,
        description: t.spec.description,
        agencyTypes: [...(t.spec.agencyTypes ?? [])],
        targetPercent: t.spec.sharePercent,
        by: t.spec.by,
        agencies: p.agencies,
        systems: p.systems,
        done: p.done,
        sharePercent: p.sharePercent,
        agenciesBehind: p.agenciesBehind,
        behind: p.behind.map((name) => ({ name, displayName: display.get(name) ?? name })),
        verdict: p.verdict,
      };
    })
    .sort((a, b) => cmp(a.by, b.by) || cmp(a.name, b.name));
  const byType = AGENCY_TYPES.map((type): TypeProgress => {
    const rows = progress.filter((a) => a.type === type);
    const systems = rows.reduce((n, a) => n + a.systems, 0);
    const done = rows.reduce((n, a) => n + a.done, 0);
    return { type, agencies: rows.length, systems, done, sharePercent: percent(done, systems), overdue: rows.reduce((n, a) => n + a.overdue, 0) };
  }).filter((r) => r.agencies > 0);
  const overdue: OverdueRow[] = [];
  for (const plan of platform.plans) {
    const agency = agencyNameOfHubNamespace(plan.metadata.namespace);
    if (agency === undefined) continue;
    const names = new Map(plan.spec.systems.map((s) => [s.name, s.displayName]));
    for (const o of planProgress(plan, today).overdue)
      overdue.push({
        agency,
        agencyDisplayName: display.get(agency) ?? agency,
        system: o.name,
        systemDisplayName: names.get(o.name) ?? o.name,
        targetDate: o.targetDate,
        state: o.state,
      });
  }
  overdue.sort((a, b) => cmp(a.targetDate, b.targetDate) || cmp(a.agency, b.agency) || cmp(a.system, b.system));
  return { today, targets, byType, overdue: overdue.slice(0, OVERDUE_LISTED), overdueCount: overdue.length };
}

/** An agency's systems from all the MigrationPlans in its hub namespace, by target date; undefined without a plan. */
export function agencyRoadmap(platform: Platform, agency: string, now: Date): AgencyRoadmap | undefined {
  const today = dayOf(now);
  const plans = platform.plans.filter((p) => p.metadata.namespace === hubNamespaceOf(agency));
  if (plans.length === 0) return undefined;
  const rows: SystemRow[] = plans.flatMap((p) =>
    p.spec.systems.map((s): SystemRow => {
      const state = s.state as MigrationState;
      const done = state === 'migrated' || state === 'retired';
      return {
        plan: p.metadata.name,
        name: s.name,
        displayName: s.displayName,
        securityLevel: s.securityLevel,
        dataClass: s.dataClass,
        currentLocation: s.currentLocation,
        ...(s.target ? { dataCentre: s.target.dataCentre, workspace: s.target.workspace } : {}),
        targetDate: s.targetDate,
        state,
        ...(s.completedOn ? { completedOn: s.completedOn } : {}),
        overdue: !done && s.targetDate < today,
        late: done && s.completedOn !== undefined && s.completedOn > s.targetDate,
      };
    }),
  );
  rows.sort((a, b) => cmp(a.targetDate, b.targetDate) || cmp(a.name, b.name));
  const done = rows.filter((r) => r.state === 'migrated' || r.state === 'retired').length;
  return { today, systems: rows.length, done, sharePercent: percent(done, rows.length), overdue: rows.filter((r) => r.overdue).length, rows };
}
