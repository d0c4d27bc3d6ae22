/** Roadmap progress (roadmap/progress.ts) on the samples and on plans changed one thing at a time. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agencyProgress, planProgress, targetProgress } from '../../src/roadmap/progress.ts';
import { validateSamples } from '../validate/helpers.ts';

const platform = validateSamples().platform;
const plan = (namespace: string) => structuredClone(platform.plans.find((p) => p.metadata.namespace === namespace)!);
const target = (name: string) => structuredClone(platform.targets.find((t) => t.metadata.name === name)!);

test("a plan's systems by state; overdue from the day after the target date; late completions", () => {
  const btc = plan('govcloud-btc');
  // tabmis is due 2026-09-30 and still migrating; hai-quan-vnaccs is due 2027-06-30.
  assert.equal(planProgress(btc, '2026-09-30'), {
    systems: 4,
    planned: 1,
    migrating: 1,
    migrated: 1,
    retired: 1,
    lateCompletions: 0,
    overdue: [],
    nextTargetDate: '2026-09-30',
  });
  const later = planProgress(btc, '2026-10-01');
  assert.equal(later.overdue, [{ name: 'tabmis', targetDate: '2026-09-30', state: 'migrating' }]);
  assert.is(later.nextTargetDate, '2027-06-30');
  // Bộ KH&ĐT migrated its registry on 2026-08-14, after 2026-06-30: late, though done.
  assert.is(planProgress(plan('govcloud-bkhdt'), '2026-12-06').lateCompletions, 1);
  // Quảng Ninh: both overdue, the earliest first.
  assert.equal(
    planProgress(plan('govcloud-quangninh'), '2026-12-06').overdue.map((o) => o.name),
    ['lgsp-quangninh', 'du-lieu-mo'],
  );
});

test('per agency: all its plans together, share done rounded down', () => {
  const rows = agencyProgress(platform, '2026-12-06');
  const row = (name: string) => rows.find((r) => r.agency === name)!;
  assert.equal(row('btc'), { agency: 'btc', displayName: 'Bộ Tài chính', type: 'ministry', systems: 4, done: 2, overdue: 1, sharePercent: 50 });
  assert.equal(row('danang').sharePercent, 100);
  assert.equal(row('quangninh'), {
    agency: 'quangninh',
    displayName: 'Ủy ban nhân dân tỉnh Quảng Ninh',
    type: 'province',
    systems: 2,
    done: 0,
    overdue: 2,
    sharePercent: 0,
  });
  assert.equal(
    rows.map((r) => r.agency),
    ['bkhdt', 'btc', 'danang', 'hanoi', 'quangninh', 'vpcp'],
  );
});

test('a target counts the agencies of its types; behind the furthest first; Met, Behind, Missed by the date', () => {
  const rows = agencyProgress(platform, '2026-12-06');
  // Ministries and ministry-level agencies: btc 2/4, bkhdt 1/2, vpcp 1/2: 4 of 8 = 50%, below 60%.
  const ministries = targetProgress(target('bo-nganh-2026'), rows, '2026-12-06');
  assert.equal(ministries, { agencies: 3, systems: 8, done: 4, sharePercent: 50, agenciesBehind: 3, behind: ['bkhdt', 'btc', 'vpcp'], verdict: 'Behind' });
  assert.is(targetProgress(target('bo-nganh-2026'), rows, '2027-01-01').verdict, 'Missed');
  // Provinces: danang 1/1, hanoi 1/3, quangninh 0/2.
  const provinces = targetProgress(target('dia-phuong-2027'), rows, '2026-12-06');
  assert.equal(provinces.behind, ['quangninh', 'hanoi']);
  const easy = target('dia-phuong-2027');
  easy.spec.sharePercent = 1;
  easy.spec.agencyTypes = ['province'];
  const onlyDanang = rows.filter((r) => r.agency === 'danang');
  assert.is(targetProgress(easy, onlyDanang, '2030-01-01').verdict, 'Met');
  // Every agency, whatever its type.
  assert.is(targetProgress(target('toan-quoc-2028'), rows, '2026-12-06').agencies, 6);
});

test.run();
