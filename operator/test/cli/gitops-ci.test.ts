/**
 * The CI files samples/gitops ships run govcloud commands that work: each command line of the
 * GitHub workflow and of the GitLab job is run, as written, on the template made a git
 * repository with its base branch, and passes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { marked, type Tokens } from 'marked';
import { COMMENT_LIMIT } from '../../src/gitops/bounded-markdown.ts';
import { GRANT_FOR_THUE, POPULATION_FOR_THUE } from '../gitops/fixtures.ts';
import { cli, SAMPLES } from '../validate/helpers.ts';

const GITOPS = join(SAMPLES, 'gitops');

/** The govcloud arguments of a shell line: up to a redirection or a pipe, quotes removed. */
function argvOf(line: string, prefix: string): string[] {
  const command = line.slice(line.indexOf(prefix) + prefix.length).split(/\s[>|]/)[0]!;
  return command
    .trim()
    .split(/\s+/)
    .map((a) => a.replace(/^"(.*)"$/, '$1'));
}

function commandLines(script: string, prefix: string): string[] {
  return script
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(prefix));
}

function repository(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-ci-'));
  cpSync(GITOPS, dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'the platform');
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

test('GitHub Actions: every $GOVCLOUD step passes on the template', async () => {
  const workflow = parse(readFileSync(join(GITOPS, '.github/workflows/govcloud.yaml'), 'utf8'));
  const steps = workflow.jobs.check.steps as { run?: string }[];
  const lines = steps.flatMap((s) => (s.run ? commandLines(s.run.replaceAll('${{ github.base_ref }}', 'main'), '$GOVCLOUD ') : []));
  assert.is(lines.length, 4, 'validate, codeowners, plan for the comment, the full plan');
  const repo = repository();
  try {
    for (const line of lines) {
      const { code, err } = await cli(argvOf(line, '$GOVCLOUD '), { cwd: repo.dir });
      assert.is(code, 0, `${line}: ${err}`);
    }
  } finally {
    repo.dispose();
  }
});

test('GitHub Actions: on a branch adding one request and its grant, the plan comment shows exactly that access pair, and parses', async () => {
  const workflow = parse(readFileSync(join(GITOPS, '.github/workflows/govcloud.yaml'), 'utf8'));
  const steps = workflow.jobs.check.steps as { run?: string }[];
  const plan = steps
    .flatMap((s) => (s.run ? commandLines(s.run.replaceAll('${{ github.base_ref }}', 'main'), '$GOVCLOUD ') : []))
    .find((l) => l.includes('--output markdown'))!;
  const repo = repository();
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', ...args], { cwd: repo.dir, stdio: 'pipe' });
    git('checkout', '-qb', 'thue');
    writeFileSync(join(repo.dir, 'agencies/btc/population-for-thue.yaml'), POPULATION_FOR_THUE);
    writeFileSync(join(repo.dir, 'agencies/bca/grant-btc-thue.yaml'), GRANT_FOR_THUE);
    git('add', '-A');
    git('commit', '-qm', 'btc asks for the population database; bca grants it');
    const { code, out, err } = await cli([...argvOf(plan, '$GOVCLOUD '), '--now', '2026-06-01T00:00:00Z'], { cwd: repo.dir });
    assert.is(code, 0, err);
    assert.ok(out.length <= COMMENT_LIMIT);
    const tokens = marked.lexer(out).filter((t) => t.type !== 'space');
    assert.match((tokens[0] as Tokens.Heading).text, /; access: 1 opened, 0 closed$/);
    const titles = tokens.filter((t) => t.type === 'paragraph').map((t) => t.raw.trim());
    assert.ok(titles.includes('**Access opened: 1**') && titles.includes('**Access closed: 0**'));
    const opened = tokens.find((t): t is Tokens.Table => t.type === 'table')!;
    assert.equal(
      opened.rows.map((r) => r.map((c) => c.text.replace(/\\(.)/g, '$1'))),
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
    assert.not.match(out, /not shown/i);
  } finally {
    repo.dispose();
  }
});

test('GitLab CI: every govcloud command of the job passes on the template', async () => {
  const job = parse(readFileSync(join(GITOPS, '.gitlab-ci.yml'), 'utf8')).govcloud as { script: string[] };
  const prefix = 'node .govcloud/operator/bin/govcloud.ts ';
  const lines = job.script.flatMap((s) => commandLines(s.replaceAll('$CI_MERGE_REQUEST_TARGET_BRANCH_NAME', 'main'), prefix));
  assert.is(lines.length, 5, 'junit, validate, codeowners, plan for the note, the full plan');
  const repo = repository();
  try {
    for (const line of lines) {
      const { code, out, err } = await cli(argvOf(line, prefix), { cwd: repo.dir });
      assert.is(code, 0, `${line}: ${err}`);
      if (line.includes('--output junit')) assert.match(out, /^<testsuites name="govcloud validate" tests="32" failures="0" errors="0">$/m);
      if (line.includes('--output markdown')) assert.is(out.split('\n')[0], '### govcloud plan: No change against origin/main');
    }
  } finally {
    repo.dispose();
  }
});

test.run();
