// e2e/install/image-check.sh from a checkout in a folder of mode 0700 (a root home, a
// `mktemp -d`), which the image's user 10001 cannot traverse. A stand-in bundle keeps it cheap:
// what is tested is the script's layout and the user it runs the entry point as.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helm.ts';

test('image-check runs from a checkout whose parent folder only its owner may enter', () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'govcloud-private-'));
  try {
    chmodSync(parent, 0o700);
    const checkout = path.join(parent, 'govcloud');
    mkdirSync(path.join(checkout, 'e2e', 'install'), { recursive: true });
    mkdirSync(path.join(checkout, 'dist'));
    mkdirSync(path.join(checkout, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(path.join(checkout, 'charts', 'govcloud-operator'), { recursive: true });
    const rights = path.join('charts', 'govcloud-operator', 'rbac-requirements.yaml');
    copyFileSync(path.join(ROOT, rights), path.join(checkout, rights));
    copyFileSync(path.join(ROOT, 'Dockerfile'), path.join(checkout, 'Dockerfile'));
    copyFileSync(path.join(ROOT, 'e2e', 'install', 'image-check.sh'), path.join(checkout, 'e2e', 'install', 'image-check.sh'));
    // Answers only as the image's user when the check is run as root (it then switches); `join`
    // answers only when the rights file is where the image puts it, next to dist/.
    const expectedUid = process.getuid?.() === 0 ? 10001 : process.getuid?.();
    writeFileSync(
      path.join(checkout, 'dist', 'govcloud.js'),
      `import { readFileSync } from 'node:fs';\n` +
        `if (process.getuid() === ${expectedUid}) {\n` +
        `  if (process.argv[2] === 'join') console.log(readFileSync(${JSON.stringify(rights)}, 'utf8').length > 0 ? 'name: govcloud-operator-limits' : '');\n` +
        `  else console.log('Usage: govcloud operator [options]');\n` +
        `}\n`,
    );
    const node = path.join(checkout, 'node_modules', '.bin', 'node');
    symlinkSync(process.execPath, node);
    assert.is(statSync(parent).mode & 0o777, 0o700);

    const r = spawnSync('bash', [path.join(checkout, 'e2e', 'install', 'image-check.sh')], { env: { ...process.env, NODE: node }, encoding: 'utf8' });
    assert.is(r.status, 0, `image-check failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /run `govcloud operator` and `govcloud join --dry-run=client` as user 10001 on a read-only \/app/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test.run();
