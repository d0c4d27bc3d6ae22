// The MigrationPlan and ConsolidationTarget controllers (status from roadmap/progress.ts, a
// re-queue for the day a system falls overdue).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { migrationPlanReconciler } from '../../src/controllers/roadmap.ts';
import { planProgress } from '../../src/roadmap/progress.ts';
import { agency, condition, dataCentres, harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';

const system = (name: string, targetDate: string, state: string, extra: Record<string, unknown> = {}) => ({
  name,
  displayName: `Hệ thống ${name}`,
  securityLevel: 2,
  dataClass: 'shared',
  currentLocation: 'Phòng máy chủ của Bộ',
  target: { dataCentre: 'dc-hanoi', workspace: 'app' },
  targetDate,
  state,
  ...extra,
});

const plan = (systems: unknown[]): Obj => ({
  apiVersion: API,
  kind: 'MigrationPlan',
  metadata: { namespace: 'govcloud-btc', name: 'lo-trinh' },
  spec: { systems },
});
const target: Obj = {
  apiVersion: API,
  kind: 'ConsolidationTarget',
  metadata: { name: 'bo-nganh' },
  spec: { description: 'Chỉ tiêu thử', agencyTypes: ['ministry'], sharePercent: 50, by: '2026-01-05' },
};

test("a plan's status counts its systems; the controller comes back the day a system falls overdue", async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('btc', { code: 'G12', dcs: ['dc-hanoi'] }));
  h.apply(plan([system('etax', '2026-01-01', 'planned'), system('cu', '2025-12-01', 'migrated', { completedOn: '2025-12-15' })]));
  h.apply(target);
  await h.run(2000);
  const get = () => h.hub.get({ apiVersion: API, kind: 'MigrationPlan', metadata: { namespace: 'govcloud-btc', name: 'lo-trinh' } });
  const before = get();
  assert.equal(
    [before?.status?.systems, before?.status?.planned, before?.status?.migrated, before?.status?.overdueCount, before?.status?.lateCompletions],
    [2, 1, 1, 0, 1],
  );
  assert.is(before?.status?.nextTargetDate, '2026-01-01');
  assert.is(before?.status?.agency, 'btc');
  assert.is(condition(before, 'Ready')?.reason, 'OnSchedule');
  const t = h.hub.get({ apiVersion: API, kind: 'ConsolidationTarget', metadata: { name: 'bo-nganh' } });
  assert.equal([t?.status?.systems, t?.status?.done, t?.status?.sharePercent, condition(t, 'Ready')?.reason], [2, 1, 50, 'Met']);

  // The controller asks to come back when etax falls overdue, the day after its target date, with no change to any object.
  const reconcile = migrationPlanReconciler(h.core.ctx);
  const result = await reconcile({ cluster: 'hub', namespace: 'govcloud-btc', name: 'lo-trinh', key: 'hub/govcloud-btc/lo-trinh' } as never, {} as never);
  assert.is(h.clock.now() + (result as { requeueAfter: number }).requeueAfter, Date.parse('2026-01-02T00:00:00Z'));
  assert.equal(planProgress(get() as never, '2026-01-02').overdue, [{ name: 'etax', targetDate: '2026-01-01', state: 'planned' }]);
  await h.stop();
});

test('a plan the rules reject is Degraded, naming the rule', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('btc', { code: 'G12', dcs: ['dc-hanoi'] }));
  h.apply(plan([system('etax', '2025-12-01', 'migrated', { completedOn: '2025-12-01', target: { dataCentre: 'dc-hanoi', workspace: 'khong-co' } })]));
  await h.run(2000);
  const p = h.hub.get({ apiVersion: API, kind: 'MigrationPlan', metadata: { namespace: 'govcloud-btc', name: 'lo-trinh' } });
  assert.is(condition(p, 'Degraded')?.status, 'True');
  assert.match(
    condition(p, 'Degraded')?.message ?? '',
    /rule migration-plans at spec\.systems\[0\]\.target\.workspace: Agency\/btc has no workspace "khong-co"/,
  );
  await h.stop();
});

test.run();
