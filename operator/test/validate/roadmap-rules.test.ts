/** The MigrationPlan rules (model/rules/roadmap.ts), on the samples with one thing changed at a time. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Platform } from '../../src/model/platform.ts';
import { checkPlatform } from '../../src/model/rules.ts';
import { validateSamples } from './helpers.ts';

const samples = validateSamples().platform;
const base = (): Platform => structuredClone(samples);
const run = (p: Platform) =>
  checkPlatform(p)
    .map((x) => `${x.severity} ${x.object.kind}/${x.object.metadata.name} ${x.path.join('.')}: ${x.message}`)
    .sort();
const plan = (p: Platform, namespace: string) => p.plans.find((x) => x.metadata.namespace === namespace)!;
const system = (p: Platform, namespace: string, name: string) => plan(p, namespace).spec.systems.find((s) => s.name === name)!;

test('the samples have roadmaps that break no rule', () => {
  assert.ok(samples.plans.length >= 5);
  assert.equal(run(base()), []);
});

test('the target data centre must be accredited for the system: the placement decision of model/policy.ts', () => {
  const p = base();
  // Quảng Ninh's open-data portal (level 1) may go to dc-danang (accredited to 2) as far as the level goes; level 2 may too; a level-3 system may not.
  const s = system(p, 'govcloud-quangninh', 'du-lieu-mo');
  s.target!.dataCentre = 'dc-danang';
  assert.equal(run(p), [
    'warning MigrationPlan/lo-trinh spec.systems.1.target.dataCentre: Agency/quangninh is not placed in DataCentre/dc-danang (spec.placement.dataCentres) yet',
  ]);
  const q = base();
  system(q, 'govcloud-btc', 'hai-quan-vnaccs').target!.dataCentre = 'dc-danang';
  assert.equal(run(q), [
    "error MigrationPlan/lo-trinh-2026-2027 spec.systems.2.target.dataCentre: DataCentre/dc-danang is accredited up to security level 2, below the system's level 3",
  ]);
  const r = base();
  system(r, 'govcloud-btc', 'hai-quan-vnaccs').target!.dataCentre = 'dc-hue';
  assert.equal(run(r), ['error MigrationPlan/lo-trinh-2026-2027 spec.systems.2.target.dataCentre: no DataCentre named "dc-hue"']);
});

test('a level-5 system needs a data centre dedicated to its agency, as a level-5 agency does', () => {
  const p = base();
  p.agencies.find((a) => a.metadata.name === 'btc')!.spec.securityLevel = 5;
  p.agencies.find((a) => a.metadata.name === 'btc')!.spec.placement.dataCentres = [];
  const s = system(p, 'govcloud-btc', 'hai-quan-vnaccs');
  s.securityLevel = 5;
  const out = run(p).filter((l) => l.startsWith('error MigrationPlan/'));
  assert.ok(
    out.includes(
      'error MigrationPlan/lo-trinh-2026-2027 spec.systems.2.target.dataCentre: security level 5 needs a data centre dedicated to this agency, and DataCentre/dc-hcm is not (set its dedicatedTo: btc)',
    ),
    out.join('\n'),
  );
});

test('"migrated" must name a workspace that exists, where the agency is placed; while planned that is a warning', () => {
  const p = base();
  system(p, 'govcloud-hanoi', 'dich-vu-cong').target!.workspace = 'mot-cua';
  assert.equal(run(p), [
    'error MigrationPlan/lo-trinh spec.systems.0.target.workspace: Agency/hanoi has no workspace "mot-cua": a migrated system names a workspace that exists (it has "dvc", "lgsp")',
  ]);
  const q = base();
  system(q, 'govcloud-hanoi', 'quan-ly-dat-dai').target!.workspace = 'dat-dai';
  assert.equal(run(q), ['warning MigrationPlan/lo-trinh spec.systems.2.target.workspace: Agency/hanoi has no workspace "dat-dai" yet (it has "dvc", "lgsp")']);
  const r = base();
  system(r, 'govcloud-danang', 'thanh-pho-thong-minh').target!.dataCentre = 'dc-hanoi';
  assert.equal(run(r), [
    'error MigrationPlan/lo-trinh spec.systems.0.target.dataCentre: Agency/danang is not placed in DataCentre/dc-hanoi (spec.placement.dataCentres): a migrated system runs where its agency is placed',
  ]);
});

test("a system above its agency's level, or with data its workspace is not declared for, is refused", () => {
  const p = base();
  system(p, 'govcloud-quangninh', 'du-lieu-mo').securityLevel = 3;
  system(p, 'govcloud-quangninh', 'du-lieu-mo').target!.workspace = 'cong-du-lieu-mo';
  system(p, 'govcloud-quangninh', 'lgsp-quangninh').dataClass = 'private';
  assert.equal(run(p), [
    'error MigrationPlan/lo-trinh spec.systems.0.dataClass: the system holds private data and workspace "lgsp" is declared for shared data at most',
    "error MigrationPlan/lo-trinh spec.systems.1.securityLevel: the system is at security level 3, above its agency's level 2: the agency's workspaces are isolated for level 2 only",
  ]);
});

test('a system is named once per agency, across its plans; the acting agency is the hub namespace', () => {
  const p = base();
  const second = structuredClone(plan(p, 'govcloud-danang'));
  second.metadata.name = 'lo-trinh-2';
  p.plans.push(second);
  assert.equal(run(p), [
    'error MigrationPlan/lo-trinh-2 spec.systems.0.name: system "thanh-pho-thong-minh" is also in MigrationPlan/lo-trinh: name each system once',
  ]);
  const q = base();
  plan(q, 'govcloud-danang').metadata.namespace = 'govcloud-hue';
  assert.equal(run(q), ['error MigrationPlan/lo-trinh metadata.namespace: namespace govcloud-hue belongs to no agency: there is no Agency named "hue"']);
  const r = base();
  plan(r, 'govcloud-danang').metadata.namespace = 'default';
  assert.equal(run(r), ["error MigrationPlan/lo-trinh metadata.namespace: a MigrationPlan belongs in its agency's hub namespace (govcloud-<agency>)"]);
});

test.run();
