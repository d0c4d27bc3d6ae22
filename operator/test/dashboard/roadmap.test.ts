/**
 * The roadmap on the dashboard (roadmap.ts, roadmap-pages.ts) on the samples' Vietnamese
 * MigrationPlans and ConsolidationTargets: progress against each target and per agency type,
 * the overdue migrations (bounded, with their count), an agency's systems; and the pages.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXTENSIONS } from '../../src/dashboard/extensions.ts';
import { serverLinks } from '../../src/dashboard/links.ts';
import { pageContext } from '../../src/dashboard/pages.ts';
import { agencyRoadmap, OVERDUE_LISTED, roadmapOverview } from '../../src/dashboard/roadmap.ts';
import { renderRoute } from '../../src/dashboard/routes.ts';
import type { Platform } from '../../src/model/platform.ts';
import { validateSamples } from '../validate/helpers.ts';

const samples = (): Platform => structuredClone(validateSamples().platform);
const DEC = new Date('2026-12-06T09:00:00Z');

test('targets: share reached against share due, by their date; the agencies behind by name, furthest behind first', () => {
  const v = roadmapOverview(samples(), DEC);
  assert.is(v.today, '2026-12-06');
  assert.equal(
    v.targets.map((t) => [t.name, t.targetPercent, t.by, t.done, t.systems, t.sharePercent, t.verdict, t.agenciesBehind]),
    [
      // Ministries: Bộ Tài chính 2 of 4, Bộ KH&ĐT 1 of 2, Văn phòng Chính phủ 1 of 2.
      ['bo-nganh-2026', 60, '2026-12-31', 4, 8, 50, 'Behind', 3],
      ['dia-phuong-2027', 80, '2027-06-30', 2, 6, 33, 'Behind', 2],
      ['toan-quoc-2028', 100, '2028-12-31', 6, 14, 42, 'Behind', 5],
    ],
  );
  assert.equal(
    v.targets[1]!.behind.map((a) => a.displayName),
    ['Ủy ban nhân dân tỉnh Quảng Ninh', 'Ủy ban nhân dân Thành phố Hà Nội'],
  );
  assert.equal(v.targets[0]!.agencyTypes, ['ministry', 'ministryLevelAgency']);
  assert.equal(v.targets[2]!.agencyTypes, [], 'no types: every agency');
});

test('a target whose date passed unreached is Missed; one reached by every agency is Met', () => {
  const p = samples();
  assert.is(roadmapOverview(p, new Date('2027-01-01T00:00:00Z')).targets.find((t) => t.name === 'bo-nganh-2026')!.verdict, 'Missed');
  for (const plan of p.plans) for (const s of plan.spec.systems) Object.assign(s, { state: 'retired', completedOn: '2026-01-01' });
  const v = roadmapOverview(p, DEC);
  assert.equal(
    v.targets.map((t) => [t.verdict, t.sharePercent, t.agenciesBehind]),
    v.targets.map(() => ['Met', 100, 0]),
  );
  assert.is(v.overdueCount, 0);
});

test('by agency type: only the types with a roadmap, in the API order, with their overdue systems', () => {
  assert.equal(roadmapOverview(samples(), DEC).byType, [
    { type: 'ministry', agencies: 2, systems: 6, done: 3, sharePercent: 50, overdue: 2 },
    { type: 'ministryLevelAgency', agencies: 1, systems: 2, done: 1, sharePercent: 50, overdue: 0 },
    { type: 'province', agencies: 3, systems: 6, done: 2, sharePercent: 33, overdue: 2 },
  ]);
});

test('overdue: from the day after the target date, the earliest due first, with agency and system names', () => {
  const v = roadmapOverview(samples(), DEC);
  assert.equal(
    v.overdue.map((o) => [o.agency, o.system, o.targetDate, o.state]),
    [
      ['quangninh', 'lgsp-quangninh', '2026-03-31', 'migrating'],
      ['btc', 'tabmis', '2026-09-30', 'migrating'],
      ['quangninh', 'du-lieu-mo', '2026-09-30', 'planned'],
      ['bkhdt', 'dau-tu-cong', '2026-10-31', 'migrating'],
    ],
  );
  assert.is(v.overdue[1]!.systemDisplayName, 'Hệ thống thông tin quản lý ngân sách và kho bạc (TABMIS)');
  assert.is(v.overdueCount, 4);
  assert.equal(
    roadmapOverview(samples(), new Date('2026-09-30T23:00:00Z')).overdue.map((o) => o.system),
    ['lgsp-quangninh'],
    'due on the 30th: not overdue on that day',
  );
});

test(`overdue: at most ${OVERDUE_LISTED} listed, the count says how many in all`, () => {
  const p = samples();
  const btc = p.plans.find((x) => x.metadata.namespace === 'govcloud-btc')!;
  const template = btc.spec.systems.find((s) => s.name === 'tabmis')!;
  for (let i = 0; i < 30; i++) btc.spec.systems.push({ ...template, name: `he-thong-${String(i).padStart(2, '0')}`, targetDate: '2026-11-01' });
  const v = roadmapOverview(p, DEC);
  assert.is(v.overdueCount, 34);
  assert.is(v.overdue.length, OVERDUE_LISTED);
  assert.is(v.overdue[0]!.system, 'lgsp-quangninh', 'the longest overdue stay listed');
  const html = renderRoute({ page: 'overview' }, p, DEC, pageContext('vi', serverLinks({ page: 'overview' }, 'vi')), EXTENSIONS).body;
  assert.match(html, `Hệ thống chuyển đổi quá hạn (34)`);
  assert.match(html, `Hiển thị ${OVERDUE_LISTED} trên 34`);
  const listed = html.slice(html.indexOf('<table id="overdue">'), html.indexOf('data-field="overdue-count"'));
  assert.is(listed.match(/<tr><td>/g)?.length, OVERDUE_LISTED);
  // Quảng Ninh's two and Bộ KH&ĐT's one are due before the 30 added to Bộ Tài chính, with tabmis.
  assert.is(listed.match(/<tr><td><a href="\/agencies\/btc">/g)?.length, OVERDUE_LISTED - 3);
});

test("an agency's roadmap: every system by target date, overdue and late completions marked; none without a plan", () => {
  const p = samples();
  const bkhdt = agencyRoadmap(p, 'bkhdt', DEC)!;
  assert.equal(
    bkhdt.rows.map((r) => [r.name, r.state, r.dataCentre, r.workspace, r.targetDate, r.overdue, r.late]),
    [
      ['dang-ky-doanh-nghiep', 'migrated', 'dc-hanoi', bkhdt.rows[0]!.workspace, '2026-06-30', false, true],
      ['dau-tu-cong', 'migrating', bkhdt.rows[1]!.dataCentre, bkhdt.rows[1]!.workspace, '2026-10-31', true, false],
    ],
  );
  assert.equal([bkhdt.systems, bkhdt.done, bkhdt.sharePercent, bkhdt.overdue], [2, 1, 50, 1]);
  const btc = agencyRoadmap(p, 'btc', DEC)!;
  const retired = btc.rows.find((r) => r.name === 'cong-thong-tin-cu')!;
  assert.is(retired.state, 'retired');
  assert.is(retired.completedOn, '2026-05-15');
  assert.is(agencyRoadmap(p, 'bca', DEC), undefined);
});

test('pages: Vietnamese first, English with lang=en; figures carry their values; tenant text escaped', () => {
  const p = samples();
  const plan = p.plans.find((x) => x.metadata.namespace === 'govcloud-quangninh')!;
  plan.spec.systems[0]!.displayName = '<script>alert(1)</script>';
  const vi = renderRoute({ page: 'overview' }, p, DEC, pageContext('vi', serverLinks({ page: 'overview' }, 'vi')), EXTENSIONS).body;
  assert.match(vi, '<h2 id="roadmap">Lộ trình hợp nhất</h2>');
  assert.match(vi, /<span data-target="bo-nganh-2026">Ít nhất 60% hệ thống/);
  assert.match(vi, /data-field="share" value="50">50%<\/data>/);
  assert.match(vi, 'Chưa đạt, còn hạn');
  assert.match(vi, '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.not.match(vi, '<script>');
  const en = renderRoute({ page: 'overview' }, p, DEC, pageContext('en', serverLinks({ page: 'overview' }, 'en')), EXTENSIONS).body;
  assert.match(en, 'Progress against targets');
  assert.match(en, 'Behind, still due');
  assert.match(en, 'Overdue migrations (4)');
  const agency = renderRoute({ page: 'agency', name: 'quangninh' }, p, DEC, pageContext('vi', serverLinks({ page: 'overview' }, 'vi')), EXTENSIONS).body;
  assert.is(agency.match(/data-field="overdue">Quá hạn</g)?.length, 2);
  assert.match(agency, '<a href="/datacentres/dc-hanoi">dc-hanoi</a> / lgsp');
  const none = renderRoute({ page: 'agency', name: 'bca' }, p, DEC, pageContext('en', serverLinks({ page: 'overview' }, 'en')), EXTENSIONS).body;
  assert.match(none, 'The agency has declared no roadmap (MigrationPlan).');
});

test.run();
