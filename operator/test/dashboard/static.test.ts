/**
 * `govcloud dashboard --static DIR PATH...`: every page of samples/ in both languages,
 * linked relatively; invalid input writes nothing; the command line's refusals.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { captureIo, EXIT } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

test('samples/: an overview, catalogue, access graph, one page per agency and data centre, in Vietnamese and under en/ in English', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
  try {
    const io = captureIo({ cwd: ROOT });
    const code = await main(['dashboard', '--static', dir, 'samples/', '--now', '2026-06-01T00:00:00Z'], io);
    assert.is(code, EXIT.ok, io.err());
    const agencies = readdirSync(path.join(ROOT, 'samples', 'agencies')).map((f) => f.replace(/\.yaml$/, '.html'));
    assert.equal(readdirSync(path.join(dir, 'agencies')).sort(), agencies.sort());
    assert.equal(readdirSync(path.join(dir, 'datacentres')).sort(), ['dc-danang.html', 'dc-hanoi.html', 'dc-hcm.html']);
    const pages = 3 + agencies.length + 3;
    assert.match(io.out(), new RegExp(`^${pages * 2} pages written`));
    const vpcp = readFileSync(path.join(dir, 'agencies', 'vpcp.html'), 'utf8');
    assert.match(vpcp, /Văn phòng Chính phủ/);
    assert.match(vpcp, /href="\.\.\/en\/agencies\/vpcp\.html"/);
    assert.match(vpcp, /<time datetime="2026-06-01T00:00:00.000Z">/);
    assert.match(readFileSync(path.join(dir, 'en', 'index.html'), 'utf8'), /National overview/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid input: the problems, exit 1, no page', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
  try {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: govcloud.dev/v1alpha1\nkind: Agency\nmetadata:\n  name: x\nspec: {}\n');
    const io = captureIo({ cwd: ROOT });
    assert.is(await main(['dashboard', '--static', path.join(dir, 'out'), bad], io), EXIT.invalid);
    assert.match(io.out(), /bad\.yaml:\d+/);
    assert.not.ok(existsSync(path.join(dir, 'out')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command line: --auth none only on loopback; --static needs files and takes no cluster flags', async () => {
  for (const argv of [
    ['dashboard', '--auth', 'none', '--listen', '0.0.0.0:8080'],
    ['dashboard', '--static', 'out'],
    ['dashboard', '--static', 'out', 'samples/', '--kubeconfig', 'k'],
    ['dashboard', 'samples/'],
    ['dashboard', '--listen', 'nowhere'],
  ]) {
    const io = captureIo({ cwd: ROOT });
    assert.is(await main(argv, io), EXIT.usage, argv.join(' '));
  }
});

test.run();
