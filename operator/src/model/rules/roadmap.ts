/**
 * Rules of the agencies' consolidation roadmaps (MigrationPlan): each system's target data
 * centre exists and the policy's one placement decision (model/policy.ts) lets it host a
 * system of that level for this agency; the system's level and data class fit the agency
 * and the workspace it moves into; a system marked migrated names a workspace of the agency
 * that exists, in a data centre the agency is placed in. While a system is only planned or
 * migrating, a workspace or placement not there yet is a warning: the plan may come first.
 * A system is named once per agency, across all its plans.
 */
import { DONE_STATES, type Agency, type MigrationPlan } from '../../api/index.ts';
import { placementContext, type Platform } from '../platform.ts';
import { dataClassExceeds, placementRefusalAt } from '../policy.ts';
import { acting, describeObject, workspaceNames, type Index, type Report } from './common.ts';
import { placementRefusalText } from './placement.ts';

export function checkMigrationPlans(platform: Platform, index: Index, error: Report, warning: Report): void {
  const seen = new Map<string, MigrationPlan>();
  for (const plan of platform.plans) {
    const agency = acting(plan, index, error);
    if (agency === null) {
      error(plan, ['metadata', 'namespace'], "a MigrationPlan belongs in its agency's hub namespace (govcloud-<agency>)");
      continue;
    }
    plan.spec.systems.forEach((system, i) => {
      const at = (...rest: (string | number)[]) => ['spec', 'systems', i, ...rest];
      const ns = plan.metadata.namespace ?? '';
      const earlier = seen.get(`${ns}/${system.name}`);
      if (earlier && earlier !== plan) error(plan, at('name'), `system "${system.name}" is also in ${describeObject(earlier)}: name each system once`, earlier);
      else seen.set(`${ns}/${system.name}`, plan);
      if (!agency) return;
      checkSystem(platform, plan, agency, i, index, error, warning, at);
    });
  }
}

function checkSystem(
  platform: Platform,
  plan: MigrationPlan,
  agency: Agency,
  i: number,
  index: Index,
  error: Report,
  warning: Report,
  at: (...rest: (string | number)[]) => (string | number)[],
): void {
  const system = plan.spec.systems[i]!;
  const name = agency.metadata.name;
  if (system.securityLevel > agency.spec.securityLevel) {
    error(
      plan,
      at('securityLevel'),
      `the system is at security level ${system.securityLevel}, above its agency's level ${agency.spec.securityLevel}: the agency's workspaces are isolated for level ${agency.spec.securityLevel} only`,
    );
  }
  const target = system.target;
  if (!target) return;
  const done = (DONE_STATES as readonly string[]).includes(system.state);
  const report = done ? error : warning;
  const dc = index.dataCentres.get(target.dataCentre);
  if (!dc) {
    if (!index.exists('DataCentre', undefined, target.dataCentre)) error(plan, at('target', 'dataCentre'), `no DataCentre named "${target.dataCentre}"`);
  } else {
    const refusal = placementRefusalAt(name, system.securityLevel, dc, placementContext(platform, agency, dc));
    if (refusal) error(plan, at('target', 'dataCentre'), placementRefusalText(refusal, dc, name, "the system's"), dc);
    else if (!agency.spec.placement.dataCentres.includes(target.dataCentre)) {
      report(
        plan,
        at('target', 'dataCentre'),
        `Agency/${name} is not placed in ${describeObject(dc)} (spec.placement.dataCentres)${done ? ': a migrated system runs where its agency is placed' : ' yet'}`,
        agency,
      );
    }
  }
  const workspace = agency.spec.workspaces.find((w) => w.name === target.workspace);
  if (!workspace) {
    report(
      plan,
      at('target', 'workspace'),
      `Agency/${name} has no workspace "${target.workspace}"${done ? ': a migrated system names a workspace that exists' : ' yet'} (it has ${workspaceNames(agency)})`,
      agency,
    );
  } else if (dataClassExceeds(system.dataClass, workspace.dataClass)) {
    error(
      plan,
      at('dataClass'),
      `the system holds ${system.dataClass} data and workspace "${workspace.name}" is declared for ${workspace.dataClass} data at most`,
      agency,
    );
  }
}
