/**
 * plan --base renders and evaluates only what a change can reach (gitops/plan-diff.ts
 * `incrementalDiff`): on generated changes to the samples, what it prints (table, JSON, the
 * pull-request comment) is exactly what rendering and evaluating both sides in full prints.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { incrementalDiff, planDiff } from '../../src/gitops/plan-diff.ts';
import { planDiffJson, planDiffMarkdown, planDiffTable, type BaseInfo } from '../../src/gitops/report.ts';
import { validateSources } from '../../src/validate/index.ts';
import { sampleSources, text } from '../validate/helpers.ts';
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

/** The bench's shape: the sample data centres and agencies only (no service lists its consumers), where every agency change takes the shortcut. */
function agenciesOnly(
  count: number,
  change: (i: number) => { cpu?: number; egress?: string; workspaces?: string[] } | null = () => ({}),
): ReturnType<typeof validateSources>['platform'] {
  const sources = sampleSources().filter((s) => s.file.startsWith('samples/platform/dc-'));
  for (let i = 1; i <= count; i++) {
    const c = change(i);
    if (c === null) continue;
    const dcs = i % 3 === 0 ? ['dc-hanoi', 'dc-hcm'] : ['dc-hanoi'];
    const workspaces = (c.workspaces ?? ['web', 'data']).map(
      (w) => `    - name: ${w}\n      dataClass: open\n      internetEgress: [${c.egress ?? '203.0.113.0/24'}]`,
    );
    const quotas = dcs.map((dc) => `    - dataCentre: ${dc}\n      cpu: "${c.cpu ?? 4}"\n      memory: 8Gi\n      storage: 100Gi`);
    const yaml = `apiVersion: govcloud.dev/v1alpha1
kind: Agency
metadata:
  name: so-${i}
spec:
  code: 000.00.${String(i).padStart(2, '0')}.H05
  displayName: Sở ${i}
  type: provincialDepartment
  groups:
    admins: [so-${i}-admins]
  securityLevel: 2
  placement:
    dataCentres: [${dcs.join(', ')}]
  quotas:
${quotas.join('\n')}
  workspaces:
${workspaces.join('\n')}
`;
    sources.push({ file: `agencies/so-${i}.yaml`, bytes: text`${yaml}` });
  }
  const result = validateSources(sources);
  if (result.errors.length > 0) throw new Error(`fixture invalid: ${JSON.stringify(result.errors[0])}`);
  return result.platform;
}

const AGENCIES_ONLY: { name: string; head: () => ReturnType<typeof agenciesOnly> }[] = [
  { name: 'a quota changed', head: () => agenciesOnly(12, (i) => (i === 5 ? { cpu: 6 } : {})) },
  { name: 'internet egress changed', head: () => agenciesOnly(12, (i) => (i === 6 ? { egress: '198.51.100.0/24' } : {})) },
  { name: 'a workspace added', head: () => agenciesOnly(12, (i) => (i === 7 ? { workspaces: ['web', 'data', 'api'] } : {})) },
  { name: 'an agency added', head: () => agenciesOnly(13) },
  { name: 'an agency removed', head: () => agenciesOnly(12, (i) => (i === 9 ? null : {})) },
  { name: 'an agency placed in two data centres changed', head: () => agenciesOnly(12, (i) => (i === 3 ? { cpu: 8, workspaces: ['web'] } : {})) },
];

for (const c of AGENCIES_ONLY) {
  test(`agencies only, ${c.name}: the shortcut, and the same plan as both sides in full`, () => {
    const before = agenciesOnly(12);
    const after = c.head();
    const full = planDiff(before, after, NOW, { full: true });
    const shortcut = incrementalDiff(before, after, NOW);
    assert.ok(shortcut !== undefined, 'the shortcut applies');
    assert.is(JSON.stringify(planDiffJson(shortcut, info), null, 2), JSON.stringify(planDiffJson(full, info), null, 2));
    assert.is(planDiffTable(shortcut, info, ['.']), planDiffTable(full, info, ['.']));
    assert.is(planDiffMarkdown(shortcut, info, ['.']), planDiffMarkdown(full, info, ['.']));
    const objects = full.dataCentres.reduce((n, d) => n + d.objects.added.length + d.objects.changed.length + d.objects.removed.length, 0);
    assert.ok(objects > 0, 'objects change');
  });
}

test.run();
