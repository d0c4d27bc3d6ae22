/** govcloud validate: outputs, exit codes, folders. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandPaths } from '../../src/load/files.ts';
import { cli, ROOT } from '../validate/helpers.ts';

test('text: the summary line on a clean folder, exit 0', async () => {
  const { code, out } = await cli(['validate', 'samples/']);
  assert.is(code, 0);
  assert.match(out, /^samples\/: 38 objects in 32 files: .*: valid\n$/);
});

test('several paths: all read, all named in the summary', async () => {
  const { code, out } = await cli(['validate', 'samples/platform', 'samples/agencies/btc.yaml']);
  assert.is(code, 0);
  assert.is(
    out,
    'samples/platform samples/agencies/btc.yaml: 7 objects in 5 files: 3 data centres, 1 agency, 0 links, 0 services, 0 requests, 0 grants, 3 consolidation targets: valid\n',
  );
});

test('a subset of a platform fails on references, as it should', async () => {
  const { code, out } = await cli(['validate', 'samples/tenants/hanoi']);
  assert.is(code, 1);
  assert.match(
    out,
    /^samples\/tenants\/hanoi\/links\.yaml:\d+: NetworkLink\/lgsp-to-ndxp: metadata\.namespace: namespace govcloud-hanoi belongs to no agency: there is no Agency named "hanoi"$/m,
  );
});

test('json: one object with errors and warnings as data', async () => {
  const { code, out } = await cli(['validate', '--output', 'json', 'operator/test/validate/bad/references.yaml']);
  assert.is(code, 1);
  const json = JSON.parse(out);
  assert.is(json.valid, false);
  assert.equal(json.paths, ['operator/test/validate/bad/references.yaml']);
  assert.is(json.errors.length, 6);
  assert.is(json.warnings.length, 1);
  assert.equal(json.errors[0], {
    file: 'operator/test/validate/bad/references.yaml',
    line: 62,
    column: 14,
    endLine: 62,
    endColumn: 19,
    object: 'SharedDataService/population',
    field: 'spec.workspace',
    message: 'Agency/bca has no workspace "dancu" (it has "apps")',
  });
  const clean = JSON.parse((await cli(['validate', '-o', 'json', 'samples/'])).out);
  assert.is(clean.valid, true);
  assert.is(clean.objects, 38);
  assert.equal(clean.kinds, {
    DataCentre: 3,
    Agency: 10,
    NetworkLink: 4,
    SharedDataService: 4,
    AccessRequest: 6,
    AccessGrant: 2,
    MigrationPlan: 6,
    ConsolidationTarget: 3,
  });
});

test('colour on a terminal only (errors red, warnings yellow), never with NO_COLOR', async () => {
  const path = 'operator/test/validate/bad/references.yaml';
  const tty = await cli(['validate', path], { isTTY: true });
  assert.match(tty.out, /\x1b\[31m.*AccessRequest\/registry/);
  assert.match(tty.out, /\x1b\[33m.*warning/);
  const noColour = await cli(['validate', path], { isTTY: true, env: { NO_COLOR: '1' } });
  assert.not.match(noColour.out, /\x1b/);
  const pipe = await cli(['validate', path]);
  assert.not.match(pipe.out, /\x1b/);
  assert.is(noColour.out, pipe.out);
});

test('.govcloudignore: entries and globs skipped when a folder is walked, read when named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-ignore-'));
  try {
    mkdirSync(join(dir, 'fixtures/deep'), { recursive: true });
    mkdirSync(join(dir, 'live'));
    writeFileSync(join(dir, '.govcloudignore'), '# test data\nfixtures/\n*.draft.yaml  # drafts\n');
    writeFileSync(join(dir, 'fixtures/deep/x.yaml'), 'a: 1');
    writeFileSync(join(dir, 'live/a.yaml'), 'a: 1');
    writeFileSync(join(dir, 'live/b.draft.yaml'), 'a: 1');
    writeFileSync(join(dir, 'c.draft.yaml'), 'a: 1');
    writeFileSync(join(dir, 'notes.txt'), 'not yaml');
    writeFileSync(join(dir, 'live/.hidden.yaml'), 'a: 1');
    const walked = await expandPaths(['.'], dir);
    assert.equal(
      walked.files.map((f) => f.slice(dir.length + 1)),
      ['live/a.yaml', 'live/b.draft.yaml'],
    );
    const named = await expandPaths(['fixtures/deep/x.yaml', 'c.draft.yaml', 'notes.txt'], dir);
    assert.equal(
      named.files.map((f) => f.slice(dir.length + 1)),
      ['fixtures/deep/x.yaml', 'c.draft.yaml', 'notes.txt'],
    );
    assert.equal(walked.problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same file named twice is read once', async () => {
  const files = await expandPaths(['samples/platform', 'samples/platform/dc-hcm.yaml'], ROOT);
  assert.is(files.files.length, 4);
});

test.run();
