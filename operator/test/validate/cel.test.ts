/**
 * Every CEL rule of every kind runs under cel-js: it passes on the samples, fails on some
 * invalid sample or bad case, and never errors (an error would be a rule cel-js cannot
 * evaluate: a bug in our rules that must not ship silently). Transition rules (oldSelf)
 * are skipped offline; they are still evaluated here with oldSelf bound.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AgencyKind, KINDS, type CelRule } from '../../src/api/index.ts';
import { emptyPlatform } from '../../src/model/platform.ts';
import { checkPlatform } from '../../src/model/rules.ts';
import { checkCel, evaluateRule, isTransitionRule, listRules, toCel, type RuleOutcome } from '../../src/validate/cel.ts';
import { validateSources } from '../../src/validate/index.ts';
import type { Path } from '../../src/validate/path.ts';
import { ROOT, SAMPLES, sources, sampleSources, yamlFiles } from './helpers.ts';

function template(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? '[*]' : i === 0 ? p : `.${p}`)).join('');
}

type Seen = Map<string, Set<RuleOutcome>>;
const key = (kind: string, path: string, rule: CelRule) => `${kind} ${path} ${rule.rule}`;

function observeInto(seen: Seen) {
  return (rule: CelRule, outcome: RuleOutcome, path: Path, kind?: string) => {
    const k = key(kind ?? '?', template(path), rule);
    if (!seen.has(k)) seen.set(k, new Set());
    seen.get(k)!.add(outcome);
  };
}

const onSamples: Seen = new Map();
validateSources(sampleSources(), { observe: observeInto(onSamples) });
const onInvalid: Seen = new Map();
validateSources(sources([...yamlFiles(join(SAMPLES, 'invalid')), ...yamlFiles(join(ROOT, 'operator/test/validate/bad'))]), { observe: observeInto(onInvalid) });

const allRules = KINDS.flatMap((def) => [
  ...listRules(def.spec, ['spec']).map((r) => ({ kind: def.kind, ...r })),
  ...(def.rootRules ?? []).map((rule) => ({ kind: def.kind, path: '', rule })),
]);

test('the kinds have CEL rules to check (the walk finds them)', () => {
  assert.ok(allRules.length >= 15, `found ${allRules.length}`);
});

for (const { kind, path, rule } of allRules) {
  const name = `${kind} ${path || '(object)'}: ${rule.message}`;
  if (isTransitionRule(rule)) {
    test(`${name}: transition rule, evaluated with oldSelf`, () => {
      const same = evaluateRule(rule, 'G22', 'G22');
      const changed = evaluateRule(rule, 'G22', '000.00.00.G22');
      assert.equal(same, { ok: true, value: true });
      assert.equal(changed, { ok: true, value: false });
    });
    continue;
  }
  test(`${name}: passes on the samples, fails on an invalid one, never errors`, () => {
    const k = key(kind, path, rule);
    const good = onSamples.get(k);
    const bad = onInvalid.get(k);
    assert.ok(good, `never evaluated on the samples: add a sample that reaches ${path}`);
    assert.not.ok(good!.has('error'), 'cel-js could not evaluate it on a sample');
    assert.ok(good!.has('pass'));
    assert.not.ok(good!.has('fail'), 'fails on a sample');
    assert.ok(bad?.has('fail'), `no invalid sample or bad case breaks it: add one to samples/invalid`);
    assert.not.ok(bad!.has('error'), 'cel-js could not evaluate it on an invalid sample');
  });
}

test('integers reach CEL as ints, so int arithmetic and comparisons type-check', () => {
  assert.equal(evaluateRule({ rule: 'self.a + 1 == 4', message: '' }, { a: 3 }), { ok: true, value: true });
  assert.equal(toCel({ a: [1, 2.5] }), { a: [1n, 2.5] });
});

test("a rule cel-js cannot evaluate is reported as a bug in our rules, not as the user's mistake", () => {
  const schema = { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'self.a.noSuchFunction()', message: 'never' }] };
  const problems = checkCel(schema as never, { a: 'x' }, ['spec']);
  assert.is(problems.length, 1);
  assert.match(problems[0]!.message, /^cannot check the rule "self\.a\.noSuchFunction\(\)" offline \(.*\); this is a bug in govcloud's rules/);
  const syntax = checkCel({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.(', message: 'never' }] } as never, {}, ['spec']);
  assert.match(syntax[0]!.message, /^cannot check the rule/);
});

test('a failing rule reports its message at its fieldPath', () => {
  const schema = {
    type: 'object',
    properties: {
      w: { type: 'object', properties: { from: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'false', message: 'nope', fieldPath: '.from' }] },
    },
  };
  assert.equal(checkCel(schema as never, { w: { from: 'x' } }, ['spec']), [{ path: ['spec', 'w', 'from'], message: 'nope' }]);
});

test('rules are not evaluated over a node with structural problems (no cascades)', () => {
  const schema = { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n > 1', message: 'small' }] };
  assert.equal(checkCel(schema as never, { n: 'x' }, ['spec'], { problems: [{ path: ['spec', 'n'], message: 'not a number' }] }), []);
  assert.equal(checkCel(schema as never, { n: 0 }, ['spec']), [{ path: ['spec'], message: 'small' }]);
});

test("Agency names: the CRD refuses exactly the names whose namespaces the rules find to be the platform's own", () => {
  const sample = validateSources(sources([join(SAMPLES, 'agencies', 'hanoi.yaml')])).platform.agencies[0]!;
  for (const name of ['system', 'kube', 'kube-apps', 'govcloud', 'default', 'systems', 'kubelet', 'ubnd-ha-noi']) {
    for (const workspaces of [['apps'], ['system', 'public']]) {
      const agency = structuredClone(sample);
      agency.metadata.name = name;
      agency.spec.workspaces = workspaces.map((w) => ({ name: w, dataClass: 'open' }));
      const cel = AgencyKind.rootRules.every((rule) => {
        const r = evaluateRule(rule, agency);
        return r.ok && r.value;
      });
      const rules = !checkPlatform({ ...emptyPlatform(), agencies: [agency] }).some((p) => p.rule === 'platform-namespaces');
      assert.is(cel, rules, `${name} with workspaces ${workspaces.join(', ')}: CEL ${cel ? 'accepts' : 'refuses'}, the rules ${rules ? 'accept' : 'refuse'}`);
      assert.is(cel, !['system', 'kube', 'kube-apps', 'govcloud'].includes(name), `${name} with workspaces ${workspaces.join(', ')}`);
    }
  }
});

test.run();
