/** govcloud plan --base: a folder or a git ref as the base; table, markdown (parsed) and json; bad bases. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANT_FOR_THUE, POPULATION_FOR_THUE } from '../gitops/fixtures.ts';
import { cli, SAMPLES } from '../validate/helpers.ts';

const NOW = '2026-06-01T00:00:00Z';
const ACCESS_ROW =
  /^dc-hanoi +btc-thue \(btc\/thue\) +bca-dancu\/svc-population \(Service\) +8443\/TCP +allowed +request and grant: SharedDataService govcloud-bca\/population \+ AccessRequest govcloud-btc\/population-for-thue \+ AccessGrant govcloud-bca\/btc-thue +2026-01-01T00:00:00Z to 2028-01-01T00:00:00Z$/m;

/** A GitOps repository: the samples committed on main, then a branch adding a request and its grant. */
function repository(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-plan-'));
  cpSync(SAMPLES, join(dir, 'samples'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'the platform');
  git('checkout', '-qb', 'thue');
  writeFileSync(join(dir, 'samples/tenants/btc/thue.yaml'), POPULATION_FOR_THUE);
  writeFileSync(join(dir, 'samples/tenants/bca/thue.yaml'), GRANT_FOR_THUE);
  git('add', '-A');
  git('commit', '-qm', 'btc asks for the population database; bca grants it');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

test('--base as a git ref: the tree at the ref against the working tree; exactly the new access pair', async () => {
  const repo = repository();
  try {
    const { code, out, err } = await cli(['plan', '--base', 'main', 'samples/', '--now', NOW], { cwd: repo.dir });
    assert.is(code, 0, err);
    const lines = out.split('\n');
    assert.match(lines[0]!, /^Plan for samples\/ against main \([0-9a-f]{12}\) at 2026-06-01T00:00:00\.000Z$/);
    assert.is(lines[1], '2 govcloud records (2 added, 0 changed, 0 removed); 2 Kubernetes objects in 1 data centre; access: 1 opened, 0 closed');
    assert.ok(lines.includes('+ AccessGrant govcloud-bca/btc-thue'));
    assert.ok(lines.includes('+ AccessRequest govcloud-btc/population-for-thue'));
    assert.ok(lines.includes('Data centre dc-hanoi: 1 added, 1 changed, 0 removed'));
    assert.ok(lines.includes('+ NetworkPolicy btc-thue/govcloud-use-bca.population'));
    assert.ok(lines.includes('~ NetworkPolicy bca-dancu/govcloud-svc-population'));
    assert.ok(lines.includes('Access opened (1)'));
    assert.match(out, ACCESS_ROW);
    assert.ok(lines.includes('Access closed (0): none'));
    // From a sub-folder, the ref's tree is read at the same sub-folder.
    const sub = await cli(['plan', '--base', 'main', '.', '--now', NOW, '-o', 'json'], { cwd: join(repo.dir, 'samples') });
    assert.is(sub.code, 0, sub.err);
    assert.is(JSON.parse(sub.out).access.opened.length, 1);
    // --data-centre: only what happens there.
    const hcm = JSON.parse((await cli(['plan', '--base', 'main', 'samples/', '--now', NOW, '-o', 'json', '--data-centre', 'dc-hcm'], { cwd: repo.dir })).out);
    assert.equal(
      hcm.dataCentres.map((d: { dataCentre: string }) => d.dataCentre),
      ['dc-hcm'],
    );
    assert.equal(hcm.access.opened, []);
    const hanoi = JSON.parse(
      (await cli(['plan', '--base', 'main', 'samples/', '--now', NOW, '-o', 'json', '--data-centre', 'dc-hanoi'], { cwd: repo.dir })).out,
    );
    assert.is(hanoi.access.opened.length, 1);
    const nowhere = await cli(['plan', '--base', 'main', 'samples/', '--data-centre', 'dc-hue'], { cwd: repo.dir });
    assert.is(nowhere.code, 2);
    assert.match(nowhere.err, /no data centre named "dc-hue" \(known: dc-danang, dc-hanoi, dc-hcm\)/);
    // The reverse: against the branch, main closes that access.
    execFileSync('git', ['checkout', '-q', 'main'], { cwd: repo.dir });
    const back = JSON.parse((await cli(['plan', '--base', 'thue', 'samples/', '--now', NOW, '-o', 'json'], { cwd: repo.dir })).out);
    assert.is(back.access.opened.length, 0);
    assert.equal(
      back.access.closed.map((p: { source: string; destination: string }) => `${p.source} → ${p.destination}`),
      ['btc-thue → bca-dancu/svc-population (Service)'],
    );
  } finally {
    repo.dispose();
  }
});

test('--base as a folder; a path new in the change is empty at the base', async () => {
  const repo = repository();
  try {
    const base = join(repo.dir, 'base');
    cpSync(SAMPLES, join(base, 'samples'), { recursive: true });
    const { code, out, err } = await cli(['plan', '--base', 'base', 'samples/', '--now', NOW], { cwd: repo.dir });
    assert.is(code, 0, err);
    assert.match(out, /^Plan for samples\/ against base at /);
    assert.match(out, ACCESS_ROW);
    rmSync(join(base, 'samples/tenants'), { recursive: true });
    const parts = ['samples/platform', 'samples/agencies', 'samples/tenants'];
    const json = JSON.parse((await cli(['plan', '--base', 'base', ...parts, '--now', NOW, '-o', 'json'], { cwd: repo.dir })).out);
    assert.is(json.base.errors, 0);
    assert.is(json.records.added.length, 16 + 2, 'every link, service, request and grant is new');
    assert.ok(json.records.added.every((o: { kind: string }) => o.kind !== 'Agency' && o.kind !== 'DataCentre'));
    assert.is(json.records.removed.length, 0);
    rmSync(join(base, 'samples'), { recursive: true });
    const none = await cli(['plan', '--base', 'base', ...parts], { cwd: repo.dir });
    assert.is(none.code, 1);
    assert.is(none.err, 'govcloud plan: --base base: none of samples/platform samples/agencies samples/tenants is there (read relative to the base folder)\n');
  } finally {
    repo.dispose();
  }
});

test('markdown: a summary heading first, the access tables, the details folded; parsed by a Markdown parser', async () => {
  const repo = repository();
  try {
    const { code, out } = await cli(['plan', '--base', 'main', 'samples/', '--now', NOW, '--output', 'markdown'], { cwd: repo.dir });
    assert.is(code, 0);
    const tokens = marked.lexer(out).filter((t) => t.type !== 'space');
    const heading = tokens[0] as Tokens.Heading;
    assert.is(heading.type, 'heading');
    assert.is(heading.depth, 3);
    assert.is(
      heading.text,
      'govcloud plan: 2 govcloud records (2 added, 0 changed, 0 removed); 2 Kubernetes objects in 1 data centre; access: 1 opened, 0 closed',
    );
    const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table');
    const cell = (c: Tokens.TableCell) => c.text.replace(/\\(.)/g, '$1');
    const opened = tables[0]!;
    assert.equal(opened.header.map(cell), ['Data centre', 'Source', 'Destination', 'Port', 'Verdict', 'Justified by', 'Valid']);
    assert.equal(
      opened.rows.map((r) => r.map(cell)),
      [
        [
          'dc-hanoi',
          'btc-thue (btc/thue)',
          'bca-dancu/svc-population (Service)',
          '8443/TCP',
          'allowed',
          'request and grant: SharedDataService govcloud-bca/population + AccessRequest govcloud-btc/population-for-thue + AccessGrant govcloud-bca/btc-thue',
          '2026-01-01T00:00:00Z to 2028-01-01T00:00:00Z',
        ],
      ],
    );
    const perDataCentre = tables[1]!;
    assert.equal(perDataCentre.header.map(cell), ['Data centre', 'Objects added', 'Changed', 'Removed', 'Quota change']);
    assert.equal(
      perDataCentre.rows
        .find((r) => r[0]!.text === 'dc-hanoi')!
        .slice(1, 4)
        .map(cell),
      ['1', '1', '0'],
    );
    // The details come after the summary, each a <details> block holding a fenced diff.
    const firstDetails = tokens.findIndex((t) => t.type === 'html' && t.raw.startsWith('<details>'));
    assert.ok(firstDetails > tokens.indexOf(perDataCentre));
    const codes = tokens.filter((t): t is Tokens.Code => t.type === 'code');
    assert.ok(codes.every((c) => c.lang === 'diff'));
    assert.ok(codes.some((c) => c.text.split('\n').includes('+ NetworkPolicy btc-thue/govcloud-use-bca.population')));
    assert.ok(codes.some((c) => c.text.split('\n').includes('+ AccessGrant govcloud-bca/btc-thue')));
    assert.is(
      tokens.filter((t) => t.type === 'html' && t.raw.includes('<details>')).length,
      tokens.filter((t: Token) => t.type === 'html' && t.raw.includes('</details>')).length,
    );
    // Nothing in a cell can break the table or inject HTML.
    const html = marked.parse(out) as string;
    assert.not.match(html, /<script/);
  } finally {
    repo.dispose();
  }
});

test('a grant renewed: access changed, with what it was before, in the table and the markdown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-renew-'));
  try {
    cpSync(SAMPLES, join(dir, 'base'), { recursive: true });
    cpSync(SAMPLES, join(dir, 'head'), { recursive: true });
    const file = join(dir, 'head/tenants/bca/grants.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('validUntil: "2030-12-31T00:00:00Z"', 'validUntil: "2032-12-31T00:00:00Z"'));
    const { code, out } = await cli(['plan', '--base', '../base', '.', '--now', NOW], { cwd: join(dir, 'head') });
    assert.is(code, 0);
    const lines = out.split('\n');
    assert.is(lines[1], '1 govcloud record (0 added, 1 changed, 0 removed); 0 Kubernetes objects in 0 data centres; access: 0 opened, 0 closed, 1 changed');
    assert.ok(lines.includes('~ AccessGrant govcloud-bca/hanoi-dvc'));
    assert.ok(lines.includes('    spec.validUntil: 2030-12-31T00:00:00Z → 2032-12-31T00:00:00Z'));
    assert.ok(lines.includes('Access changed (1): open before and after'));
    assert.match(
      out,
      /^dc-hanoi +hanoi-dvc \(hanoi\/dvc\) +bca-dancu\/svc-population \(Service\) +8443\/TCP +allowed +request and grant: .* +2025-01-01T00:00:00Z to 2032-12-31T00:00:00Z +valid 2025-01-01T00:00:00Z to 2030-12-31T00:00:00Z$/m,
    );
    const md = (await cli(['plan', '--base', '../base', '.', '--now', NOW, '-o', 'markdown'], { cwd: join(dir, 'head') })).out;
    const table = marked.lexer(md).find((t): t is Tokens.Table => t.type === 'table')!;
    assert.is(table.header.length, 8);
    assert.is(table.rows[0]![7]!.text, 'valid 2025-01-01T00:00:00Z to 2030-12-31T00:00:00Z');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no change: one line saying so', async () => {
  const { code, out } = await cli(['plan', '--base', '.', '.', '--now', NOW], { cwd: SAMPLES });
  assert.is(code, 0);
  assert.is(out.split('\n')[1], 'No change against .');
  const md = (await cli(['plan', '--base', '.', '.', '--now', NOW, '-o', 'markdown'], { cwd: SAMPLES })).out;
  assert.is(md.split('\n')[0], '### govcloud plan: No change against .');
});

test('a base that is neither a folder nor a commit: a clear message, exit 1; a bad command line exits 2', async () => {
  const repo = repository();
  try {
    const missing = await cli(['plan', '--base', 'no-such-branch', 'samples/'], { cwd: repo.dir });
    assert.is(missing.code, 1);
    assert.match(
      missing.err,
      /^govcloud plan: --base no-such-branch: no folder of that name, and no commit of that name in the git repository at .*govcloud-plan-\w+/,
    );
    assert.is(missing.out, '');
    assert.not.match(missing.err, /    at /, 'no stack trace');
    const notRepo = mkdtempSync(join(tmpdir(), 'govcloud-norepo-'));
    try {
      const r = await cli(['plan', '--base', 'main', '.'], { cwd: notRepo });
      assert.is(r.code, 1);
      assert.match(r.err, /--base main: no folder of that name, and .* is not in a git repository to read a ref from/);
    } finally {
      rmSync(notRepo, { recursive: true, force: true });
    }
    const file = await cli(['plan', '--base', 'samples/README.md', 'samples/']);
    assert.is(file.code, 1);
    assert.match(file.err, /--base samples\/README\.md: a file, not a folder or a git ref/);
    const yaml = await cli(['plan', '--base', 'samples', 'samples/', '-o', 'yaml']);
    assert.is(yaml.code, 2);
    assert.match(yaml.err, /--base shows a change: --output table, markdown or json/);
    const climbing = await cli(['plan', '--base', 'main', '../elsewhere'], { cwd: repo.dir });
    assert.is(climbing.code, 2);
    assert.match(climbing.err, /with --base, name paths inside the working folder \(\.\.\/elsewhere is not\)/);
    const absolute = await cli(['plan', '--base', 'main', join(repo.dir, 'samples'), '--now', NOW, '-o', 'json'], { cwd: repo.dir });
    assert.is(absolute.code, 0, absolute.err);
    assert.is(JSON.parse(absolute.out).access.opened.length, 1, 'an absolute path inside the working folder is read at the base too');
    const md = await cli(['plan', 'samples/', '-o', 'markdown']);
    assert.is(md.code, 2);
    assert.match(md.err, /--output markdown goes with --base/);
  } finally {
    repo.dispose();
  }
});

test('an invalid change: its problems, exit 1, no plan (markdown: the problems in a code block)', async () => {
  const repo = repository();
  try {
    writeFileSync(join(repo.dir, 'samples/tenants/bca/thue.yaml'), GRANT_FOR_THUE.replace('consumer: btc', 'consumer: nobody'));
    const text = await cli(['plan', '--base', 'main', 'samples/', '--now', NOW], { cwd: repo.dir });
    assert.is(text.code, 1);
    assert.match(text.out, /^samples\/tenants\/bca\/thue\.yaml:8: AccessGrant\/btc-thue: spec\.consumer: /m);
    assert.not.match(text.out, /^Plan for/m);
    const md = await cli(['plan', '--base', 'main', 'samples/', '--now', NOW, '-o', 'markdown'], { cwd: repo.dir });
    assert.is(md.code, 1);
    const tokens = marked.lexer(md.out).filter((t) => t.type !== 'space');
    assert.is(tokens[0]!.type, 'heading');
    assert.match((tokens[0] as Tokens.Heading).text, /^govcloud plan: invalid, \d+ errors?$/);
    assert.is(tokens[1]!.type, 'code');
    assert.match((tokens[1] as Tokens.Code).text, /^samples\/tenants\/bca\/thue\.yaml:8: AccessGrant\/btc-thue: spec\.consumer: /m);
  } finally {
    repo.dispose();
  }
});

test('an invalid base is compared as far as it is valid, and the plan says so', async () => {
  const repo = repository();
  try {
    execFileSync('git', ['checkout', '-q', 'main'], { cwd: repo.dir });
    writeFileSync(join(repo.dir, 'samples/tenants/broken.yaml'), 'kind: [\n');
    execFileSync('git', ['add', '-A'], { cwd: repo.dir });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'broken file'], { cwd: repo.dir });
    execFileSync('git', ['checkout', '-q', 'thue'], { cwd: repo.dir });
    const { code, out } = await cli(['plan', '--base', 'main', 'samples/', '--now', NOW], { cwd: repo.dir });
    assert.is(code, 0);
    assert.match(out.split('\n')[0]!, /against main \([0-9a-f]{12}\); the base has 1 validation error: compared as far as it is valid at /);
    assert.match(out, ACCESS_ROW);
  } finally {
    repo.dispose();
  }
});

test.run();
