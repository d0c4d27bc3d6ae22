/**
 * The agency guide of the template (samples/gitops/README.md in Vietnamese, README.en.md in
 * English) works as written: its examples are the same in both languages, a tenancy, a
 * service, a request and a grant that pass the check in the template, and the plan of the
 * request and grant opens exactly the one access they describe.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked, type Tokens } from 'marked';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { cli, SAMPLES } from '../validate/helpers.ts';

const GITOPS = join(SAMPLES, 'gitops');

function yamlBlocks(file: string): string[] {
  return marked
    .lexer(readFileSync(join(GITOPS, file), 'utf8'))
    .filter((t): t is Tokens.Code => t.type === 'code' && t.lang === 'yaml')
    .map((t) => t.text + '\n');
}

const VI = yamlBlocks('README.md');
const EN = yamlBlocks('README.en.md');

test('both languages give the same four examples (comments aside): Agency, SharedDataService, AccessRequest, AccessGrant', () => {
  assert.equal(
    VI.map((b) => parse(b).kind),
    ['Agency', 'SharedDataService', 'AccessRequest', 'AccessGrant'],
  );
  assert.equal(
    VI.map((b) => parse(b)),
    EN.map((b) => parse(b)),
  );
});

test('each guide links the other and keeps its Vietnamese in Unicode with its diacritics', () => {
  const vi = readFileSync(join(GITOPS, 'README.md'), 'utf8');
  const en = readFileSync(join(GITOPS, 'README.en.md'), 'utf8');
  assert.match(vi, /\[English\]\(README\.en\.md\)/);
  assert.match(en, /\[Tiếng Việt\]\(README\.md\)/);
  assert.ok(vi === vi.normalize('NFC') && en === en.normalize('NFC'), 'precomposed (NFC), as GitHub and editors expect');
  for (const word of ['Bộ Tài chính', 'cơ quan', 'phê duyệt', 'hạn mức', 'trung tâm dữ liệu', 'quyền truy cập']) assert.ok(vi.includes(word), word);
});

test('the examples pass the check in the template, and the request with its grant opens exactly one access', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-readme-'));
  try {
    cpSync(GITOPS, dir, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'agencies/btc/agency.yaml'), VI[0]!);
    writeFileSync(join(dir, 'agencies/bca/population.yaml'), VI[1]!);
    git('add', '-A');
    git('commit', '-qm', 'the tenancy and the service of the guide');
    const base = await cli(['validate', '--owners', 'platform', 'agencies'], { cwd: dir });
    assert.is(base.code, 0, base.out);
    writeFileSync(join(dir, 'agencies/btc/population-for-thue.yaml'), VI[2]!);
    writeFileSync(join(dir, 'agencies/bca/grant-btc-thue.yaml'), VI[3]!);
    const check = await cli(['validate', '--owners', 'platform', 'agencies'], { cwd: dir });
    assert.is(check.code, 0, check.out);
    const plan = JSON.parse((await cli(['plan', '--base', 'main', 'platform', 'agencies', '--now', '2026-06-01T00:00:00Z', '-o', 'json'], { cwd: dir })).out);
    assert.equal(
      plan.access.opened.map((p: { source: string; destination: string; port: string }) => `${p.source} → ${p.destination} ${p.port}`),
      ['btc-thue → bca-dancu/svc-population (Service) 8443/TCP'],
    );
    assert.equal(plan.access.closed, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
