/**
 * The bundle that ships (operator/bin/bundle.ts) behaves as the sources do: same output and
 * exit code for a plan, for invalid input and for the operator's usage, run as a separate
 * process with no node_modules beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundle } from '../../bin/bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const SOURCES = path.join(ROOT, 'operator', 'bin', 'govcloud.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-bundle-'));
const built = bundle(path.join(dir, 'govcloud.js'));

function run(entry: string, args: string[]) {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the bundle is one file of JavaScript', async () => {
  const { outfile, bytes } = await built;
  assert.is(path.dirname(outfile), dir);
  assert.ok(bytes > 1_000_000, `${bytes} bytes: the dependencies are in it`);
});

test('plan: the same objects from the bundle as from the sources', async () => {
  const { outfile } = await built;
  const args = ['plan', 'samples/', '--output', 'yaml', '--now', '2026-01-01T00:00:00Z'];
  const fromBundle = run(outfile, args);
  const fromSources = run(SOURCES, args);
  assert.is(fromBundle.status, 0, fromBundle.stderr);
  assert.is(fromBundle.stderr, '');
  assert.ok(fromBundle.stdout.includes('kind: NetworkPolicy'));
  assert.is(fromBundle.stdout, fromSources.stdout);
});

test('invalid input: the same problems and exit code', async () => {
  const { outfile } = await built;
  const args = ['validate', 'samples/invalid/'];
  const fromBundle = run(outfile, args);
  const fromSources = run(SOURCES, args);
  assert.is(fromBundle.status, 1);
  assert.match(fromBundle.stdout + fromBundle.stderr, /samples\/invalid\/[\w-]+\.yaml:\d+/);
  assert.equal(fromBundle, fromSources);
});

test('operator --help: the runtime modules load from the bundle', async () => {
  const { outfile } = await built;
  const r = run(outfile, ['operator', '--help']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: govcloud operator/m);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
