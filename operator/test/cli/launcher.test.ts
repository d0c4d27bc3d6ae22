/**
 * `./govcloud`, the command the README shows: it runs the sources on the project's pinned
 * Node 24 whatever Node comes first on the PATH (the machine's may be older and refuse
 * TypeScript), from any working folder, and says what to do when that Node is missing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const LAUNCHER = path.join(ROOT, 'govcloud');
/** A PATH with the machine's folders only: its own node (if any) first, never the project's. */
const MACHINE_PATH = '/usr/local/bin:/usr/bin:/bin';

function run(launcher: string, args: string[], cwd: string) {
  const r = spawnSync(launcher, args, { cwd, encoding: 'utf8', env: { PATH: MACHINE_PATH, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("validate as the README shows it, with the machine's PATH, from the checkout and from elsewhere", () => {
  const here = run(LAUNCHER, ['validate', 'samples/'], ROOT);
  assert.is(here.status, 0, here.stderr);
  assert.match(here.stdout, /samples\/: \d+ objects in \d+ files: .*valid/);
  const elsewhere = run(LAUNCHER, ['validate', path.join(ROOT, 'samples')], tmpdir());
  assert.is(elsewhere.status, 0, elsewhere.stderr);
});

test('exit codes pass through: a mistake is exit 1, a bad flag exit 2', () => {
  assert.is(run(LAUNCHER, ['validate', 'samples/invalid/'], ROOT).status, 1);
  assert.is(run(LAUNCHER, ['validate', '--no-such-flag'], ROOT).status, 2);
});

test('without the pinned Node it says to run make deps, and exits 1', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-launcher-'));
  try {
    const copy = path.join(dir, 'govcloud');
    copyFileSync(LAUNCHER, copy);
    const r = run('sh', [copy, '--help'], dir);
    assert.is(r.status, 1);
    assert.match(r.stderr, /run `make deps` there first/);
    assert.is(r.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
