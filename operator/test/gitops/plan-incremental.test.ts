/**
 * plan --base renders and evaluates only what a change can reach (gitops/plan-diff.ts
 * `incrementalDiff`): on generated changes to the samples, what it prints (table, JSON, the
 * pull-request comment) is exactly what rendering and evaluating both sides in full prints.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { incrementalDiff, planDiff } from '../../src/gitops/plan-diff.ts';
import { planDiffJson, planDiffMarkdown, planDiffTable, type BaseInfo } from '../../src/gitops/report.ts';
import { GRANT_FOR_THUE, NOW, POPULATION_FOR_THUE, sampleText, samplesWith } from './fixtures.ts';

const base = samplesWith({});
const info: BaseInfo = { label: 'main', errors: 0 };

function changed(file: string, from: string | RegExp, to: string): Record<string, string> {
  const text = sampleText(file);
  const out = text.replace(from, to);
  if (out === text) throw new Error(`${file}: ${String(from)} not found`);
  return { [file]: out };
}

const SKHCN = 'samples/agencies/hanoi-skhcn.yaml';
const POPULATION = 'samples/tenants/bca/population.yaml';

/** Each change, and whether the shortcut applies to it (else both sides are rendered in full). */
const CASES: { name: string; change: () => Record<string, string | null>; incremental: boolean }[] = [
  { name: 'an agency changed (quota)', change: () => changed(SKHCN, 'cpu: "8"', 'cpu: "9"'), incremental: true },
  {
    name: 'an agency changed (internet egress)',
    change: () => changed(SKHCN, 'internetEgress: [203.0.113.0/24]', 'internetEgress: [203.0.113.0/25]'),
    incremental: true,
  },
  {
    // The default services' ingress names every consumer workspace: a destination changes.
    name: 'an agency changed (a workspace added)',
    change: () => changed(SKHCN, 'internetEgress: [203.0.113.0/24]', 'internetEgress: [203.0.113.0/24]\n    - name: api\n      dataClass: open'),
    incremental: false,
  },
  { name: 'an agency changed (its display name)', change: () => changed(SKHCN, 'displayName: Sở Khoa học', 'displayName: Sở KH'), incremental: true },
  {
    name: 'an agency added',
    change: () => ({
      'samples/agencies/hanoi-sxd.yaml': sampleText(SKHCN)
        .replace('name: hanoi-skhcn', 'name: hanoi-sxd')
        .replace('code: 000.00.12.H01', 'code: 000.00.13.H01')
        .replace('hanoi-skhcn-admins', 'hanoi-sxd-admins'),
    }),
    incremental: false,
  },
  { name: 'an agency removed', change: () => ({ [SKHCN]: null }), incremental: false },
  { name: 'a consumer agency changed (btc quota)', change: () => changed('samples/agencies/btc.yaml', 'cpu: 64', 'cpu: 65'), incremental: true },
  {
    name: 'a request and its grant added',
    change: () => ({ 'samples/tenants/btc/thue.yaml': POPULATION_FOR_THUE + '---\n' + GRANT_FOR_THUE }),
    incremental: false,
  },
  { name: 'grants withdrawn', change: () => ({ 'samples/tenants/bca/grants.yaml': null }), incremental: false },
  {
    name: 'a grant renewed',
    change: () => changed('samples/tenants/bca/grants.yaml', 'validUntil: "2030-12-31T00:00:00Z"', 'validUntil: "2032-12-31T00:00:00Z"'),
    incremental: false,
  },
  // Renders alike: only the record changes.
  { name: "a service's data class changed", change: () => changed(POPULATION, 'dataClass: private', 'dataClass: shared'), incremental: true },
  { name: "a service's port changed", change: () => changed(POPULATION, 'port: 8443', 'port: 9443'), incremental: false },
  { name: 'links removed', change: () => ({ 'samples/tenants/danang/links.yaml': null }), incremental: false },
  {
    name: 'a DataCentre changed (capacity)',
    change: () => changed('samples/platform/dc-hcm.yaml', /cpu: "?(\d+)"?/, 'cpu: "4321"'),
    incremental: false,
  },
];

for (const c of CASES) {
  test(`${c.name}: the same plan as both sides in full, as table, JSON and comment`, () => {
    const head = samplesWith(c.change()).platform;
    const full = planDiff(base.platform, head, NOW, { full: true });
    const shown = planDiff(base.platform, head, NOW);
    assert.is(incrementalDiff(base.platform, head, NOW) !== undefined, c.incremental, 'whether the shortcut applies');
    assert.is(planDiffTable(shown, info, ['.']), planDiffTable(full, info, ['.']));
    assert.is(JSON.stringify(planDiffJson(shown, info), null, 2), JSON.stringify(planDiffJson(full, info), null, 2));
    assert.is(planDiffMarkdown(shown, info, ['.']), planDiffMarkdown(full, info, ['.']));
    const d = full.dataCentres;
    assert.ok(full.records.added.length + full.records.changed.length + full.records.removed.length > 0, 'the change is a change');
    assert.ok(d.length > 0);
  });
}

test.run();
