/** The samples validate clean; each file of samples/invalid has exactly the one mistake it is about. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test("the ministry's inherited data centre (samples/inherited) validates with the samples, and serves Bộ Tài chính's line alone", async () => {
  const { code, out, err } = await cli(['validate', 'samples/', 'samples/inherited']);
  assert.is(err, '');
  assert.is(
    out,
    'samples/ samples/inherited: 42 objects in 35 files: 4 data centres, 12 agencies, 4 links, 5 services, 6 requests, 2 grants, 6 migration plans, 3 consolidation targets: valid\n',
  );
  assert.is(code, 0);
  // The catalogue shows the ministry's data centre as its own.
  const listed = await cli(['catalogue', 'samples/', 'samples/inherited', '--output', 'json', '--now', '2026-06-01T00:00:00Z']);
  const payments = (JSON.parse(listed.out) as { services: { ref: string; dataCentres: string[]; dataCentreOwners: Record<string, string> }[] }).services.find(
    (e) => e.ref === 'govcloud-btc-kbnn/payment-status',
  );
  assert.equal([payments?.dataCentres, payments?.dataCentreOwners], [['dc-btc'], { 'dc-btc': 'btc' }]);
  // A drain in the plan: what is still in a cordoned data centre.
  const drainDir = mkdtempSync(join(tmpdir(), 'govcloud-cordoned-'));
  writeFileSync(
    join(drainDir, 'dc-btc.yaml'),
    readFileSync(join(SAMPLES, 'inherited', 'dc-btc.yaml'), 'utf8').replace('ownedBy: btc', 'ownedBy: btc\n  cordoned: true'),
  );
  for (const f of ['btc-kbnn.yaml', 'kbnn-payments.yaml']) writeFileSync(join(drainDir, f), readFileSync(join(SAMPLES, 'inherited', f), 'utf8'));
  const plan = await cli(['plan', 'samples/platform', 'samples/agencies', drainDir, '--output', 'json', '--now', '2026-06-01T00:00:00Z']);
  assert.is(plan.code, 0, plan.out + plan.err);
  assert.equal((JSON.parse(plan.out) as { cordoned: unknown }).cordoned, {
    'dc-btc': { agencies: ['btc-kbnn', 'btc-kbnn-kv1'], services: ['govcloud-btc-kbnn/payment-status'] },
  });
  // Another ministry asking for it is told whose it is and what to do, at the line of its placement.
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-inherited-'));
  const bkhdt = readFileSync(join(SAMPLES, 'agencies', 'bkhdt.yaml'), 'utf8')
    .replace('dataCentres: [dc-hanoi, dc-hcm]', 'dataCentres: [dc-hanoi, dc-btc]')
    .replace(/dataCentre: dc-hcm/g, 'dataCentre: dc-btc');
  writeFileSync(join(dir, 'bkhdt.yaml'), bkhdt);
  const refused = await cli(['validate', 'samples/platform', 'samples/agencies', 'samples/inherited', join(dir, 'bkhdt.yaml')]);
  assert.is(refused.code, 1);
  assert.match(
    refused.out,
    "Agency/bkhdt: spec.placement.dataCentres[1]: DataCentre/dc-btc is Agency/btc's own and hosts only it and the agencies under it (spec.parent): choose a shared data centre, or one of this agency's own line",
  );
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
