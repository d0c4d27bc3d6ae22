/**
 * Each file in bad/ holds one kind of mistake; bad/<case>.expected is exactly what
 * `govcloud validate` prints for it (file:line: Kind/name: field: message, then the summary).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from './helpers.ts';

const BAD = join(import.meta.dirname, 'bad');
const cases = readdirSync(BAD)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

for (const file of cases) {
  test(`bad/${file} prints exactly bad/${file.replace(/\.yaml$/, '.expected')}`, async () => {
    const expectedFile = join(BAD, file.replace(/\.yaml$/, '.expected'));
    assert.ok(existsSync(expectedFile), `missing ${expectedFile}`);
    const { code, out, err } = await cli(['validate', `operator/test/validate/bad/${file}`]);
    assert.fixture(out, readFileSync(expectedFile, 'utf8'));
    assert.is(code, 1, 'a bad case fails');
    assert.is(err, '');
    for (const line of out.trimEnd().split('\n').slice(0, -1)) {
      assert.match(line, /^operator\/test\/validate\/bad\/[a-z0-9-]+\.yaml:\d+: /, 'every problem names its file and line');
    }
  });
}

test('the bad cases cover the mistakes a pull request makes', () => {
  const required = [
    'unknown-field',
    'wrong-type',
    'bad-code',
    'duplicate-code',
    'unaccredited',
    'over-capacity',
    'quota-placement',
    'self-link',
    'link-encryption',
    'window-order',
    'state-secret',
    'grant-missing-service',
    'non-hub-namespace',
    'internet-egress-level3',
    'duplicate-key',
    'malformed',
    'alias-bomb',
    'workspace-exposure',
    'link-whole-internet',
    'link-reserved-range',
    'internet-egress-reserved',
    'cross-data-centre',
    'gateway-unavailable',
  ];
  for (const name of required) assert.ok(cases.includes(`${name}.yaml`), `bad/${name}.yaml`);
});

test('every message of the bad cases is one line and never a stack trace', async () => {
  for (const file of cases) {
    const { out } = await cli(['validate', `operator/test/validate/bad/${file}`]);
    assert.not.match(out, /\n\s+at /, file);
    assert.not.match(out, /Error:/, file);
  }
});

test.run();
