/**
 * The CI files samples/gitops ships run govcloud commands that work: each command line of the
 * GitHub workflow and of the GitLab job is run, as written, on the template made a git
 * repository with its base branch, and passes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
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
  assert.is(lines.length, 3, 'validate, codeowners, plan');
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

test('GitLab CI: every govcloud command of the job passes on the template', async () => {
  const job = parse(readFileSync(join(GITOPS, '.gitlab-ci.yml'), 'utf8')).govcloud as { script: string[] };
  const prefix = 'node .govcloud/operator/bin/govcloud.ts ';
  const lines = job.script.flatMap((s) => commandLines(s.replaceAll('$CI_MERGE_REQUEST_TARGET_BRANCH_NAME', 'main'), prefix));
  assert.is(lines.length, 4, 'junit, validate, codeowners, plan');
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
