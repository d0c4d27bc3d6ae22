/** The samples validate clean; each file of samples/invalid has exactly the one mistake it is about. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, SAMPLES, validateSamples } from './helpers.ts';

test('govcloud validate samples/ is clean, with the summary line only', async () => {
  const { code, out, err } = await cli(['validate', 'samples/']);
  assert.is(err, '');
  assert.is(
    out,
    'samples/: 38 objects in 32 files: 3 data centres, 10 agencies, 4 links, 4 services, 6 requests, 2 grants, 6 migration plans, 3 consolidation targets: valid\n',
  );
  assert.is(code, 0);
});

test('the samples have no warnings either, and every object is in the platform', () => {
  const result = validateSamples();
  assert.equal(result.errors, []);
  assert.equal(result.warnings, []);
  const p = result.platform;
  assert.equal([p.dataCentres.length, p.agencies.length, p.links.length, p.services.length, p.requests.length, p.grants.length], [3, 10, 4, 4, 6, 2]);
});

test('the samples keep Vietnamese names intact', () => {
  const result = validateSamples();
  const names = result.platform.agencies.map((a) => a.spec.displayName);
  assert.ok(names.includes('Ủy ban nhân dân Thành phố Đà Nẵng'));
  assert.ok(names.includes('Bộ Tài chính'));
});

test('the samples use both spellings of agency codes', () => {
  const codes = validateSamples().platform.agencies.map((a) => a.spec.code);
  assert.ok(codes.some((c) => /^[A-Z][0-9]{2}$/.test(c)));
  assert.ok(codes.some((c) => /^000\.00\.[0-9]{2}\.[A-Z][0-9]{2}$/.test(c)));
});

test('grants in the samples end far in the future, so the samples stay valid', () => {
  for (const g of validateSamples().platform.grants) assert.ok(Date.parse(g.spec.validUntil) >= Date.parse('2030-01-01T00:00:00Z'), g.metadata.name);
});

const invalid = readdirSync(join(SAMPLES, 'invalid'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

for (const file of invalid) {
  test(`samples/invalid/${file}: one object, exactly one problem, found on the object alone`, async () => {
    const path = `samples/invalid/${file}`;
    const textOf = readFileSync(join(SAMPLES, 'invalid', file), 'utf8');
    assert.is(textOf.split(/^---$/m).length, 1, 'one document');
    assert.match(textOf, /^# Rejected/m, 'a header says why the API server rejects it');
    if (/^metadata:\n(  .*\n)*  namespace:/m.test(textOf)) assert.match(textOf, /^# Needs namespace govcloud-e2e-invalid/m);
    const { code, out } = await cli(['validate', path]);
    const lines = out.trimEnd().split('\n');
    assert.is(lines.length, 2, out);
    assert.match(
      lines[0]!,
      new RegExp(`^${path.replace(/[.]/g, '\\.')}:\\d+: [A-Za-z]+/[a-z0-9-]+: spec\\.|^${path}:\\d+: [A-Za-z]+/[a-z0-9-]+: metadata\\.name: `),
    );
    assert.match(lines[1]!, /: invalid: 1 error$/);
    assert.is(code, 1);
  });
}

test('samples/invalid covers enums, patterns, CEL rules, window order, state secrets and required fields', () => {
  for (const name of ['unknown-enum', 'bad-pattern-code', 'missing-required', 'window-order', 'state-secret-agency', 'state-secret-service', 'cel-quotas']) {
    assert.ok(invalid.includes(`${name}.yaml`), name);
  }
});

test('validate samples/ skips samples/invalid through .govcloudignore, but a file named explicitly is read', async () => {
  const all = await cli(['validate', 'samples/']);
  assert.not.match(all.out, /invalid/);
  const one = await cli(['validate', 'samples/invalid/unknown-enum.yaml']);
  assert.is(one.code, 1);
});

test.run();
